/** An invalid MLproject, an unknown entry point, or parameters refused before anything runs. */
export class MLprojectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MLprojectError';
  }
}

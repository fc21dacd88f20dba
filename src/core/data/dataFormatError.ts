/** A malformed data file: says which file and line, and what was wrong. */
export class DataFormatError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(DataFormatError.compose(message, file, line));
    this.name = 'DataFormatError';
  }

  private static compose(message: string, file: string | undefined, line: number | undefined): string {
    const where = [file, line === undefined ? undefined : `line ${line}`].filter((part) => part !== undefined);
    return where.length > 0 ? `${where.join(', ')}: ${message}` : message;
  }
}

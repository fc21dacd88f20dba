export type KernelStartFailure = 'notFound' | 'notExecutable' | 'unsupportedVersion' | 'bootstrapFailed' | 'timeout';

const SETTING_ADVICE = 'Change the trackside.python.path setting to a Python 3.8 or newer interpreter.';

/** The kernel could not start; the message names the interpreter and says what to change. */
export class KernelStartError extends Error {
  constructor(
    readonly interpreter: string,
    readonly reason: KernelStartFailure,
    detail: string,
    /** The tail of what the interpreter wrote to stderr, if anything. */
    readonly stderr = '',
  ) {
    super(`Could not start the Python kernel with '${interpreter}': ${detail} ${SETTING_ADVICE}`);
    this.name = 'KernelStartError';
  }
}

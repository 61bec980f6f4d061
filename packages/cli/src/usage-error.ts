// A usage error raised by a command after commander accepted the arguments (a bad flag value,
// a missing argument): exit code 2. Free of imports so registering commands stays cheap.

/** Exit code for usage errors (bad flags, bad arguments), as most CLIs do. */
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

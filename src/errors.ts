// One error type for everything the user can act on. Anything else escaping to the CLI is a bug
// and is reported as such (with a stack trace), never as the user's fault.

export interface ErrorDetails {
  /** What to do about it, in one sentence. */
  hint?: string;
  /** file:line:col (or another locator) the error is about. */
  where?: string;
  /** Last lines of output of the process involved, oldest first. */
  logTail?: string[];
  /** Process exit code the CLI should use. Defaults to 1. */
  exitCode?: number;
  cause?: unknown;
}

export class PitstopError extends Error {
  readonly hint?: string;
  readonly where?: string;
  readonly logTail?: string[];
  readonly exitCode: number;

  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'PitstopError';
    this.hint = details.hint;
    this.where = details.where;
    this.logTail = details.logTail;
    this.exitCode = details.exitCode ?? 1;
  }
}

export function isPitstopError(err: unknown): err is PitstopError {
  return err instanceof PitstopError;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

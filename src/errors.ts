import { ExitCode } from './exit-codes.ts';

/**
 * An error the user can act on: a stable `code`, the exit code it maps to, and a message that
 * names the file, line and field (or the flag). The CLI prints `message` alone, never a stack.
 */
export class CrosswireError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, exitCode: number = ExitCode.usage, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CrosswireError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** `cause`: the error behind it, whose stack `CROSSWIRE_DEBUG=1` prints. */
export function usageError(code: string, message: string, cause?: unknown): CrosswireError {
  return new CrosswireError(code, message, ExitCode.usage, cause === undefined ? undefined : { cause });
}

export function isCrosswireError(error: unknown): error is CrosswireError {
  return error instanceof CrosswireError;
}

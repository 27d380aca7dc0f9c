import { EXIT } from './exit-codes.ts';

/**
 * An error meant for the user: printed as one line (`headerguard: <message>`), never with a stack trace.
 * The message must not contain subscriber data unmasked.
 */
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.usage) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

/**
 * A listener could not bind its port because something else holds it (EADDRINUSE), as a one-line UserError.
 * Told apart by `code`, not by class: the error may come from another bundle of this project.
 */
export class PortInUseError extends UserError {
  readonly code = 'EADDRINUSE';
}

/** Whether `err` says a port is already in use (a PortInUseError, or the listen error itself). */
export function isPortInUse(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'EADDRINUSE';
}

/** A one-line description of any thrown value, for places that must not print a stack trace. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err).split('\n')[0] ?? 'unknown error';
}

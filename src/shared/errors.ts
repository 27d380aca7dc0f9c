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

/** A one-line description of any thrown value, for places that must not print a stack trace. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err).split('\n')[0] ?? 'unknown error';
}

import { type Logger, pino } from 'pino';

/**
 * Structured logs on stderr. Header values are subscriber data: callers log names, counts and probe ids,
 * never header values; anything free-form goes through `src/shared/mask.ts` first.
 */
export function createLogger(name: string, level = process.env.HEADERGUARD_LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, base: { name } }, pino.destination(2));
}

export type { Logger };

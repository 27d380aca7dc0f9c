import { type DestinationStream, type Logger, pino } from 'pino';

export interface LoggerOptions {
  /** Rewrites each serialised line just before it is written (the simulator masks known identifiers). */
  scrub?: (line: string) => string;
  /** Where lines go instead of stderr (tests). */
  destination?: DestinationStream;
}

/**
 * Structured logs on stderr. Header values are subscriber data: callers log names, counts and probe ids,
 * never header values; anything free-form goes through `src/shared/mask.ts` first.
 */
export function createLogger(
  name: string,
  level = process.env.HEADERGUARD_LOG_LEVEL ?? 'info',
  options: LoggerOptions = {},
): Logger {
  const { scrub, destination } = options;
  return pino(
    { name, level, base: { name }, ...(scrub ? { hooks: { streamWrite: scrub } } : {}) },
    destination ?? pino.destination(2),
  );
}

export type { Logger };

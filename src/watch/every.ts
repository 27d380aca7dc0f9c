import { parseDuration } from '../capture/config/duration.ts';
import { UserError } from '../shared/errors.ts';

/** The shortest `--every`: runs are never closer than this. */
export const MIN_EVERY_MS = 1000;

/** `--every`: `30s`, `1m`, `5m`, `1h` (any whole number of s, m, h or d, at least 1 s). UserError (exit 2) if not. */
export function parseEvery(text: string | undefined): number {
  if (text === undefined) throw new UserError('--every is required (e.g. --every 1m)');
  const ms = /^\d+(s|m|h|d)$/.test(text.trim()) ? parseDuration(text) : undefined;
  if (ms === undefined || ms < MIN_EVERY_MS)
    throw new UserError(
      `--every: "${text.slice(0, 40)}" is not a duration: a whole number of s, m, h or d, e.g. 30s, 1m, 5m, 1h`,
    );
  return ms;
}

/** A positive whole number option (`--keep`, `--max-runs`); UserError (exit 2) if not. */
export function parseCount(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\d{1,9}$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < 1)
    throw new UserError(`${flag}: "${text.slice(0, 40)}" is not a whole number of at least 1`);
  return n;
}

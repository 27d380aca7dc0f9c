/**
 * Identity and tracking header names that a sound gateway strips from what the handset sends (anti-spoofing)
 * before it adds its own: exactly the verdict engine's catalogue (every name in docs/headers.md, each with
 * its source, plus its name-token patterns), so the simulator and the verdict never disagree on what counts.
 */
import { CATALOGUE, matchIdentityHeader } from '../detect/index.ts';

/** The catalogue's header names (cookie entries and `*` families excluded; families still match below). */
export const IDENTITY_HEADER_NAMES: readonly string[] = Object.freeze(
  CATALOGUE.filter((e) => e.kind !== 'cookie' && !e.name.endsWith('*')).map((e) => e.name),
);

/** Whether a header name (any case) is a known identity or tracking header. */
export function isIdentityHeader(name: string): boolean {
  return matchIdentityHeader(name) !== undefined;
}

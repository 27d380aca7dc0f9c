/**
 * Where the store lives, from `--db`: a SQLite file (or `:memory:`), or a PostgreSQL URL
 * (`postgres://USER[:PASSWORD]@HOST[:PORT]/DB`, also `postgresql://`). Pure functions.
 */
import { UserError } from '../../shared/errors.ts';

export type DbLocation =
  | { kind: 'sqlite'; path: string }
  /** `display` is the URL with its password masked: the only form that may be printed or logged. */
  | { kind: 'postgres'; url: string; display: string };

const PG_SCHEME = /^postgres(?:ql)?:\/\//i;

/** True when `text` names a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(text: string): boolean {
  return PG_SCHEME.test(text);
}

/** A PostgreSQL URL with its password (if any) replaced by `***`; unparsable text is cut at the scheme. */
export function maskDbUrl(text: string): string {
  const m = /^([a-z]+:\/\/)([^@/]*)@(.*)$/is.exec(text);
  if (!m) return text;
  const [, scheme, userinfo, rest] = m;
  const colon = userinfo!.indexOf(':');
  return colon < 0 ? text : `${scheme}${userinfo!.slice(0, colon)}:***@${rest}`;
}

export function parseDbLocation(text: string): DbLocation {
  if (!isPostgresUrl(text)) return { kind: 'sqlite', path: text };
  const display = maskDbUrl(text);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError(`--db ${display} is not a valid PostgreSQL URL (postgres://USER@HOST:PORT/DB)`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (url.hostname === '' || database === '' || database.includes('/')) {
    throw new UserError(`--db ${display} must name a host and a database: postgres://USER@HOST:PORT/DB`);
  }
  return { kind: 'postgres', url: text, display };
}

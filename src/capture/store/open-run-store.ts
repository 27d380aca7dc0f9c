/** Which store `--db` names, opened. */
import type { Logger } from '../../shared/logger.ts';
import { parseDbLocation } from './db-location.ts';
import { PgRunStore } from './pg-store.ts';
import type { RunStore } from './run-store.ts';
import { SqliteRunStore } from './sqlite-store.ts';

/**
 * Open the store `--db` names: a SQLite file or `:memory:`, or a `postgres://` URL; `logger` hears about
 * background failures (codes only). Throws UserError naming the database (a password masked).
 */
export async function openRunStore(db: string, logger: Logger): Promise<RunStore> {
  const location = parseDbLocation(db);
  if (location.kind === 'postgres') return PgRunStore.open(location.url, location.display, logger);
  return SqliteRunStore.open(location.path, (code) => logger.warn({ code }, 'WAL checkpoint failed'));
}

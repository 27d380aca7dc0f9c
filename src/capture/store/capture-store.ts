/**
 * The capture store: runs and their captures in SQLite (better-sqlite3, WAL, prepared statements).
 *
 * Writes are synchronous and committed before the caller answers, so an acknowledged capture survives a crash
 * of the process. `synchronous=NORMAL` in WAL mode keeps commits off fsync: a power cut of the host may lose the
 * last commits, a crash of the process loses none. One endpoint process owns a database file: it keeps the live
 * runs (id, expiry, capture count, last block) in memory, so a commit costs one INSERT per run it holds captures
 * of: a block appended to that run's rowid range (schema.ts).
 */
import { closeSync, openSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { CaptureRecord } from '../../model/capture.ts';
import { UserError } from '../../shared/errors.ts';
import { type BlockCapture, decodeBlock, encodeBlock } from './capture-block.ts';
import { type FileLock, lockDatabase } from './file-lock.ts';
import { type NewRun, RUN_COLUMNS, type RunRow, runRowValues, type StoredRun, storedRun } from './run-row.ts';
import { APPLICATION_ID, CAPTURE_ID_SPAN, MAX_RUN_ID, MIGRATIONS, SCHEMA_VERSION } from './schema.ts';

export type { NewRun, StoredRun } from './run-row.ts';

/** A capture on its way in: what a block holds of it, and its run. */
export interface PendingCapture extends BlockCapture {
  runToken: string;
  /** Its run's numeric id, from `admit`. */
  runId: number;
}

/** A capture record on its way into run `runId`'s next block. */
export function toPending(capture: CaptureRecord, runId: number): PendingCapture {
  const { headers, receivedAt, ...rest } = capture;
  return { ...rest, runId, receivedAt: Date.parse(receivedAt), rawHeaders: headers.flat() };
}

/** Why a run takes no capture: it is unknown, expired or deleted, or it holds the most allowed. */
export type Refusal = 'unknown-run' | 'run-full';

interface LiveRun {
  id: number;
  expiresAt: number;
  /** Captures stored or admitted and on their way. */
  count: number;
  /** Last block number handed out (never reused, even when a commit fails). */
  block: number;
}

export interface PurgeResult {
  runs: number;
  captures: number;
}

/**
 * Append one block to its run's range, unless the run went away meanwhile (then zero rows change and that run's
 * captures only are refused). Parameters: block id, capture count, block JSON, run id.
 */
const INSERT_BLOCK_SQL = `INSERT INTO capture_blocks (id, n, captures)
  SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM runs WHERE id = ?)`;

/** Pages the WAL may reach before the endpoint's own connection checkpoints (4 KiB pages: about 64 MiB). */
export const BACKSTOP_AUTOCHECKPOINT_PAGES = 16_384;

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

/** Create the database file owner-only (it holds subscriber data); SQLite gives its -wal and -shm the same mode. */
function precreate(path: string): void {
  try {
    closeSync(openSync(path, 'a', 0o600));
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ENOENT') throw new UserError(`cannot create database ${path}: its folder does not exist`);
    if (code === 'EACCES' || code === 'EPERM')
      throw new UserError(`cannot create database ${path}: permission denied`);
    if (code === 'EISDIR') throw new UserError(`cannot use database ${path}: it is a folder`);
    throw new UserError(`cannot create database ${path}: ${code ?? 'unknown error'}`);
  }
}

export class CaptureStore {
  readonly path: string;
  private readonly db: Database.Database;
  private closed = false;
  private readonly stmts: ReturnType<CaptureStore['prepare']>;
  private readonly live = new Map<string, LiveRun>();
  private readonly insertTx: (batch: readonly PendingCapture[]) => boolean[];
  private readonly purgeTx: (now: number) => PurgeResult;
  private readonly deleteTx: (token: string) => boolean;
  private readonly lock?: FileLock;

  /** Open (creating if needed) and migrate a store. Throws UserError when the file cannot be used. */
  static open(path: string): CaptureStore {
    return new CaptureStore(path);
  }

  private constructor(path: string) {
    this.path = path;
    if (path !== ':memory:') {
      precreate(path);
      this.lock = lockDatabase(path);
    }
    let db: Database.Database;
    try {
      db = new Database(path);
    } catch (err) {
      this.lock?.release();
      throw new UserError(`cannot open database ${path}: ${errorCode(err) ?? 'unknown error'}`);
    }
    this.db = db;
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // Checkpoints run in a worker (checkpointer.ts); this is the backstop should it stop.
      db.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
      db.pragma('journal_size_limit = 67108864');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      // Deleted runs are overwritten, not left in free pages: subscriber data must really go when it expires.
      db.pragma('secure_delete = ON');
      this.migrate();
    } catch (err) {
      db.close();
      this.lock?.release();
      if (err instanceof UserError) throw err;
      const code = errorCode(err);
      if (code === 'SQLITE_NOTADB') throw new UserError(`cannot use database ${path}: not a SQLite database`);
      throw new UserError(`cannot use database ${path}: ${code ?? 'unknown error'}`);
    }
    this.stmts = this.prepare();
    const s = this.stmts;
    this.insertTx = db.transaction((batch: readonly PendingCapture[]): boolean[] => {
      const byRun = new Map<string, PendingCapture[]>();
      for (const c of batch) {
        const group = byRun.get(c.runToken);
        if (group) group.push(c);
        else byRun.set(c.runToken, [c]);
      }
      const storedRuns = new Set<string>();
      for (const [token, captures] of byRun) {
        const run = this.live.get(token);
        const runId = captures[0]!.runId;
        if (!run || run.id !== runId) continue;
        run.block += 1;
        const id = runId * CAPTURE_ID_SPAN + run.block;
        if (s.insertBlock.run(id, captures.length, encodeBlock(captures), runId).changes === 1)
          storedRuns.add(token);
      }
      return batch.map((c) => storedRuns.has(c.runToken));
    });
    this.purgeTx = db.transaction((now: number): PurgeResult => {
      const expired = s.expiredRuns.all(now) as { id: number }[];
      let captures = 0;
      for (const { id } of expired) {
        const lo = id * CAPTURE_ID_SPAN;
        captures += (s.countCaptures.get(lo, lo + CAPTURE_ID_SPAN) as { n: number }).n;
        s.deleteCaptures.run(lo, lo + CAPTURE_ID_SPAN);
        s.deleteRunById.run(id);
      }
      return { runs: expired.length, captures };
    });
    this.deleteTx = db.transaction((token: string): boolean => {
      const run = s.runId.get(token) as { id: number } | undefined;
      if (!run) return false;
      s.deleteCaptures.run(run.id * CAPTURE_ID_SPAN, (run.id + 1) * CAPTURE_ID_SPAN);
      s.deleteRunById.run(run.id);
      return true;
    });
  }

  private migrate(): void {
    const db = this.db;
    const version = db.pragma('user_version', { simple: true }) as number;
    const appId = db.pragma('application_id', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new UserError(
        `cannot use database ${this.path}: its schema version ${version} is newer than this headerguard's (${SCHEMA_VERSION})`,
      );
    }
    if (appId !== APPLICATION_ID) {
      const tables = db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as {
        n: number;
      };
      if (appId !== 0 || tables.n > 0) {
        throw new UserError(`cannot use database ${this.path}: it is not a headerguard database`);
      }
    }
    for (let v = version; v < SCHEMA_VERSION; v++) {
      db.transaction(() => {
        db.exec(MIGRATIONS[v]!);
        db.pragma(`application_id = ${APPLICATION_ID}`);
        db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  private prepare() {
    const db = this.db;
    return {
      insertRun: db.prepare(`INSERT INTO runs (${RUN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      getRun: db.prepare('SELECT * FROM runs WHERE token = ? AND expires_at > ?'),
      runId: db.prepare('SELECT id FROM runs WHERE token = ?'),
      liveRun: db.prepare(
        `SELECT id, expires_at,
           (SELECT coalesce(sum(n), 0) FROM capture_blocks WHERE id > @lo AND id < @hi) AS n,
           (SELECT max(id) FROM capture_blocks WHERE id > @lo AND id < @hi) AS last
         FROM runs WHERE id = @id`,
      ),
      insertBlock: db.prepare(INSERT_BLOCK_SQL),
      countCaptures: db.prepare(
        'SELECT coalesce(sum(n), 0) AS n FROM capture_blocks WHERE id > ? AND id < ?',
      ),
      listBlocks: db.prepare(
        'SELECT id, n, captures FROM capture_blocks WHERE id > ? AND id < ? ORDER BY id',
      ),
      expiredRuns: db.prepare('SELECT id FROM runs WHERE expires_at <= ?'),
      deleteCaptures: db.prepare('DELETE FROM capture_blocks WHERE id > ? AND id < ?'),
      deleteRunById: db.prepare('DELETE FROM runs WHERE id = ?'),
      ping: db.prepare('SELECT 1 AS ok'),
      countOpenRuns: db.prepare('SELECT count(*) AS n FROM runs WHERE expires_at > ?'),
    };
  }

  /** Schema version of the open database. */
  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /** Owner-only permissions are expected; true when group or others can read the file. */
  get isWorldReadable(): boolean {
    if (this.path === ':memory:') return false;
    return (statSync(this.path).mode & 0o077) !== 0;
  }

  createRun(run: NewRun): void {
    const { lastInsertRowid } = this.stmts.insertRun.run(...runRowValues(run));
    const id = Number(lastInsertRowid);
    if (id > MAX_RUN_ID) throw new Error('run ids exhausted: start a new database file');
    this.live.set(run.token, { id, expiresAt: run.expiresAt, count: 0, block: 0 });
  }

  /** A run that exists and has not expired at `now`. */
  getRun(token: string, now: number): StoredRun | undefined {
    const row = this.stmts.getRun.get(token, now) as RunRow | undefined;
    return row ? storedRun(row) : undefined;
  }

  private liveRun(token: string): LiveRun | undefined {
    let run = this.live.get(token);
    if (!run) {
      // Not seen since this process started (a restart): load it once.
      const found = this.stmts.runId.get(token) as { id: number } | undefined;
      if (!found) return undefined;
      const lo = found.id * CAPTURE_ID_SPAN;
      const row = this.stmts.liveRun.get({ id: found.id, lo, hi: lo + CAPTURE_ID_SPAN }) as
        | { id: number; expires_at: number; n: number; last: number | null }
        | undefined;
      if (!row) return undefined;
      run = {
        id: row.id,
        expiresAt: row.expires_at,
        count: row.n,
        block: row.last === null ? 0 : row.last - lo,
      };
      this.live.set(token, run);
    }
    return run;
  }

  /**
   * Reserve room for one capture of a run: the run's id (the caller must then `insert` the capture, or `release`
   * the slot), or why not. Unknown tokens are never cached, so they cost an index lookup each.
   */
  admit(token: string, now: number, maxPerRun: number): number | Refusal {
    const run = this.liveRun(token);
    if (!run || run.expiresAt <= now) return 'unknown-run';
    // Each capture admitted takes at most one more block number (failed commits burn theirs), so this keeps every
    // block id inside the run's range.
    if (run.count >= maxPerRun || run.count + run.block >= CAPTURE_ID_SPAN - 1) return 'run-full';
    run.count += 1;
    return run.id;
  }

  /** Give back a slot that `admit` reserved for a capture that was not stored. */
  release(token: string): void {
    const run = this.live.get(token);
    if (run && run.count > 0) run.count -= 1;
  }

  /** Commit admitted captures in one transaction; per capture, whether it was stored. Throws when nothing was. */
  insert(batch: readonly PendingCapture[]): boolean[] {
    const stored = this.insertTx(batch);
    this.settle(batch, stored);
    return stored;
  }

  /** After a commit: forget runs that turned out to be gone. */
  private settle(batch: readonly PendingCapture[], stored: readonly boolean[]): void {
    stored.forEach((ok, i) => {
      if (!ok) this.live.delete(batch[i]!.runToken);
    });
  }

  /** Admit and commit one capture record (tests and tools; the endpoint batches through CaptureWriter). */
  recordCapture(capture: CaptureRecord, now: number, maxPerRun: number): 'ok' | Refusal {
    const runId = this.admit(capture.runToken, now, maxPerRun);
    if (typeof runId !== 'number') return runId;
    const stored = this.insert([toPending(capture, runId)]);
    return stored[0] ? 'ok' : 'unknown-run';
  }

  listCaptures(token: string): CaptureRecord[] {
    const run = this.stmts.runId.get(token) as { id: number } | undefined;
    if (!run) return [];
    const lo = run.id * CAPTURE_ID_SPAN;
    const blocks = this.stmts.listBlocks.all(lo, lo + CAPTURE_ID_SPAN) as {
      id: number;
      n: number;
      captures: string;
    }[];
    return blocks.flatMap((b) => decodeBlock(b.captures, b.id, token, b.n));
  }

  /** How many captures a run has in the database (0 for an unknown run). */
  countCaptures(token: string): number {
    const run = this.stmts.runId.get(token) as { id: number } | undefined;
    if (!run) return 0;
    const lo = run.id * CAPTURE_ID_SPAN;
    return (this.stmts.countCaptures.get(lo, lo + CAPTURE_ID_SPAN) as { n: number }).n;
  }

  /** Delete a run and its captures; false when there was no such run. */
  deleteRun(token: string): boolean {
    this.live.delete(token);
    return this.deleteTx(token);
  }

  /** Delete every run expired at `now`, with its captures, and truncate the WAL so no copy of them stays. */
  purgeExpired(now: number): PurgeResult {
    for (const [token, run] of this.live) if (run.expiresAt <= now) this.live.delete(token);
    const result = this.purgeTx(now);
    if (result.runs > 0 || result.captures > 0) this.db.pragma('wal_checkpoint(TRUNCATE)');
    return result;
  }

  /** Runs not expired at `now` (for the open-runs metric). */
  countOpenRuns(now: number): number {
    return (this.stmts.countOpenRuns.get(now) as { n: number }).n;
  }

  /** True when the database answers a query. */
  ping(): boolean {
    try {
      return (this.stmts.ping.get() as { ok: number }).ok === 1;
    } catch {
      return false;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
    this.lock?.release();
  }
}

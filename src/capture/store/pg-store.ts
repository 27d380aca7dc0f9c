/**
 * The PostgreSQL RunStore (`pg`, a Pool): several endpoint processes on one database, reached by DNS round-robin
 * or anycast. A run created through one process is captured by any and read from any:
 *
 * - every read (a run, its captures, their count) is a query, so completeness is judged from what is committed;
 * - a capture is answered only after the statement holding it has committed (group commit, as SQLite's writer:
 *   the captures that arrive while a commit is in flight share the next batch, one block per run, all in one
 *   statement that is its own transaction: one round trip however many runs the batch holds);
 * - block ids come from a sequence and the per-run capture count is a column updated in the commit, whose row
 *   lock orders concurrent commits to one run, so nothing collides across processes;
 * - deleting a run deletes its blocks in the same transaction (there is no foreign key: pg-schema.ts);
 * - purging expired runs is one transaction under a transaction advisory lock: one process purges at a time, the
 *   others skip that turn;
 * - migrations run once, under a session advisory lock (pg-schema.ts).
 *
 * What a process keeps in memory is only what never changes: a live run's id and expiry, once looked up.
 */
import type pg from 'pg';
import type { CaptureRecord } from '../../model/capture.ts';
import { describeError, UserError } from '../../shared/errors.ts';
import { EXIT } from '../../shared/exit-codes.ts';
import type { Logger } from '../../shared/logger.ts';
import { decodeBlock, encodeBlock } from './capture-block.ts';
import type { PendingCapture, PurgeResult } from './capture-store.ts';
import type { WriteOutcome } from './capture-writer.ts';
import {
  PG_LOCK_KEY,
  PG_MIGRATIONS,
  PG_PURGE_LOCK_KEY,
  PG_RUN_LOCK_CLASS,
  PG_SCHEMA_VERSION,
} from './pg-schema.ts';
import { type NewRun, RUN_COLUMNS, type RunRow, runRowValues, type StoredRun, storedRun } from './run-row.ts';
import type { CaptureDone, RunStore } from './run-store.ts';

/** int8 (bigint) as a JavaScript number: ids, times in ms and counts stay far below 2^53. */
const INT8_OID = 20;
function int8AsNumber(driver: typeof pg): typeof pg.types {
  const getTypeParser = ((oid: number, format?: string) =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : driver.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser;
  return { ...driver.types, getTypeParser };
}

/** Captures taken into one batch; batches in flight at once (their runs' statements share the pool). */
const MAX_BATCH = 256;
const MAX_COMMITS_IN_FLIGHT = 4;
/**
 * Runs in one batch at most. Each run's advisory lock takes a slot of the server's shared lock table until the
 * batch commits (INSERT_BATCH_SQL), a table PostgreSQL sizes for `max_locks_per_transaction` (64 by default) per
 * connection: with this, ten instances with four batches in flight each hold at most 2,560 of the default 6,400.
 */
const MAX_RUNS_PER_BATCH = 64;

/**
 * How many of the first queued captures make the next batch, in arrival order: at most `maxCaptures`, of at most
 * `maxRuns` runs (the first capture of one run more ends it).
 */
export function batchLength(
  queue: readonly { capture: { runId: number } }[],
  maxCaptures = MAX_BATCH,
  maxRuns = MAX_RUNS_PER_BATCH,
): number {
  const runs = new Set<number>();
  const end = Math.min(queue.length, maxCaptures);
  for (let i = 0; i < end; i++) {
    const runId = queue[i]!.capture.runId;
    if (!runs.has(runId)) {
      if (runs.size === maxRuns) return i;
      runs.add(runId);
    }
  }
  return end;
}
/**
 * While a commit is in flight, another starts only once this many captures wait; fewer join the commit that
 * starts when the one in flight is done. A statement costs about the same whether it holds two captures or
 * thirty (in this process and in PostgreSQL): with every commit in flight at once (the rule before) a batch held
 * 3-9 captures at 10-64 connections; with this, about every capture that arrived during the last commit, and
 * PostgreSQL's CPU per capture fell by about 40% at 32 and 64 connections. Not "never below 64": one commit
 * stalled (its backend descheduled on a busy machine) should not hold up every capture; 16 and 64 measured the
 * same CPU per capture. An idle store still commits a lone capture after one turn of the event loop, as before.
 */
const MIN_CONCURRENT_BATCH = 16;
/** Longest the oldest queued capture waits for others to join its batch, in ms (as SQLite's writer). */
const MAX_WAIT_MS = 2;
/** Live runs remembered (id and expiry); the oldest is forgotten past this. */
const MAX_REMEMBERED_RUNS = 10_000;

interface LiveRun {
  id: number;
  expiresAt: number;
}

interface Queued {
  capture: PendingCapture;
  maxPerRun: number;
  done: CaptureDone;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** A failure to open the database as one line, naming it (password masked): exit 2 for settings, 3 otherwise. */
function openError(display: string, err: unknown): UserError {
  if (err instanceof UserError) return err;
  const code =
    typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  if (NETWORK_CODES.has(code)) return new UserError(`cannot reach database ${display}: ${code}`, EXIT.broken);
  if (/timeout/i.test(describeError(err))) {
    return new UserError(`cannot reach database ${display}: connection timed out`, EXIT.broken);
  }
  if (code === '28P01' || code === '28000') {
    return new UserError(`cannot use database ${display}: authentication failed`);
  }
  if (code === '3D000') return new UserError(`cannot use database ${display}: no such database`);
  return new UserError(`cannot use database ${display}: ${describeError(err)}`, EXIT.broken);
}

async function migrate(client: pg.PoolClient, display: string): Promise<number> {
  await client.query('SELECT pg_advisory_lock($1)', [PG_LOCK_KEY]);
  try {
    const found = await client.query<{ versions: boolean; ours: boolean }>(
      `SELECT to_regclass('headerguard_schema') IS NOT NULL AS versions,
              (to_regclass('runs') IS NOT NULL OR to_regclass('capture_blocks') IS NOT NULL) AS ours`,
    );
    const { versions, ours } = found.rows[0]!;
    if (!versions && ours) {
      throw new UserError(
        `cannot use database ${display}: it has tables named like headerguard's but no headerguard_schema`,
      );
    }
    if (!versions) {
      // Only on the first start: afterwards the database user needs no right to create tables.
      await client.query(
        `CREATE TABLE headerguard_schema (
           version integer PRIMARY KEY,
           applied_at timestamptz NOT NULL DEFAULT now())`,
      );
    }
    const current = (
      await client.query<{ v: number }>('SELECT coalesce(max(version), 0)::int AS v FROM headerguard_schema')
    ).rows[0]!.v;
    if (current > PG_SCHEMA_VERSION) {
      throw new UserError(
        `cannot use database ${display}: its schema version ${current} is newer than this headerguard's (${PG_SCHEMA_VERSION})`,
      );
    }
    for (let v = current; v < PG_SCHEMA_VERSION; v++) {
      await client.query('BEGIN');
      try {
        await client.query(PG_MIGRATIONS[v]!);
        await client.query('INSERT INTO headerguard_schema (version) VALUES ($1)', [v + 1]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    }
    return PG_SCHEMA_VERSION;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PG_LOCK_KEY]);
  }
}

/**
 * A batch's blocks, one per run, in one statement (its own transaction): each run that has room for all of its
 * block's captures gets the block and its count raised; the runs returned are the ones stored. Each run's
 * transaction lock is taken first, in key order (an output function runs after ORDER BY, PostgreSQL >= 9.6), and
 * a run's row is updated only under its lock, so concurrent batches (of this process or another) touching the
 * same runs wait for each other instead of deadlocking. An advisory lock rather than `FOR UPDATE`: locking the
 * row first wrote it twice, and cost about a tenth of the server's CPU per capture (an A/B of the HTTP bench at
 * 32 and 64 connections: 0.77 and 0.68 against 0.59 and 0.66); its cost is a lock-table slot per run, hence
 * MAX_RUNS_PER_BATCH. Parameters: run ids (ascending), capture counts, per-run limits, blocks.
 */
const INSERT_BATCH_SQL = `WITH input AS (
    SELECT * FROM unnest($1::bigint[], $2::int[], $3::bigint[], string_to_array($4::text, chr(1)))
      AS t(run_id, n, max, captures)),
  locked AS MATERIALIZED (
    SELECT run_id AS id, pg_advisory_xact_lock(${PG_RUN_LOCK_CLASS}, (run_id % 2147483647)::int) FROM input
    ORDER BY run_id % 2147483647),
  r AS (
    UPDATE runs SET captures = runs.captures + i.n FROM input i JOIN locked l ON l.id = i.run_id
    WHERE runs.id = i.run_id AND runs.captures + i.n <= i.max RETURNING runs.id)
  INSERT INTO capture_blocks (run_id, n, captures)
  SELECT i.run_id, i.n, i.captures FROM input i JOIN r ON r.id = i.run_id ORDER BY i.run_id RETURNING run_id`;

/**
 * The parameters of INSERT_BATCH_SQL, written as PostgreSQL reads them, not through the driver's array encoding
 * (which quotes and escapes every element: every `"` of every block). Numbers as array literals; the blocks as
 * one text, separated by U+0001, which JSON.stringify never writes (it escapes every control character).
 */
function batchValues(runs: readonly [number, readonly Queued[]][]): string[] {
  let ids = '';
  let counts = '';
  let limits = '';
  let blocks = '';
  for (let i = 0; i < runs.length; i++) {
    const [runId, group] = runs[i]!;
    const sep = i === 0 ? '' : ',';
    ids += sep + runId;
    counts += sep + group.length;
    limits += sep + group[0]!.maxPerRun;
    blocks += (i === 0 ? '' : BLOCK_SEPARATOR) + encodeBlock(group.map((q) => q.capture));
  }
  return [`{${ids}}`, `{${counts}}`, `{${limits}}`, blocks];
}

const BLOCK_SEPARATOR = '\u0001';

/**
 * The blocks of runs just deleted, in the deleting transaction. A statement of its own, after the runs' DELETE:
 * a batch that held one of those runs' rows has committed by then (the DELETE waited for it), and this
 * statement's snapshot sees its block, where one statement's single snapshot would not.
 */
async function deleteBlocksOf(client: pg.PoolClient, runIds: readonly number[]): Promise<void> {
  if (runIds.length === 0) return;
  await client.query('DELETE FROM capture_blocks WHERE run_id = ANY($1::bigint[])', [
    `{${runIds.join(',')}}`,
  ]);
}

export class PgRunStore implements RunStore {
  readonly location: string;
  readonly schemaVersion: number;
  readonly isWorldReadable = false;
  private readonly pool: pg.Pool;
  private readonly live = new Map<string, LiveRun>();
  private queue: Queued[] = [];
  private scheduled = false;
  /** Queue length at the last turn check, and when the oldest capture queued arrived (performance.now()). */
  private seen = 0;
  private firstAt = 0;
  private inFlight = 0;
  /** Run look-ups and commits under way: what close() waits for. */
  private pending = 0;
  private idle: (() => void)[] = [];
  private closing: Promise<void> | undefined;

  /** Connect, migrate (once across processes), and return the store. Throws UserError. */
  static async open(url: string, display: string, logger: Logger): Promise<PgRunStore> {
    // Loaded here: the driver costs every SQLite start-up a quarter of a second otherwise.
    const driver = (await import('pg')).default;
    const pool = new driver.Pool({
      connectionString: url,
      max: 10,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      types: int8AsNumber(driver),
    });
    // An idle connection the server dropped: logged; the pool opens a new one when next needed.
    pool.on('error', (err) => logger.warn({ error: describeError(err) }, 'database connection lost'));
    // A connection lost while in use also emits 'error' on its client: unheard, that would crash the process.
    // Its query fails on its own (the capture is answered 503, never acknowledged).
    pool.on('connect', (client) => {
      client.on('error', (err) => logger.warn({ error: describeError(err) }, 'database connection lost'));
    });
    let version: number;
    try {
      const client = await pool.connect();
      try {
        version = await migrate(client, display);
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end().catch(() => {});
      throw openError(display, err);
    }
    return new PgRunStore(pool, display, version);
  }

  private constructor(pool: pg.Pool, location: string, schemaVersion: number) {
    this.pool = pool;
    this.location = location;
    this.schemaVersion = schemaVersion;
  }

  private remember(token: string, run: LiveRun): void {
    if (this.live.size >= MAX_REMEMBERED_RUNS) {
      const oldest = this.live.keys().next().value;
      if (oldest !== undefined) this.live.delete(oldest);
    }
    this.live.set(token, run);
  }

  async createRun(run: NewRun): Promise<void> {
    const { rows } = await this.pool.query<{ id: number }>(
      `INSERT INTO runs (${RUN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      runRowValues(run),
    );
    this.remember(run.token, { id: rows[0]!.id, expiresAt: run.expiresAt });
  }

  async getRun(token: string, now: number): Promise<StoredRun | undefined> {
    const { rows } = await this.pool.query<RunRow>(
      'SELECT * FROM runs WHERE token = $1 AND expires_at > $2',
      [token, now],
    );
    return rows[0] ? storedRun(rows[0]) : undefined;
  }

  async listCaptures(token: string): Promise<CaptureRecord[]> {
    const { rows } = await this.pool.query<{ id: number; n: number; captures: string }>(
      `SELECT b.id, b.n, b.captures FROM capture_blocks b JOIN runs r ON r.id = b.run_id
       WHERE r.token = $1 ORDER BY b.id`,
      [token],
    );
    return rows.flatMap((b) => decodeBlock(b.captures, b.id, token, b.n));
  }

  async countCaptures(token: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT coalesce(sum(b.n), 0)::int AS n FROM capture_blocks b JOIN runs r ON r.id = b.run_id
       WHERE r.token = $1`,
      [token],
    );
    return rows[0]!.n;
  }

  async countOpenRuns(now: number): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM runs WHERE expires_at > $1',
      [now],
    );
    return rows[0]!.n;
  }

  async deleteRun(token: string): Promise<boolean> {
    this.live.delete(token);
    return this.inTransaction(async (client) => {
      const { rows } = await client.query<{ id: number }>('DELETE FROM runs WHERE token = $1 RETURNING id', [
        token,
      ]);
      if (rows.length === 0) return false;
      await deleteBlocksOf(client, [rows[0]!.id]);
      return true;
    });
  }

  /** `work` in a transaction on one connection: committed when it resolves, rolled back when it throws. */
  private async inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: unknown;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      broken = err;
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  async purgeExpired(now: number): Promise<PurgeResult> {
    for (const [token, run] of this.live) if (run.expiresAt <= now) this.live.delete(token);
    return this.inTransaction(async (client) => {
      const locked = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [
        PG_PURGE_LOCK_KEY,
      ]);
      // Another process is purging right now; the next turn catches anything it leaves.
      if (!locked.rows[0]!.ok) return { runs: 0, captures: 0 };
      const { rows } = await client.query<{ id: number; captures: number }>(
        'DELETE FROM runs WHERE expires_at <= $1 RETURNING id, captures',
        [now],
      );
      await deleteBlocksOf(
        client,
        rows.map((r) => r.id),
      );
      return { runs: rows.length, captures: rows.reduce((sum, r) => sum + r.captures, 0) };
    });
  }

  async ping(): Promise<boolean> {
    try {
      const { rows } = await this.pool.query<{ ok: number }>('SELECT 1 AS ok');
      return rows[0]?.ok === 1;
    } catch {
      return false;
    }
  }

  capture(capture: PendingCapture, maxPerRun: number, done: CaptureDone): void {
    if (this.closing) {
      done('failed', new Error('the store is closing'));
      return;
    }
    const known = this.live.get(capture.runToken);
    if (known) {
      this.admit(known, capture, maxPerRun, done);
      return;
    }
    // Created by another process, or before this one started: looked up once. Unknown tokens are not remembered.
    this.pending += 1;
    this.pool
      .query<{ id: number; expires_at: number }>('SELECT id, expires_at FROM runs WHERE token = $1', [
        capture.runToken,
      ])
      .then(({ rows }) => {
        const row = rows[0];
        if (!row) {
          done('unknown-run');
          return;
        }
        const run = { id: row.id, expiresAt: row.expires_at };
        this.remember(capture.runToken, run);
        this.admit(run, capture, maxPerRun, done);
      })
      .catch((err: unknown) => done('failed', err))
      .finally(() => this.settled());
  }

  private settled(): void {
    this.pending -= 1;
    if (this.pending === 0 && this.queue.length === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  private admit(run: LiveRun, capture: PendingCapture, maxPerRun: number, done: CaptureDone): void {
    if (run.expiresAt <= capture.receivedAt) {
      done('unknown-run');
      return;
    }
    capture.runId = run.id;
    if (this.queue.length === 0) {
      this.seen = 0;
      this.firstAt = performance.now();
    }
    this.queue.push({ capture, maxPerRun, done });
    // While a commit is in flight, the next starts when it is done (no turn checks meanwhile), unless many wait.
    if (this.inFlight === 0 || this.queue.length >= MIN_CONCURRENT_BATCH) this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.onTurn);
  }

  /**
   * After a turn of the event loop, as SQLite's writer (capture-writer.ts): while captures keep arriving, wait one
   * more turn (at most MAX_WAIT_MS from the oldest queued), so that the requests being read join the commit.
   */
  private readonly onTurn = (): void => {
    this.scheduled = false;
    const queued = this.queue.length;
    if (queued === 0 || (this.inFlight > 0 && queued < MIN_CONCURRENT_BATCH && !this.closing)) return;
    if (
      queued > this.seen &&
      queued < MAX_BATCH &&
      !this.closing &&
      performance.now() - this.firstAt < MAX_WAIT_MS
    ) {
      this.seen = queued;
      this.schedule();
      return;
    }
    this.pump();
  };

  /** Start commits while there is work and room: each takes what is queued when it starts. */
  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < MAX_COMMITS_IN_FLIGHT) {
      if (this.inFlight > 0 && this.queue.length < MIN_CONCURRENT_BATCH && !this.closing) break;
      const batch = this.queue.splice(0, batchLength(this.queue));
      if (this.queue.length > 0) {
        this.seen = 0;
        this.firstAt = performance.now();
      }
      this.inFlight += 1;
      this.pending += 1;
      this.commit(batch).finally(() => {
        this.inFlight -= 1;
        // What arrived during the commit has waited already: it goes at the next turn.
        if (this.queue.length > 0) {
          this.seen = Number.POSITIVE_INFINITY;
          this.schedule();
        }
        this.settled();
      });
    }
  }

  /**
   * Each run's captures of the batch as one block, all in one statement; a run that statement did not store
   * (gone, or without room for all) gets its own transaction. Each capture is answered once its block is
   * committed. Never rejects: a failed commit answers its captures `failed`.
   */
  private async commit(batch: readonly Queued[]): Promise<void> {
    const byRun = new Map<number, Queued[]>();
    for (const q of batch) {
      const group = byRun.get(q.capture.runId);
      if (group) group.push(q);
      else byRun.set(q.capture.runId, [q]);
    }
    const runs = [...byRun].sort(([a], [b]) => a - b);
    let stored: Set<number>;
    try {
      const { rows } = await this.pool.query<{ run_id: number }>({
        // Named: each connection parses and plans it once (prepared), not at every commit.
        name: 'headerguard-insert-batch',
        text: INSERT_BATCH_SQL,
        values: batchValues(runs),
      });
      stored = new Set(rows.map((row) => row.run_id));
    } catch (err) {
      for (const q of batch) q.done('failed', err);
      return;
    }
    const others: [number, Queued[]][] = [];
    for (const entry of runs) {
      if (stored.has(entry[0])) for (const q of entry[1]) q.done('stored');
      else others.push(entry);
    }
    if (others.length > 0)
      await Promise.all(others.map(([runId, group]) => this.storeWhatFits(runId, group)));
  }

  /** A run of a batch that its statement did not store: what fits, in a transaction of its own. */
  private async storeWhatFits(runId: number, group: readonly Queued[]): Promise<void> {
    let outcomes: WriteOutcome[];
    try {
      outcomes = await this.commitWhatFits(
        runId,
        group.map((q) => q.capture),
        group[0]!.maxPerRun,
      );
    } catch (err) {
      for (const q of group) q.done('failed', err);
      return;
    }
    group.forEach((q, i) => {
      q.done(outcomes[i]!);
    });
  }

  /** The run is gone (deleted or purged meanwhile), or has no room for all: store what fits, in a transaction. */
  private async commitWhatFits(
    runId: number,
    captures: readonly PendingCapture[],
    max: number,
  ): Promise<WriteOutcome[]> {
    return this.inTransaction(async (client) => {
      const found = await client.query<{ captures: number }>(
        'SELECT captures FROM runs WHERE id = $1 FOR UPDATE',
        [runId],
      );
      const row = found.rows[0];
      if (!row) {
        // Nothing written: committing the empty transaction ends it as a rollback would.
        for (const c of captures) this.live.delete(c.runToken);
        return captures.map((): WriteOutcome => 'unknown-run');
      }
      const accepted = Math.max(0, Math.min(captures.length, max - row.captures));
      if (accepted > 0) {
        await client.query('UPDATE runs SET captures = captures + $2 WHERE id = $1', [runId, accepted]);
        await client.query('INSERT INTO capture_blocks (run_id, n, captures) VALUES ($1, $2, $3)', [
          runId,
          accepted,
          encodeBlock(captures.slice(0, accepted)),
        ]);
      }
      return captures.map((_, k): WriteOutcome => (k < accepted ? 'stored' : 'run-full'));
    });
  }

  /** Resolves once nothing is queued or being committed. */
  private drained(): Promise<void> {
    if (this.queue.length === 0 && this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.pump();
      await this.drained();
      this.live.clear();
      await this.pool.end();
    })();
    return this.closing;
  }
}

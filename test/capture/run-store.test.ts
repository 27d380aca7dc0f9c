/**
 * The store's behaviour through its one interface, against SQLite and against a real PostgreSQL (a throw-away
 * cluster started for this file: test/support/postgres.ts). Then what only PostgreSQL does: several processes
 * on one database.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import pg from 'pg';
import { buildPlan } from '../../src/capture/plan/probe-plan.ts';
import { newRunToken } from '../../src/capture/plan/run-token.ts';
import { encodeBlock } from '../../src/capture/store/capture-block.ts';
import { toPending } from '../../src/capture/store/capture-store.ts';
import { openRunStore } from '../../src/capture/store/open-run-store.ts';
import { PG_MIGRATIONS, PG_SCHEMA_VERSION } from '../../src/capture/store/pg-schema.ts';
import { RUN_COLUMNS, runRowValues } from '../../src/capture/store/run-row.ts';
import type { RunStore, WriteOutcome } from '../../src/capture/store/run-store.ts';
import type { CaptureRecord } from '../../src/model/capture.ts';
import { UserError } from '../../src/shared/errors.ts';
import { EXIT } from '../../src/shared/exit-codes.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { startPostgres, usePostgres } from '../support/postgres.ts';
import { tempDir } from './helpers.ts';
import { PLAN_ENDPOINT, sampleCapture, sampleRun } from './store-fixtures.ts';

const logger = createLogger('store-test', 'silent');
const endpoint = PLAN_ENDPOINT;

async function newRun(store: RunStore, now: number, ttl: number, meta?: Record<string, unknown>) {
  const run = sampleRun(now, ttl, meta);
  await store.createRun(run);
  return run.token;
}

const capture = sampleCapture;

/** Hand one capture to the store; resolves with its outcome once committed or refused. */
function put(store: RunStore, c: CaptureRecord, maxPerRun = 100): Promise<WriteOutcome> {
  return new Promise((resolve) => store.capture(toPending(c, 0), maxPerRun, (outcome) => resolve(outcome)));
}

interface Backend {
  name: string;
  /** A store on a fresh, empty database; `again()` opens another handle to that same database. */
  fresh(): Promise<{ store: RunStore; again(): Promise<RunStore> }>;
}

// One describe around it all: hooks at a file's top level would be mocha's root hooks, run around every file.
describe('capture store, on SQLite and on PostgreSQL', () => {
  const pgCluster = usePostgres();
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  const backends: Backend[] = [
    {
      name: 'SQLite',
      async fresh() {
        const file = path.join(tmp.dir, 'hg.db');
        return { store: await openRunStore(file, logger), again: () => openRunStore(file, logger) };
      },
    },
    {
      name: 'PostgreSQL',
      async fresh() {
        const url = await pgCluster.cluster().freshDatabase();
        return { store: await openRunStore(url, logger), again: () => openRunStore(url, logger) };
      },
    },
  ];

  for (const backend of backends) {
    describe(`capture store on ${backend.name}`, () => {
      const open: RunStore[] = [];
      const fresh = async () => {
        const f = await backend.fresh();
        open.push(f.store);
        return f;
      };
      afterEach(async () => {
        for (const s of open.splice(0)) await s.close();
      });

      it('round-trips a run and a capture exactly, and keeps them across a reopen', async () => {
        const { store, again } = await fresh();
        const now = Date.now();
        const token = await newRun(store, now, 60_000, { rack: 'r1', n: 2 });
        const c = capture(token);
        assert.equal(await put(store, c), 'stored');
        await store.close();
        const reopened = await again();
        open.push(reopened);
        assert.deepEqual(await reopened.listCaptures(token), [c]);
        assert.equal(await reopened.countCaptures(token), 1);
        const run = await reopened.getRun(token, now);
        assert.deepEqual(run?.meta, { rack: 'r1', n: 2 });
        assert.equal(run?.plan.length, buildPlan(token, endpoint).length);
        assert.equal(run?.expiresAt, now + 60_000);
      });

      it('refuses captures for unknown, expired and full runs', async () => {
        const { store } = await fresh();
        const now = Date.now();
        const live = await newRun(store, now, 60_000);
        const expired = await newRun(store, now - 120_000, 60_000);
        assert.equal(await put(store, capture(newRunToken())), 'unknown-run');
        assert.equal(await put(store, capture(expired)), 'unknown-run');
        assert.equal(await put(store, capture(live), 2), 'stored');
        assert.equal(await put(store, capture(live), 2), 'stored');
        assert.equal(await put(store, capture(live), 2), 'run-full');
        assert.equal((await store.listCaptures(live)).length, 2);
        assert.equal(await store.getRun(expired, now), undefined);
        assert.equal(await store.countCaptures(newRunToken()), 0);
      });

      it('commits captures that arrive together, each counted once, up to the per-run limit', async () => {
        const { store } = await fresh();
        const token = await newRun(store, Date.now(), 60_000);
        const outcomes = await Promise.all(Array.from({ length: 50 }, () => put(store, capture(token), 30)));
        assert.equal(outcomes.filter((o) => o === 'stored').length, 30);
        assert.equal(outcomes.filter((o) => o === 'run-full').length, 20);
        assert.equal(await store.countCaptures(token), 30);
        assert.equal((await store.listCaptures(token)).length, 30);
        // A limit beyond any count (the bench's) is no limit, not an error.
        assert.equal(await put(store, capture(token), Number.MAX_SAFE_INTEGER), 'stored');
      });

      it('stores the blocks of several runs committed together exactly, whatever bytes their headers hold', async () => {
        const { store } = await fresh();
        const now = Date.now();
        const tokens = [await newRun(store, now, 60_000), await newRun(store, now, 60_000)];
        const odd = ['"quoted", {x}', 'back\\slash \\"', '\u0001\u0002\t\u001f', '\u2028 caf\u00e9 ,'];
        const sent = tokens.flatMap((token, r) =>
          odd.map((value, i) => ({
            ...capture(token, i % 2 ? 'img' : 'fetch'),
            headers: [['X-Odd', value] as [string, string], ['X-Run', `${r}`] as [string, string]],
          })),
        );
        // Queued together: one batch, one block per run.
        const outcomes = await Promise.all(sent.map((c) => put(store, c)));
        assert.deepEqual(
          outcomes,
          sent.map(() => 'stored'),
        );
        for (const token of tokens) {
          assert.deepEqual(
            await store.listCaptures(token),
            sent.filter((c) => c.runToken === token),
          );
        }
      });

      it('keeps each run’s captures apart and in arrival order; a deleted run takes no more', async () => {
        const { store } = await fresh();
        const now = Date.now();
        const a = await newRun(store, now, 60_000);
        const b = await newRun(store, now, 60_000);
        for (const [token, probe] of [
          [a, 'nav'],
          [b, 'nav'],
          [a, 'img'],
          [b, 'img'],
          [a, 'fetch'],
        ] as const) {
          assert.equal(await put(store, capture(token, probe)), 'stored');
        }
        assert.deepEqual(
          (await store.listCaptures(a)).map((c) => c.probe),
          ['nav', 'img', 'fetch'],
        );
        assert.deepEqual(
          (await store.listCaptures(b)).map((c) => c.probe),
          ['nav', 'img'],
        );
        assert.equal(await store.deleteRun(a), true);
        assert.equal(await store.deleteRun(a), false);
        assert.equal(await put(store, capture(a)), 'unknown-run');
        assert.deepEqual(await store.listCaptures(a), []);
        assert.equal(await store.getRun(a, now), undefined);
        assert.equal((await store.listCaptures(b)).length, 2);
      });

      it('purges expired runs with their captures and leaves live ones', async () => {
        const { store } = await fresh();
        const now = Date.now();
        const old = await newRun(store, now, 1000);
        const live = await newRun(store, now, 60_000);
        assert.equal(await put(store, capture(old, 'nav', now)), 'stored');
        assert.equal(await put(store, capture(old, 'img', now)), 'stored');
        assert.equal(await put(store, capture(live, 'nav', now)), 'stored');
        assert.deepEqual(await store.purgeExpired(now + 5000), { runs: 1, captures: 2 });
        assert.deepEqual(await store.purgeExpired(now + 5000), { runs: 0, captures: 0 });
        assert.equal((await store.listCaptures(old)).length, 0);
        assert.equal((await store.listCaptures(live)).length, 1);
        assert.equal(await store.ping(), true);
      });

      it('commits what is queued before it closes', async () => {
        const { store, again } = await fresh();
        const token = await newRun(store, Date.now(), 60_000);
        const outcomes = Array.from({ length: 10 }, () => put(store, capture(token)));
        await store.close();
        assert.deepEqual(await Promise.all(outcomes), new Array(10).fill('stored'));
        const reopened = await again();
        open.push(reopened);
        assert.equal(await reopened.countCaptures(token), 10);
      });
    });
  }

  describe('capture store on PostgreSQL: several processes on one database', () => {
    const open: RunStore[] = [];
    const stores = async (n: number): Promise<RunStore[]> => {
      const url = await pgCluster.cluster().freshDatabase();
      const opened = await Promise.all(Array.from({ length: n }, () => openRunStore(url, logger)));
      open.push(...opened);
      return opened;
    };
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
    });

    it('a run created through one is captured by the others and reads the same from each', async () => {
      const [a, b, c] = await stores(3);
      const token = await newRun(a!, Date.now(), 60_000);
      const outcomes = await Promise.all(
        ['nav', 'img', 'fetch', 'nav-tls', 'img-tls', 'fetch-tls'].map((probe, i) =>
          put([a!, b!, c!][i % 3]!, capture(token, probe)),
        ),
      );
      assert.deepEqual(outcomes, new Array(6).fill('stored'));
      const seen = await Promise.all([a!, b!, c!].map((s) => s.listCaptures(token)));
      assert.equal(seen[0]!.length, 6);
      assert.deepEqual(seen[1], seen[0]);
      assert.deepEqual(seen[2], seen[0]);
      assert.deepEqual(new Set(seen[0]!.map((x) => x.probe)).size, 6);
    });

    it('holds the per-run limit across processes, and a run deleted through one is refused by the others', async () => {
      const [a, b] = await stores(2);
      const token = await newRun(a!, Date.now(), 60_000);
      const outcomes = await Promise.all(
        Array.from({ length: 40 }, (_, i) => put(i % 2 === 0 ? a! : b!, capture(token), 25)),
      );
      assert.equal(outcomes.filter((o) => o === 'stored').length, 25);
      assert.equal(await b!.countCaptures(token), 25);
      assert.equal(await b!.deleteRun(token), true);
      assert.equal(await put(a!, capture(token)), 'unknown-run');
      assert.equal(await a!.countCaptures(token), 0);
    });

    it('commits many runs’ captures at once from several processes: each stored once, the limits held', async () => {
      const [a, b] = await stores(2);
      const now = Date.now();
      const tokens: string[] = [];
      for (let i = 0; i < 12; i++) tokens.push(await newRun(a!, now, 60_000));
      // The two processes walk the runs in opposite orders, so their batches hold the same runs in both orders;
      // run 0 stops at 30 captures, so batches mix runs stored in one statement with one that is full.
      const limit = (run: number) => (run === 0 ? 30 : 1000);
      const outcomes = await Promise.all(
        Array.from({ length: 600 }, (_, i) => {
          const run = i % 2 === 0 ? (i >> 1) % 12 : 11 - ((i >> 1) % 12);
          return put(i % 2 === 0 ? a! : b!, capture(tokens[run]!), limit(run)).then((o) => [run, o] as const);
        }),
      );
      assert.deepEqual(
        outcomes.filter(([, o]) => o !== 'stored' && o !== 'run-full'),
        [],
      );
      assert.equal(outcomes.filter(([run, o]) => run === 0 && o === 'stored').length, 30);
      assert.equal(outcomes.filter(([run, o]) => run !== 0 && o !== 'stored').length, 0);
      assert.equal(await b!.countCaptures(tokens[0]!), 30);
      for (const token of tokens.slice(1)) assert.equal(await b!.countCaptures(token), 50);
    });

    it('purges from several processes at once without error, each expired run once', async () => {
      const stores4 = await stores(4);
      const now = Date.now();
      const tokens = [];
      for (let i = 0; i < 6; i++) {
        const token = await newRun(stores4[i % 4]!, now, 1000);
        assert.equal(await put(stores4[(i + 1) % 4]!, capture(token, 'nav', now)), 'stored');
        tokens.push(token);
      }
      const live = await newRun(stores4[0]!, now, 60_000);
      const results = await Promise.all(stores4.map((s) => s.purgeExpired(now + 5000)));
      const again = await stores4[0]!.purgeExpired(now + 5000);
      const total = [...results, again].reduce((sum, r) => sum + r.runs, 0);
      assert.equal(total, 6);
      for (const t of tokens) assert.equal(await stores4[2]!.countCaptures(t), 0);
      assert.notEqual(await stores4[3]!.getRun(live, now), undefined);
    });

    /** Blocks in the database by whether their run is still there (read past the store, which joins runs). */
    async function blocksOf(url: string): Promise<{ kept: number; orphaned: number }> {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query<{ kept: number; orphaned: number }>(
          `SELECT count(*) FILTER (WHERE r.id IS NOT NULL)::int AS kept,
                  count(*) FILTER (WHERE r.id IS NULL)::int AS orphaned
           FROM capture_blocks b LEFT JOIN runs r ON r.id = b.run_id`,
        );
        return rows[0]!;
      } finally {
        await client.end();
      }
    }

    it('stores the captures of more runs at once than one batch holds', async () => {
      const [store] = await stores(1);
      const now = Date.now();
      const tokens: string[] = [];
      for (let i = 0; i < 150; i++) tokens.push(await newRun(store!, now, 60_000));
      const outcomes = await Promise.all(
        tokens.flatMap((t) => [put(store!, capture(t)), put(store!, capture(t))]),
      );
      assert.deepEqual(new Set(outcomes), new Set(['stored']));
      for (const t of [tokens[0]!, tokens[70]!, tokens[149]!]) assert.equal(await store!.countCaptures(t), 2);
    });

    it('deletes a run’s blocks with it, by delete and by purge, also while another process commits to it', async () => {
      const url = await pgCluster.cluster().freshDatabase();
      const [a, b] = await Promise.all([openRunStore(url, logger), openRunStore(url, logger)]);
      open.push(a, b);
      const now = Date.now();
      const deleted = await newRun(a, now, 60_000);
      const expiring = await newRun(a, now, 1000);
      const live = await newRun(a, now, 60_000);
      for (const token of [deleted, expiring, live])
        assert.equal(await put(b, capture(token, 'nav', now)), 'stored');
      // Captures of the run being deleted keep arriving through the other process while it goes.
      const racing = Array.from({ length: 200 }, () => put(b, capture(deleted, 'img', now), 1000));
      const [gone, ...raced] = await Promise.all([a.deleteRun(deleted), ...racing]);
      assert.equal(gone, true);
      // Each racing capture was stored before the run went, or refused after: none failed.
      assert.deepEqual(
        raced.filter((o) => o !== 'stored' && o !== 'unknown-run'),
        [],
      );
      assert.deepEqual(await a.purgeExpired(now + 5000), { runs: 1, captures: 1 });
      assert.deepEqual(await blocksOf(url), { kept: 1, orphaned: 0 });
      assert.equal(await b.countCaptures(live), 1);
    });

    it('migrates a version-1 database: its captures kept, its foreign key dropped', async () => {
      const url = await pgCluster.cluster().freshDatabase();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(
          'CREATE TABLE headerguard_schema (version integer PRIMARY KEY, applied_at timestamptz)',
        );
        await client.query(PG_MIGRATIONS[0]!);
        await client.query('INSERT INTO headerguard_schema (version) VALUES (1)');
        // A run with one stored capture, as version 1 wrote them.
        const run = sampleRun(Date.now(), 60_000);
        const token = run.token;
        const { rows: ids } = await client.query<{ id: number }>(
          `INSERT INTO runs (${RUN_COLUMNS}, captures) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1) RETURNING id`,
          runRowValues(run),
        );
        await client.query('INSERT INTO capture_blocks (run_id, n, captures) VALUES ($1, 1, $2)', [
          ids[0]!.id,
          encodeBlock([toPending(capture(token), ids[0]!.id)]),
        ]);
        const store = await openRunStore(url, logger);
        open.push(store);
        assert.equal(store.schemaVersion, PG_SCHEMA_VERSION);
        assert.equal(await store.countCaptures(token), 1);
        const { rows } = await client.query(
          `SELECT conname FROM pg_constraint WHERE conrelid = 'capture_blocks'::regclass AND contype = 'f'`,
        );
        assert.deepEqual(rows, []);
      } finally {
        await client.end();
      }
    });

    it('runs each migration once when several processes start together, and records its version', async () => {
      const url = await pgCluster.cluster().freshDatabase();
      const opened = await Promise.all(Array.from({ length: 5 }, () => openRunStore(url, logger)));
      open.push(...opened);
      for (const s of opened) assert.equal(s.schemaVersion, PG_SCHEMA_VERSION);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query('SELECT version FROM headerguard_schema ORDER BY version');
        assert.deepEqual(
          rows.map((r) => r.version),
          Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => i + 1),
        );
      } finally {
        await client.end();
      }
    });

    it('refuses a database from a newer headerguard, and one with our table names but no version', async () => {
      const newer = await pgCluster.cluster().freshDatabase();
      const foreign = await pgCluster.cluster().freshDatabase();
      const first = await openRunStore(newer, logger);
      await first.close();
      const client = new pg.Client({ connectionString: newer });
      await client.connect();
      await client.query('INSERT INTO headerguard_schema (version) VALUES ($1)', [PG_SCHEMA_VERSION + 1]);
      await client.end();
      await assert.rejects(
        openRunStore(newer, logger),
        (err: unknown) =>
          err instanceof UserError &&
          err.message ===
            `cannot use database ${newer}: its schema version ${PG_SCHEMA_VERSION + 1} is newer than this headerguard's (${PG_SCHEMA_VERSION})`,
      );
      const other = new pg.Client({ connectionString: foreign });
      await other.connect();
      await other.query('CREATE TABLE runs (x int)');
      await other.end();
      await assert.rejects(
        openRunStore(foreign, logger),
        (err: unknown) =>
          err instanceof UserError && /it has tables named like headerguard's/.test(err.message),
      );
    });

    it('names an unreachable or missing database in one line, its password masked', async () => {
      const { url } = pgCluster.cluster();
      const port = new URL(url).port;
      await assert.rejects(
        openRunStore('postgres://hg:s3cret-pw@127.0.0.1:1/hg', logger),
        (err: unknown) =>
          err instanceof UserError &&
          err.exitCode === EXIT.broken &&
          err.message === 'cannot reach database postgres://hg:***@127.0.0.1:1/hg: ECONNREFUSED',
      );
      await assert.rejects(
        openRunStore(`postgresql://postgres:s3cret-pw@127.0.0.1:${port}/no_such_db`, logger),
        (err: unknown) =>
          err instanceof UserError &&
          err.exitCode === EXIT.usage &&
          err.message ===
            `cannot use database postgresql://postgres:***@127.0.0.1:${port}/no_such_db: no such database`,
      );
      await assert.rejects(
        openRunStore('postgres://hg:s3cret-pw@/', logger),
        (err: unknown) =>
          err instanceof UserError &&
          err.exitCode === EXIT.usage &&
          !err.message.includes('s3cret') &&
          err.message.startsWith('--db postgres://hg:***@/ '),
      );
    });
  });

  describe('capture store on PostgreSQL: the database goes away', () => {
    it('fails closed: captures are not acknowledged, ping says no, and the process keeps running', async function () {
      this.timeout(120_000);
      const own = await startPostgres();
      let store: RunStore | undefined;
      try {
        store = await openRunStore(await own.freshDatabase(), logger);
        const token = await newRun(store, Date.now(), 60_000);
        assert.equal(await put(store, capture(token, 'nav')), 'stored');
        own.stop();
        assert.equal(await put(store, capture(token, 'img')), 'failed');
        assert.equal(await put(store, capture(newRunToken())), 'failed');
        assert.equal(await store.ping(), false);
        await assert.rejects(store.listCaptures(token));
      } finally {
        own.stop();
        await store?.close();
      }
    });
  });
});

/**
 * Memory and file size over a long life with retention running: drives the capture store (no HTTP) through
 * `--captures` captures (1,000,000) with a simulated clock, as a busy endpoint would see them: a run of
 * `--per-run` captures (16, the plan) every simulated second, runs expiring after `--retention-s` simulated seconds
 * (1,000: about 1,000 runs live at once), the purge every 60 simulated seconds as the endpoint runs it. Prints
 * RSS, heap and the database's size every tenth of the way; both must level off once the first runs expire, not
 * grow with the captures written.
 *
 * Stores (`--store`): `sqlite` (default), a file, a run committed per transaction, with the endpoint's checkpoint
 * worker (every 250 ms), the size being the main file + WAL; `postgres`, a throw-away cluster
 * (scripts/postgres-cluster.ts) and the store `serve --db postgres://…` runs (group commit: eight runs in flight),
 * the size being `pg_database_size`. PostgreSQL reclaims deleted rows with autovacuum, which runs on the real
 * clock while this bench's runs a thousand times faster: its cluster looks every second
 * (`autovacuum_naptime=1`), where the default minute would leave it a tenth of the bench.
 *
 *   node --expose-gc --import tsx bench/retention.bench.ts [--store sqlite|postgres] [--captures 1000000]
 *     [--per-run 16] [--retention-s 1000]
 *
 * A measurement, not a test: with --strict it exits 1 when the last tenth's RSS or file size is more than 1.5x
 * its value at the first tenth after retention started (steady state).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type PgCluster, startPostgres } from '../scripts/postgres-cluster.ts';
import { buildPlan, newCanary } from '../src/capture/plan/probe-plan.ts';
import { newRunToken } from '../src/capture/plan/run-token.ts';
import { CaptureStore, type PendingCapture } from '../src/capture/store/capture-store.ts';
import { Checkpointer } from '../src/capture/store/checkpointer.ts';
import { PgRunStore } from '../src/capture/store/pg-store.ts';
import type { NewRun } from '../src/capture/store/run-row.ts';
import { createLogger } from '../src/shared/logger.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  const n = i === -1 ? fallback : Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
};
const CAPTURES = arg('captures', 1_000_000);
const PER_RUN = arg('per-run', 16);
const RETENTION_MS = arg('retention-s', 1000) * 1000;
const PURGE_EVERY_MS = 60_000;
const STRICT = args.includes('--strict');
const storeIndex = args.indexOf('--store');
const STORE = storeIndex === -1 ? 'sqlite' : args[storeIndex + 1];
if (STORE !== 'sqlite' && STORE !== 'postgres') throw new Error('--store must be sqlite or postgres');
/** PostgreSQL: runs committed at once (each its own simulated second), so that group commit has work to share. */
const RUNS_IN_FLIGHT = 8;

/** The 14-header handset request of the capture bench, as rawHeaders. */
const RAW_HEADERS = [
  'User-Agent',
  'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  'Accept',
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
  'Accept-Language',
  'en-GB,en;q=0.9',
  'Accept-Encoding',
  'gzip, deflate',
  'sec-ch-ua',
  '"Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"',
  'sec-ch-ua-mobile',
  '?1',
  'sec-ch-ua-platform',
  '"Android"',
  'Sec-Fetch-Site',
  'same-origin',
  'Sec-Fetch-Mode',
  'cors',
  'Sec-Fetch-Dest',
  'empty',
  'Via',
  '1.1 gateway.example (squid)',
  'X-Forwarded-For',
  '10.12.34.56',
  'x-up-calling-line-id',
  '447700900123',
];

const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
const endpoint = {
  probeHost: 'probe.localhost',
  partnerHost: 'partner.localhost',
  ports: { main: 80, alt: 8080, https: 443 },
};

/** A capture of a run before its store gives it the run's id. */
type RunCapture = Omit<PendingCapture, 'runId'>;

/** One store as the bench drives it. */
interface Target {
  label: string;
  createRun(run: NewRun): Promise<void>;
  /** Resolves once every capture is committed; rejects when one is refused or fails. */
  store(captures: readonly RunCapture[], now: number): Promise<void>;
  purge(now: number): Promise<number>;
  openRuns(now: number): Promise<number>;
  /** The database's size in bytes, and how it is made up. */
  size(): Promise<{ bytes: number; detail: string }>;
  close(): Promise<void>;
}

function sqliteTarget(): Target {
  const dir = mkdtempSync(path.join(tmpdir(), 'hg-retention-'));
  const dbPath = path.join(dir, 'retention.db');
  const fileSize = (p: string) => {
    try {
      return statSync(p).size;
    } catch {
      return 0;
    }
  };
  const store = CaptureStore.open(dbPath);
  const checkpointer = new Checkpointer(dbPath, 250, (code) => console.error(`checkpoint failed: ${code}`));
  return {
    label: 'SQLite, a run per transaction, checkpoints every 250 ms',
    async createRun(run) {
      store.createRun(run);
    },
    async store(captures, now) {
      const batch = captures.map((c) => {
        const runId = store.admit(c.runToken, now, 2000);
        if (typeof runId !== 'number') throw new Error(`run refused: ${runId}`);
        return { ...c, runId };
      });
      store.insert(batch);
    },
    async purge(now) {
      return store.purgeExpired(now).runs;
    },
    async openRuns(now) {
      return store.countOpenRuns(now);
    },
    async size() {
      const wal = fileSize(`${dbPath}-wal`);
      return { bytes: fileSize(dbPath) + wal, detail: `WAL ${mib(wal)}` };
    },
    async close() {
      await checkpointer.stop();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresTarget(): Promise<Target> {
  let cluster: PgCluster | undefined;
  let client: pg.Client | undefined;
  let store: PgRunStore | undefined;
  try {
    cluster = await startPostgres({ autovacuum_naptime: '1' });
    const url = await cluster.freshDatabase();
    store = await PgRunStore.open(url, 'bench', createLogger('retention-bench', 'warn'));
    client = new pg.Client({ connectionString: url });
    await client.connect();
  } catch (err) {
    await store?.close();
    cluster?.stop();
    throw err;
  }
  const s = store;
  const c = client;
  const stopCluster = cluster.stop;
  return {
    label: `PostgreSQL, ${RUNS_IN_FLIGHT} runs in flight (group commit), autovacuum_naptime 1 s`,
    createRun: (run) => s.createRun(run),
    store: (captures) =>
      Promise.all(
        captures.map(
          (capture) =>
            new Promise<void>((resolve, reject) =>
              s.capture({ ...capture, runId: 0 }, 2000, (outcome, err) =>
                outcome === 'stored' ? resolve() : reject(err ?? new Error(`capture ${outcome}`)),
              ),
            ),
        ),
      ).then(() => {}),
    purge: async (now) => (await s.purgeExpired(now)).runs,
    openRuns: (now) => s.countOpenRuns(now),
    async size() {
      const { rows } = await c.query<{ db: string; blocks: string; runs: string }>(
        `SELECT pg_database_size(current_database()) AS db,
                pg_total_relation_size('capture_blocks') AS blocks, pg_total_relation_size('runs') AS runs`,
      );
      const r = rows[0]!;
      return {
        bytes: Number(r.db),
        detail: `capture_blocks ${mib(Number(r.blocks))}, runs ${mib(Number(r.runs))}`,
      };
    },
    async close() {
      await c.end();
      await s.close();
      stopCluster();
    },
  };
}

const target = STORE === 'postgres' ? await postgresTarget() : sqliteTarget();
const samples: { written: number; rss: number; heap: number; file: number; live: number }[] = [];
try {
  console.log(
    `retention bench: ${CAPTURES.toLocaleString('en')} captures, ${PER_RUN} per run, a run per simulated second, ` +
      `retention ${RETENTION_MS / 1000} s, purge every ${PURGE_EVERY_MS / 1000} s (simulated), Node ${process.version}; ` +
      `${target.label}`,
  );
  const t0 = performance.now();
  let now = Date.parse('2026-01-01T00:00:00Z');
  let lastPurge = now;
  let written = 0;
  let purgedRuns = 0;
  let nextSample = CAPTURES / 10;
  const oneRun = async (run: number, at: number, count: number) => {
    const token = newRunToken();
    const plan = buildPlan(token, endpoint);
    await target.createRun({
      token,
      handset: `handset-${run % 50}`,
      bearer: 'o2',
      plan,
      canary: newCanary(),
      createdAt: at,
      expiresAt: at + RETENTION_MS,
    });
    const captures: RunCapture[] = [];
    for (let i = 0; i < count; i++) {
      const probe = plan[i % plan.length]!;
      captures.push({
        runToken: token,
        probe: probe.probe,
        listener: probe.listener,
        tls: probe.tls,
        httpVersion: '1.1',
        method: 'GET',
        url: new URL(probe.url).pathname,
        host: 'probe.localhost',
        remoteAddress: '10.12.34.56',
        remotePort: 40000 + (i % 20000),
        connectionId: `bench-main-${run}`,
        connectionRequestIndex: i + 1,
        receivedAt: at,
        rawHeaders: RAW_HEADERS,
      });
    }
    await target.store(captures, at);
  };
  const inFlight = STORE === 'postgres' ? RUNS_IN_FLIGHT : 1;
  for (let run = 0; written < CAPTURES; ) {
    const group: Promise<void>[] = [];
    for (let k = 0; k < inFlight && written < CAPTURES; k++, run++) {
      now += 1000;
      const count = Math.min(PER_RUN, CAPTURES - written);
      written += count;
      group.push(oneRun(run, now, count));
    }
    await Promise.all(group);
    if (now - lastPurge >= PURGE_EVERY_MS) {
      purgedRuns += await target.purge(now);
      lastPurge = now;
    }
    if (written >= nextSample) {
      nextSample += CAPTURES / 10;
      // With --expose-gc, heap is what is live, not what the collector has not reached yet.
      (globalThis as { gc?: () => void }).gc?.();
      const m = process.memoryUsage();
      const size = await target.size();
      const sample = {
        written,
        rss: m.rss,
        heap: m.heapUsed,
        file: size.bytes,
        live: await target.openRuns(now),
      };
      samples.push(sample);
      console.log(
        `  ${written.toLocaleString('en').padStart(9)} captures: RSS ${mib(sample.rss)} MiB, heap ${mib(sample.heap)} MiB, ` +
          `database ${mib(sample.file)} MiB (${size.detail}), ${sample.live} open runs, ` +
          `${purgedRuns} runs purged, ${((performance.now() - t0) / 1000).toFixed(0)} s`,
      );
    }
  }
  // Steady state: the first sample after the first runs expired, against the last.
  const expiresAfter = (RETENTION_MS / 1000 + PURGE_EVERY_MS / 1000) * PER_RUN;
  const steady = samples.find((s) => s.written > expiresAfter) ?? samples[0]!;
  const last = samples.at(-1)!;
  const rssGrowth = last.rss / steady.rss;
  const fileGrowth = last.file / steady.file;
  console.log(
    `from ${steady.written.toLocaleString('en')} to ${last.written.toLocaleString('en')} captures: RSS x${rssGrowth.toFixed(2)}, ` +
      `database x${fileGrowth.toFixed(2)} (bounded: each at most x1.5) ${rssGrowth <= 1.5 && fileGrowth <= 1.5 ? 'ok' : 'GROWING'}`,
  );
  if (STRICT && (rssGrowth > 1.5 || fileGrowth > 1.5)) process.exitCode = 1;
} finally {
  await target.close();
}

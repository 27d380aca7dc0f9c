/**
 * Memory and file size over a long life with retention running: drives the capture store (no HTTP) through
 * `--captures` captures (1,000,000) on a SQLite file with a simulated clock, as a busy endpoint would see them:
 * a run of `--per-run` captures (16, the plan) every simulated second, committed a run per transaction, runs
 * expiring after `--retention-s` simulated seconds (1,000: about 1,000 runs live at once), the purge every 60
 * simulated seconds as the endpoint runs it, and the endpoint's checkpoint worker (every 250 ms). Prints RSS, heap and the database's size (main file + WAL) every
 * tenth of the way; both must level off once the first runs expire, not grow with the captures written.
 *
 *   node --expose-gc --import tsx bench/retention.bench.ts [--captures 1000000] [--per-run 16] [--retention-s 1000]
 *
 * A measurement, not a test: with --strict it exits 1 when the last tenth's RSS or file size is more than 1.5x
 * its value at the first tenth after retention started (steady state).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildPlan, newCanary } from '../src/capture/plan/probe-plan.ts';
import { newRunToken } from '../src/capture/plan/run-token.ts';
import { CaptureStore, type PendingCapture } from '../src/capture/store/capture-store.ts';
import { Checkpointer } from '../src/capture/store/checkpointer.ts';

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

const dir = mkdtempSync(path.join(tmpdir(), 'hg-retention-'));
const dbPath = path.join(dir, 'retention.db');
const size = (p: string) => {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
};
const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
const endpoint = {
  probeHost: 'probe.localhost',
  partnerHost: 'partner.localhost',
  ports: { main: 80, alt: 8080, https: 443 },
};

const store = CaptureStore.open(dbPath);
const checkpointer = new Checkpointer(dbPath, 250, (code) => console.error(`checkpoint failed: ${code}`));
const samples: { written: number; rss: number; heap: number; file: number; live: number }[] = [];
try {
  console.log(
    `retention bench: ${CAPTURES.toLocaleString('en')} captures, ${PER_RUN} per run, a run per simulated second, ` +
      `retention ${RETENTION_MS / 1000} s, purge every ${PURGE_EVERY_MS / 1000} s (simulated), Node ${process.version}`,
  );
  const t0 = performance.now();
  let now = Date.parse('2026-01-01T00:00:00Z');
  let lastPurge = now;
  let written = 0;
  let purgedRuns = 0;
  let nextSample = CAPTURES / 10;
  for (let run = 0; written < CAPTURES; run++) {
    now += 1000;
    const token = newRunToken();
    const plan = buildPlan(token, endpoint);
    store.createRun({
      token,
      handset: `handset-${run % 50}`,
      bearer: 'o2',
      plan,
      canary: newCanary(),
      createdAt: now,
      expiresAt: now + RETENTION_MS,
    });
    const batch: PendingCapture[] = [];
    for (let i = 0; i < PER_RUN && written + batch.length < CAPTURES; i++) {
      const runId = store.admit(token, now, 2000);
      if (typeof runId !== 'number') throw new Error(`run refused: ${runId}`);
      const probe = plan[i % plan.length]!;
      batch.push({
        runId,
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
        receivedAt: now,
        rawHeaders: RAW_HEADERS,
      });
    }
    store.insert(batch);
    written += batch.length;
    if (now - lastPurge >= PURGE_EVERY_MS) {
      purgedRuns += store.purgeExpired(now).runs;
      lastPurge = now;
    }
    if (written >= nextSample) {
      nextSample += CAPTURES / 10;
      // With --expose-gc, heap is what is live, not what the collector has not reached yet.
      (globalThis as { gc?: () => void }).gc?.();
      const m = process.memoryUsage();
      const sample = {
        written,
        rss: m.rss,
        heap: m.heapUsed,
        file: size(dbPath) + size(`${dbPath}-wal`),
        live: store.countOpenRuns(now),
      };
      samples.push(sample);
      console.log(
        `  ${written.toLocaleString('en').padStart(9)} captures: RSS ${mib(sample.rss)} MiB, heap ${mib(sample.heap)} MiB, ` +
          `database ${mib(sample.file)} MiB (WAL ${mib(size(`${dbPath}-wal`))}), ${sample.live} open runs, ` +
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
  await checkpointer.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
}

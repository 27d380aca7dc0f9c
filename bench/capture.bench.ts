/**
 * Committed probe captures per second, against a bare Node http server that only echoes headers: same machine,
 * same run, loopback only, a few seconds each, at several numbers of concurrent connections. Each target runs in
 * its own process; autocannon runs here.
 *
 *   node --import tsx bench/capture.bench.ts [--seconds 5] [--rounds 3] [--connections 10,50,100] [--strict]
 *
 * "Committed" is counted in the SQLite file itself, after the endpoint has stopped (the warm-up and the measured
 * window write to two different runs), not from responses.
 * Prints, per number of connections, both rates and the median of the per-round ratios; then the capacity ratio:
 * the endpoint's best rate over the sweep against the bare server's best rate over the sweep, against the goal
 * (0.8). With --strict, exits 1 below it (a measurement, not a test: by default it never fails `npm run bench`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CaptureStore } from '../src/capture/store/capture-store.ts';

interface AutocannonResult {
  duration: number;
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  requests: { total: number };
  latency: { p50: number; p99: number };
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const GOAL = 0.8;
const args = process.argv.slice(2);
const argList = (name: string, fallback: string): number[] => {
  const i = args.indexOf(`--${name}`);
  const text = i === -1 ? fallback : String(args[i + 1]);
  const values = text.split(',').map(Number);
  if (values.some((n) => !Number.isInteger(n) || n < 1 || n > 500))
    throw new Error(`--${name} must be integers from 1 to 500, separated by commas`);
  return values;
};
const arg = (name: string, fallback: number) => {
  const values = argList(name, String(fallback));
  if (values.length !== 1) throw new Error(`--${name} takes one number`);
  return values[0]!;
};
const SECONDS = arg('seconds', 5);
const ROUNDS = arg('rounds', 3);
const LEVELS = argList('connections', '10,50,100');
const STRICT = args.includes('--strict');
const WARMUP_SECONDS = 1;

const here = path.dirname(fileURLToPath(import.meta.url));

/** A handset's request as a carrier gateway forwards it (what the endpoint stores per capture). */
const HEADERS: Record<string, string> = {
  'User-Agent':
    'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
  'Accept-Language': 'en-GB,en;q=0.9',
  'Accept-Encoding': 'gzip, deflate',
  'sec-ch-ua': '"Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"',
  'sec-ch-ua-mobile': '?1',
  'sec-ch-ua-platform': '"Android"',
  'Sec-Fetch-Site': 'same-origin',
  'Sec-Fetch-Mode': 'cors',
  'Sec-Fetch-Dest': 'empty',
  Referer: 'http://probe.localhost/p/token/nav',
  Via: '1.1 gateway.example (squid)',
  'X-Forwarded-For': '10.12.34.56',
  'x-up-calling-line-id': '447700900123',
};

interface Target {
  child: ChildProcess;
  port: number;
  /** Capture target: a run for the warm-up and a run for the measured window. */
  tokens?: [string, string];
}

function startTarget(mode: 'bare' | 'capture', dbPath?: string): Promise<Target> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(here, 'capture-target.ts'), mode, ...(dbPath ? [dbPath] : [])],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${mode} target did not start`)), 20_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /READY (\d+)(?: (\S+) (\S+))?\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          child,
          port: Number(m[1]),
          ...(m[2] && m[3] ? { tokens: [m[2], m[3]] as [string, string] } : {}),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`${mode} target exited with ${code}`)));
  });
}

function stopTarget(t: Target): Promise<void> {
  return new Promise((resolve) => {
    if (t.child.exitCode !== null) {
      resolve();
      return;
    }
    t.child.once('exit', () => resolve());
    t.child.stdin!.end();
    setTimeout(() => t.child.kill('SIGKILL'), 5000).unref();
  });
}

function load(url: string, connections: number, seconds: number): Promise<AutocannonResult> {
  return autocannon({ url, connections, pipelining: 1, duration: seconds, headers: HEADERS });
}

/** Captures of one run in the database file, read after the endpoint has stopped. */
function countCaptures(dbPath: string, token: string): number {
  const store = CaptureStore.open(dbPath);
  try {
    return store.countCaptures(token);
  } finally {
    store.close();
  }
}

async function benchBare(connections: number): Promise<number> {
  const t = await startTarget('bare');
  try {
    const url = `http://127.0.0.1:${t.port}/p/token/fetch`;
    await load(url, connections, WARMUP_SECONDS);
    const r = await load(url, connections, SECONDS);
    if (r.errors || r.non2xx || r.timeouts)
      throw new Error(`bare server: ${r.errors} errors, ${r.non2xx} non-2xx`);
    return r['2xx'] / r.duration;
  } finally {
    await stopTarget(t);
  }
}

async function benchCapture(
  dir: string,
  connections: number,
  round: number,
): Promise<{ rate: number; ackRate: number; p99: number }> {
  const dbPath = path.join(dir, `capture-${connections}-${round}.db`);
  const t = await startTarget('capture', dbPath);
  const [warmup, measured] = t.tokens!;
  let r: AutocannonResult;
  try {
    await load(`http://127.0.0.1:${t.port}/p/${warmup}/fetch`, connections, WARMUP_SECONDS);
    r = await load(`http://127.0.0.1:${t.port}/p/${measured}/fetch`, connections, SECONDS);
  } finally {
    await stopTarget(t);
  }
  const committed = countCaptures(dbPath, measured);
  if (r.errors || r.non2xx || r.timeouts)
    throw new Error(`capture endpoint: ${r.errors} errors, ${r.non2xx} non-2xx`);
  if (committed < r['2xx'])
    throw new Error(`only ${committed} of ${r['2xx']} acknowledged captures were committed`);
  return { rate: committed / r.duration, ackRate: r['2xx'] / r.duration, p99: r.latency.p99 };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const fmt = (n: number) => n.toFixed(0).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');

interface Level {
  connections: number;
  bare: number[];
  capture: number[];
  ratios: number[];
}

const dir = mkdtempSync(path.join(tmpdir(), 'hg-bench-'));
try {
  console.log(
    `capture endpoint bench: loopback, ${LEVELS.join('/')} connections, ${SECONDS} s per run, ${ROUNDS} rounds, ` +
      `${cpus().length} CPUs, Node ${process.version}`,
  );
  const levels: Level[] = LEVELS.map((connections) => ({ connections, bare: [], capture: [], ratios: [] }));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const level of levels) {
      // Both targets back to back at the same concurrency, so a noisy neighbour hits both.
      const b = await benchBare(level.connections);
      const c = await benchCapture(dir, level.connections, round);
      level.bare.push(b);
      level.capture.push(c.rate);
      level.ratios.push(c.rate / b);
      console.log(
        `  round ${round}, ${level.connections} connections: bare echo ${fmt(b)} req/s; capture ${fmt(c.rate)} ` +
          `committed captures/s (${fmt(c.ackRate)} acknowledged/s, p99 ${c.p99} ms); ratio ${(c.rate / b).toFixed(2)}`,
      );
    }
  }
  console.log(
    'connections | bare echo req/s (mean) | committed captures/s (mean) | ratio (median of rounds)',
  );
  for (const level of levels) {
    console.log(
      `${String(level.connections).padStart(11)} | ${fmt(mean(level.bare)).padStart(22)} | ` +
        `${fmt(mean(level.capture)).padStart(27)} | ${median(level.ratios).toFixed(2)}`,
    );
  }
  // Capacity: what each server sustains at its best concurrency in this sweep (medians resist one noisy round).
  const best = (pick: (l: Level) => number[]) =>
    levels.reduce((top, l) => (median(pick(l)) > median(pick(top)) ? l : top));
  const bestBare = best((l) => l.bare);
  const bestCapture = best((l) => l.capture);
  const ratio = median(bestCapture.capture) / median(bestBare.bare);
  console.log(
    `capacity: capture endpoint ${fmt(median(bestCapture.capture))} committed captures/s ` +
      `(${bestCapture.connections} connections; SQLite WAL, synchronous=NORMAL) vs bare echo ` +
      `${fmt(median(bestBare.bare))} req/s (${bestBare.connections} connections)`,
  );
  console.log(`ratio: ${ratio.toFixed(2)} (goal >= ${GOAL}) ${ratio >= GOAL ? 'ok' : 'BELOW GOAL'}`);
  if (STRICT && ratio < GOAL) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}

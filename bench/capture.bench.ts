/**
 * Committed probe captures per second, against a bare Node http server that only echoes headers: same machine,
 * same run, loopback only, a few seconds each, at several numbers of concurrent connections. Each target runs in
 * its own process; autocannon runs here. Two scenarios, each against the bare echo in the same round:
 *   best        one open run, one probe path (`fetch`) — the endpoint's best case;
 *   realistic   `--runs` open runs (200), every plain-HTTP probe of the main listener in plan proportions (one
 *               each per run: nav, img, fetch, same-conn, new-conn, partner, canary; `same-conn` closes its
 *               connection, at the bare echo too), spread over the runs, with p99 latency.
 *
 *   node --import tsx bench/capture.bench.ts [--mode best|realistic|both] [--store sqlite|postgres|both]
 *     [--seconds 5] [--rounds 3] [--connections 10,50,100] [--mix-connections 10,32,64] [--runs 200]
 *     [--probes nav,img,…] [--strict]
 *
 * Stores: `sqlite` (a new file per measurement) and `postgres` (a throw-away cluster for the whole bench,
 * scripts/postgres-cluster.ts, and a new database per measurement). Default `both` when PostgreSQL's binaries are
 * installed, else `sqlite` (and one line says PostgreSQL was left out); `--store postgres` without them is an
 * error. Each store's endpoint is measured against the same bare echo of the same round, back to back.
 * "Committed" is counted in the database itself, after the endpoint has stopped (the warm-up and the measured
 * window write to two different sets of runs), not from responses.
 * Each target's CPU time over the measured window (procfs) gives CPU per request: the CPU ratio (bare echo's CPU
 * per request over the endpoint's per committed capture) says what the endpoint costs even when neighbours on a
 * shared machine take the throughput. For PostgreSQL the endpoint's figure is its own process; the server's
 * backends' CPU per capture is printed beside it (`+ N µs in PostgreSQL`), not in the ratio. Each measured line
 * also says what the machine spent meanwhile: the load generator's own CPU per request (autocannon, this process,
 * on the same cores as the targets) and how many cores were busy (all processes, from /proc/stat; the share the
 * hypervisor stole when above 0.5%): a ratio read with the cores all busy is the machine's as much as the target's.
 * Prints, per number of connections, both rates and the median of the per-round ratios; then the capacity ratio:
 * the endpoint's best rate over the sweep against the bare server's best rate over the sweep, against the goal
 * (0.8). With --strict, exits 1 below it (a measurement, not a test: by default it never fails `npm run bench`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compiledBuild } from '../bin/build-cache.js';
import { type PgCluster, postgresBin, startPostgres } from '../scripts/postgres-cluster.ts';
import { openRunStore } from '../src/capture/store/open-run-store.ts';
import { createLogger } from '../src/shared/logger.ts';

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
const MIX_LEVELS = argList('mix-connections', '10,32,64');
const RUNS = arg('runs', 200);
const argText = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : String(args[i + 1]);
};
const MODE = argText('mode', 'both');
if (!['best', 'realistic', 'both'].includes(MODE)) throw new Error('--mode must be best, realistic or both');
/** The plain-HTTP probes of the main listener, one each per run as the plan has them. */
const MIX = argText('probes', 'nav,img,fetch,same-conn,new-conn,partner,canary').split(',');
/** p99 goal at 32 connections on the realistic mix, ms. */
const P99_GOAL_MS = 20;
const STRICT = args.includes('--strict');
type StoreKind = 'sqlite' | 'postgres';
const STORE_ARG = argText('store', postgresBin() ? 'both' : 'sqlite');
if (!['sqlite', 'postgres', 'both'].includes(STORE_ARG))
  throw new Error('--store must be sqlite, postgres or both');
const STORES: StoreKind[] = STORE_ARG === 'both' ? ['sqlite', 'postgres'] : [STORE_ARG as StoreKind];
if (STORES.includes('postgres') && !postgresBin())
  throw new Error('--store postgres: PostgreSQL is not installed (scripts/install-system-deps.sh)');
const STORE_NAMES: Record<StoreKind, string> = {
  sqlite: 'SQLite (WAL, synchronous=NORMAL)',
  postgres: 'PostgreSQL (local cluster, fsync=off)',
};
const WARMUP_SECONDS = 1;

const here = path.dirname(fileURLToPath(import.meta.url));
/**
 * The targets run compiled, as `headerguard serve` does (bin/build-cache.js): measured through tsx, the endpoint
 * would pay for what only tsx adds (keepNames' `__name` per closure, source-map support).
 */
const TARGET_SCRIPT = path.join(
  await compiledBuild({
    root: path.dirname(here),
    name: 'bench',
    entryPoints: { 'capture-target': 'bench/capture-target.ts' },
  }),
  'capture-target.js',
);

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
  /** Capture target: the runs for the warm-up and the runs for the measured window. */
  tokens?: [string[], string[]];
}

/** What autocannon sends: one run and `fetch` (best case), or every mix probe of many runs (realistic). */
interface Scenario {
  name: 'best' | 'realistic';
  runs: number;
  /** Request paths for these run tokens, in the order they are sent (cycled). */
  paths: (tokens: readonly string[]) => string[];
}

const SCENARIOS: Record<Scenario['name'], Scenario> = {
  best: { name: 'best', runs: 1, paths: (tokens) => [`/p/${tokens[0]}/fetch`] },
  realistic: {
    name: 'realistic',
    runs: RUNS,
    // Run by run, as handsets load their plans; concurrent connections spread over many runs at once.
    paths: (tokens) => tokens.flatMap((token) => MIX.map((probe) => `/p/${token}/${probe}`)),
  },
};

function startTarget(mode: 'bare' | 'capture', db?: string, runs = 1): Promise<Target> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TARGET_SCRIPT, mode, ...(db ? [db, String(runs)] : [])], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${mode} target did not start`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /READY (\d+)(?: (\S+) (\S+))?\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          child,
          port: Number(m[1]),
          ...(m[2] && m[3] ? { tokens: [m[2].split(','), m[3].split(',')] as [string[], string[]] } : {}),
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

/** What autocannon's client is to setupClient (its own fields, autocannon 8.0.0, pinned). */
interface AutocannonClient {
  on(event: 'headers', listener: (info: { shouldKeepAlive: boolean }) => void): void;
  _doRequest(...args: unknown[]): unknown;
  _connect(...args: unknown[]): unknown;
}

/**
 * A response that closes its connection (`same-conn`) is the last one sent on it. autocannon 8 writes the next
 * request on that connection anyway; the request is lost with the socket but stays first in its queue, so every
 * later response on the client is timed from it (measured: a bare server closing every 7th response read p50
 * 171 ms, p99 333 ms; with this, p50 0 ms, p99 11 ms, every request answered). Here a client whose response said
 * `Connection: close` sends nothing more until it has reconnected, as a browser does.
 */
function waitForReconnectAfterClose(client: AutocannonClient): void {
  const doRequest = client._doRequest;
  const connect = client._connect;
  let closing = false;
  client.on('headers', (info) => {
    if (!info.shouldKeepAlive) closing = true;
  });
  client._doRequest = function (this: AutocannonClient, ...rest: unknown[]) {
    return closing ? undefined : doRequest.apply(this, rest);
  };
  client._connect = function (this: AutocannonClient, ...rest: unknown[]) {
    closing = false;
    return connect.apply(this, rest);
  };
}

function load(port: number, paths: readonly string[], connections: number, seconds: number) {
  let next = 0;
  return autocannon({
    url: `http://127.0.0.1:${port}${paths[0]}`,
    connections,
    pipelining: 1,
    duration: seconds,
    headers: HEADERS,
    setupClient: waitForReconnectAfterClose,
    ...(paths.length > 1
      ? {
          requests: [
            {
              setupRequest: (req: { path: string }) => {
                req.path = paths[next++ % paths.length]!;
                return req;
              },
            },
          ],
        }
      : {}),
  });
}

/** Captures of the given runs in the database, read after the endpoint has stopped. */
async function countCaptures(db: string, tokens: readonly string[]): Promise<number> {
  const store = await openRunStore(db, createLogger('bench', 'silent'));
  try {
    let n = 0;
    for (const token of tokens) n += await store.countCaptures(token);
    return n;
  } finally {
    await store.close();
  }
}

interface Measured {
  rate: number;
  ackRate: number;
  p99: number;
  /** CPU time (user + system) the target spent per request in the measured window, µs: robust to neighbours. */
  cpuUs: number;
  /** PostgreSQL only: CPU time of the server's processes per committed capture, µs. */
  dbCpuUs?: number;
  /** The whole machine over the measured window: the load generator (this process) and every core. */
  machine: MachineUse;
}

/** What the machine spent over a measured window. */
interface MachineUse {
  /** This process's CPU (autocannon, the load generator) per request answered, µs. */
  loadGenUs: number;
  /** Cores busy on average (all processes, the kernel too), out of `cpus().length`. */
  coresBusy: number;
  /** Share of the window's CPU time the hypervisor gave to others (procfs `steal`), 0..1. */
  steal: number;
}

/** The machine's CPU counters since boot (the first line of /proc/stat, clock ticks), summed over its cores. */
function machineTicks(): { busy: number; total: number; steal: number } {
  try {
    const fields = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]!
      .trim()
      .split(/\s+/)
      .slice(1, 9)
      .map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = fields as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    return {
      busy: user + nice + system + irq + softirq,
      total: user + nice + system + idle + iowait + irq + softirq + steal,
      steal,
    };
  } catch {
    return { busy: 0, total: 0, steal: 0 }; // not Linux
  }
}

/** Start watching the machine; the returned function ends the window for `requests` answered. */
function watchMachine(): (requests: number) => MachineUse {
  const t0 = machineTicks();
  const u0 = process.cpuUsage();
  return (requests) => {
    const t1 = machineTicks();
    const u = process.cpuUsage(u0);
    const total = t1.total - t0.total;
    return {
      loadGenUs: (u.user + u.system) / Math.max(1, requests),
      coresBusy: total > 0 ? ((t1.busy - t0.busy) / total) * cpus().length : 0,
      steal: total > 0 ? (t1.steal - t0.steal) / total : 0,
    };
  };
}

const machineText = (m: MachineUse) =>
  `load generator ${m.loadGenUs.toFixed(1)} µs CPU/request; ${m.coresBusy.toFixed(2)} of ${cpus().length} cores busy` +
  (m.steal >= 0.005 ? `, ${(m.steal * 100).toFixed(0)}% stolen` : '');

/** Fields of /proc/<pid>/stat after the command name (state is [0], ppid [1], utime [11], stime [12]). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // gone meanwhile
  }
}

/** A process's CPU time so far, µs (Linux procfs; clock ticks of 10 ms). */
function cpuTimeUs(pid: number): number {
  const fields = statFields(pid);
  if (!fields) throw new Error(`process ${pid} is gone`);
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** CPU time so far of a PostgreSQL server: the postmaster and its children (backends, writers), µs. */
function clusterCpuUs(postmaster: number): number {
  let total = cpuTimeUs(postmaster);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields && Number(fields[1]) === postmaster)
      total += (Number(fields[11]) + Number(fields[12])) * 10_000;
  }
  return total;
}

async function benchBare(scenario: Scenario, connections: number): Promise<Measured> {
  const t = await startTarget('bare');
  try {
    const fake = Array.from({ length: scenario.runs }, (_, i) => `token${i}`);
    const paths = scenario.paths(fake);
    await load(t.port, paths, connections, WARMUP_SECONDS);
    const cpu0 = cpuTimeUs(t.child.pid!);
    const window = watchMachine();
    const r = await load(t.port, paths, connections, SECONDS);
    const machine = window(r['2xx']);
    const cpuUs = (cpuTimeUs(t.child.pid!) - cpu0) / r['2xx'];
    if (r.errors || r.non2xx || r.timeouts)
      throw new Error(`bare server: ${r.errors} errors, ${r.non2xx} non-2xx`);
    return {
      rate: r['2xx'] / r.duration,
      ackRate: r['2xx'] / r.duration,
      p99: r.latency.p99,
      cpuUs,
      machine,
    };
  } finally {
    await stopTarget(t);
  }
}

/** Where each store's measurements go: a folder for SQLite files, a cluster for PostgreSQL databases. */
interface Stores {
  dir: string;
  cluster?: PgCluster;
}

/** A new, empty database of this store for one measurement. */
async function freshDb(stores: Stores, store: StoreKind, name: string): Promise<string> {
  if (store === 'sqlite') return path.join(stores.dir, `${name}.db`);
  return stores.cluster!.freshDatabase();
}

async function benchCapture(
  stores: Stores,
  store: StoreKind,
  scenario: Scenario,
  connections: number,
  round: number,
): Promise<Measured> {
  const db = await freshDb(stores, store, `capture-${scenario.name}-${connections}-${round}`);
  const t = await startTarget('capture', db, scenario.runs);
  const [warmup, measured] = t.tokens!;
  const dbCpu = () => (stores.cluster && store === 'postgres' ? clusterCpuUs(stores.cluster.pid()) : 0);
  let r: AutocannonResult;
  let cpu: number;
  let dbCpuUs: number;
  let machine: MachineUse;
  try {
    await load(t.port, scenario.paths(warmup), connections, WARMUP_SECONDS);
    const cpu0 = cpuTimeUs(t.child.pid!);
    const db0 = dbCpu();
    const window = watchMachine();
    r = await load(t.port, scenario.paths(measured), connections, SECONDS);
    machine = window(r['2xx']);
    cpu = cpuTimeUs(t.child.pid!) - cpu0;
    dbCpuUs = dbCpu() - db0;
  } finally {
    await stopTarget(t);
  }
  const committed = await countCaptures(db, measured);
  if (r.errors || r.non2xx || r.timeouts)
    throw new Error(`capture endpoint (${store}): ${r.errors} errors, ${r.non2xx} non-2xx`);
  if (committed < r['2xx'])
    throw new Error(`${store}: only ${committed} of ${r['2xx']} acknowledged captures were committed`);
  return {
    rate: committed / r.duration,
    ackRate: r['2xx'] / r.duration,
    p99: r.latency.p99,
    cpuUs: cpu / r['2xx'],
    ...(store === 'postgres' ? { dbCpuUs: dbCpuUs / r['2xx'] } : {}),
    machine,
  };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const fmt = (n: number) => n.toFixed(0).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');

/** One store's figures at one level, a value per round. */
interface StoreFigures {
  capture: number[];
  ratios: number[];
  p99: number[];
  /** Per round: bare CPU per request over the endpoint's CPU per committed capture. */
  cpuRatios: number[];
  /** PostgreSQL only: the server's CPU per committed capture, µs. */
  dbCpuUs: number[];
}

interface Level {
  connections: number;
  bare: number[];
  bareP99: number[];
  stores: Record<StoreKind, StoreFigures>;
}

const noFigures = (): StoreFigures => ({ capture: [], ratios: [], p99: [], cpuRatios: [], dbCpuUs: [] });

/** Every round of one scenario over its levels; prints each round and a table per store; returns the levels. */
async function sweep(stores: Stores, scenario: Scenario, counts: readonly number[]): Promise<Level[]> {
  const levels: Level[] = counts.map((connections) => ({
    connections,
    bare: [],
    bareP99: [],
    stores: { sqlite: noFigures(), postgres: noFigures() },
  }));
  console.log(
    scenario.name === 'best'
      ? '== best case: one open run, one probe path (fetch)'
      : `== realistic: ${scenario.runs} open runs, probes ${MIX.join(', ')} in plan proportions`,
  );
  for (let round = 1; round <= ROUNDS; round++) {
    for (const level of levels) {
      // The bare echo and each store's endpoint back to back at the same concurrency: a noisy neighbour hits all.
      const b = await benchBare(scenario, level.connections);
      level.bare.push(b.rate);
      level.bareP99.push(b.p99);
      console.log(
        `  round ${round}, ${level.connections} connections: bare echo ${fmt(b.rate)} req/s (p99 ${b.p99} ms, ` +
          `${b.cpuUs.toFixed(1)} µs CPU/request; ${machineText(b.machine)})`,
      );
      for (const store of STORES) {
        const c = await benchCapture(stores, store, scenario, level.connections, round);
        const f = level.stores[store];
        f.capture.push(c.rate);
        f.p99.push(c.p99);
        f.ratios.push(c.rate / b.rate);
        f.cpuRatios.push(b.cpuUs / c.cpuUs);
        if (c.dbCpuUs !== undefined) f.dbCpuUs.push(c.dbCpuUs);
        const inDb = c.dbCpuUs === undefined ? '' : ` + ${c.dbCpuUs.toFixed(1)} µs in PostgreSQL`;
        console.log(
          `    ${store}: ${fmt(c.rate)} committed captures/s (${fmt(c.ackRate)} acknowledged/s, p99 ${c.p99} ms, ` +
            `${c.cpuUs.toFixed(1)} µs CPU/capture${inDb}; ${machineText(c.machine)}); ` +
            `ratio ${(c.rate / b.rate).toFixed(2)}, CPU ratio ${(b.cpuUs / c.cpuUs).toFixed(2)}`,
        );
      }
    }
  }
  for (const store of STORES) {
    console.log(`${scenario.name}, ${STORE_NAMES[store]}:`);
    console.log(
      'connections | bare echo req/s (mean) | committed captures/s (mean) | ratio (median of rounds) | CPU ratio | p99 ms (median; bare)',
    );
    for (const level of levels) {
      const f = level.stores[store];
      console.log(
        `${String(level.connections).padStart(11)} | ${fmt(mean(level.bare)).padStart(22)} | ` +
          `${fmt(mean(f.capture)).padStart(27)} | ${median(f.ratios).toFixed(2).padStart(24)} | ` +
          `${median(f.cpuRatios).toFixed(2).padStart(9)} | ${median(f.p99)} (${median(level.bareP99)})` +
          (f.dbCpuUs.length ? ` | PostgreSQL ${median(f.dbCpuUs).toFixed(1)} µs CPU/capture` : ''),
      );
    }
  }
  return levels;
}

/** Capacity: what each server sustains at its best concurrency in a sweep (medians resist one noisy round). */
function capacity(levels: readonly Level[], store: StoreKind): { ratio: number; line: string } {
  const best = (pick: (l: Level) => number[]) =>
    levels.reduce((top, l) => (median(pick(l)) > median(pick(top)) ? l : top));
  const bestBare = best((l) => l.bare);
  const bestCapture = best((l) => l.stores[store].capture);
  const ratio = median(bestCapture.stores[store].capture) / median(bestBare.bare);
  return {
    ratio,
    line:
      `capture endpoint ${fmt(median(bestCapture.stores[store].capture))} committed captures/s ` +
      `(${bestCapture.connections} connections; ${STORE_NAMES[store]}) vs bare echo ` +
      `${fmt(median(bestBare.bare))} req/s (${bestBare.connections} connections)`,
  };
}

/** Prints each store's capacity ratio (and the realistic p99 at 32 connections) against the goals; true if met. */
function verdict(scenario: Scenario, levels: readonly Level[]): boolean {
  let met = true;
  for (const store of STORES) {
    const { ratio, line } = capacity(levels, store);
    console.log(`${scenario.name} capacity, ${store}: ${line}`);
    console.log(
      `${scenario.name} ratio, ${store}: ${ratio.toFixed(2)} (goal >= ${GOAL}) ${ratio >= GOAL ? 'ok' : 'BELOW GOAL'}`,
    );
    met &&= ratio >= GOAL;
    const at32 = levels.find((l) => l.connections === 32);
    if (scenario.name === 'realistic' && at32) {
      const p99 = median(at32.stores[store].p99);
      console.log(
        `realistic p99 at 32 connections, ${store}: ${p99} ms (goal < ${P99_GOAL_MS} ms) ` +
          `${p99 < P99_GOAL_MS ? 'ok' : 'ABOVE GOAL'}`,
      );
      met &&= p99 < P99_GOAL_MS;
    }
  }
  return met;
}

const dir = mkdtempSync(path.join(tmpdir(), 'hg-bench-'));
let cluster: PgCluster | undefined;
try {
  console.log(
    `capture endpoint bench: loopback, ${SECONDS} s per run, ${ROUNDS} rounds, ${cpus().length} CPUs, ` +
      `Node ${process.version}, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}; stores: ${STORES.map((s) => STORE_NAMES[s]).join(', ')}`,
  );
  if (STORE_ARG === 'sqlite' && !args.includes('--store'))
    console.log('PostgreSQL left out: its binaries are not installed (scripts/install-system-deps.sh)');
  if (STORES.includes('postgres')) cluster = await startPostgres();
  const stores: Stores = { dir, ...(cluster ? { cluster } : {}) };
  let met = true;
  // Each sweep runs and prints its verdict whatever the other's was.
  if (MODE !== 'realistic') met = verdict(SCENARIOS.best, await sweep(stores, SCENARIOS.best, LEVELS)) && met;
  if (MODE !== 'best')
    met = verdict(SCENARIOS.realistic, await sweep(stores, SCENARIOS.realistic, MIX_LEVELS)) && met;
  if (STRICT && !met) process.exitCode = 1;
} finally {
  cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}

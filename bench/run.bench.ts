/**
 * Wall time of the simulated farm, each handset's overhead over bare browsing of the same pages, and where the
 * time goes, step by step.
 *
 *   node --import tsx bench/run.bench.ts [--rounds N] [--strict] [-- headerguard run flags…]
 *
 * Baseline (same machine, same run): Playwright opens the same probe page in the same Debian Chromium with the
 * same device emulation, straight at the embedded capture endpoint (no WebdriverIO, no simulator, no verdict),
 * and waits for the page to report completion (browser launch included). The suite: `headerguard run` on
 * devices/simulated.ts; a handset's time in the suite runs from its WDIO worker's start (process, session,
 * browser) to its judged result (plan browsed through the simulator, captures polled, verdict). Figures are
 * printed as seconds and as ratios against the baseline.
 *
 * Each round runs the farm twice: as `headerguard run` runs it (handsets at once, by default as many as the
 * machine holds), for the farm's time to its verdict; and one handset at a time (`--max-parallel 1`), for each
 * handset's overhead, which only means something when the handset has the machine to itself, as the bare
 * browser had (three browsers at once on two cores each take longer, and Chromium spends ~30% more CPU).
 * With `--max-parallel` among the run flags, only the farm as given runs, and both figures come from it.
 *
 * Steps come from HEADERGUARD_TIMINGS (src/run/timing.ts): every process of the run appends a line per step.
 * Goals: per-handset overhead < 1.0 s, and the farm's time to its verdict <= 2x bare browsing of all three.
 * `--strict` exits 1 when a goal is missed (by default the bench only reports).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, devices } from 'playwright-core';
import { CaptureClient, startLocalCaptureServer } from '../src/capture/index.ts';
import type { HandsetResult } from '../src/run/handset-result.ts';
import { PROJECT_ROOT } from '../src/run/session.ts';
import { TIMINGS_ENV, type TimingLine } from '../src/run/timing.ts';
import { CHROMIUM, CHROMIUM_FLAGS } from '../src/shared/chromium.ts';

process.env.HEADERGUARD_LOG_LEVEL ??= 'warn';
const argv = process.argv.slice(2);
const dashDash = argv.indexOf('--');
const own = dashDash >= 0 ? argv.slice(0, dashDash) : argv;
const runArgs = dashDash >= 0 ? argv.slice(dashDash + 1) : [];
const rounds = Number(own[own.indexOf('--rounds') + 1]) || 2;
const STRICT = own.includes('--strict');
const DEVICES = ['Pixel 7', 'iPhone 14', 'Galaxy S9+'];
const GOAL_OVERHEAD_S = 1.0;
const GOAL_RATIO = 2;

async function bareBrowse(device: string): Promise<number> {
  const server = await startLocalCaptureServer({ apiKey: 'bench' });
  try {
    const client = new CaptureClient(server.apiBaseUrl, 'bench');
    const t0 = performance.now();
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [...CHROMIUM_FLAGS],
    });
    const context = await browser.newContext({ ...devices[device], ignoreHTTPSErrors: true });
    const page = await context.newPage();
    const run = await client.createRun({ handset: 'bench', bearer: 'o2' });
    await page.goto(run.startUrl);
    await page.waitForFunction(() => document.body?.dataset.complete === 'true', undefined, {
      timeout: 30_000,
    });
    const elapsed = performance.now() - t0;
    await browser.close();
    return elapsed / 1000;
  } finally {
    await server.close();
  }
}

/** Each step is the time between two marks, in seconds; `process-start` is the process's own start. */
type Step = [from: string, to: string, label: string];
const WORKER_STEPS: Step[] = [
  ['process-start', 'worker-code-start', 'worker boot (node, loaders, WDIO runner)'],
  ['worker-code-start', 'config-loaded', 'wdio.conf in the worker (load, session)'],
  ['config-loaded', 'before-session', 'WDIO services and hooks'],
  ['before-session', 'spec-loaded', 'framework and spec load'],
  ['spec-loaded', 'session-ready', 'driver and browser session start'],
  ['session-ready', 'run-created', 'create run (API)'],
  ['run-created', 'page-opened', 'open probe page (through the simulator)'],
  ['page-opened', 'page-complete', 'wait for the page to complete (poll)'],
  ['page-complete', 'captures-complete', 'wait for every capture (poll)'],
  ['captures-complete', 'judged', 'judge'],
  ['process-start', 'judged', 'total: worker start to verdict'],
];
const LAUNCHER_STEPS: Step[] = [
  ['process-start', 'launcher-code-start', 'CLI boot (node, tsx, CLI modules)'],
  ['launcher-code-start', 'session-planned', 'load and validate the farm, plan'],
  ['session-planned', 'config-loaded', 'WDIO launcher and wdio.conf load'],
  ['config-loaded', 'prepare-start', 'WDIO launcher setup'],
  // Started while the WDIO launcher loads (src/run/held-infrastructure.ts): what is left of it to wait for.
  ['prepare-start', 'infrastructure-ready', 'onPrepare: endpoint, simulators, driver ready'],
  ['infrastructure-ready', 'all-judged', 'workers, until every handset is judged'],
  ['all-judged', 'table-printed', 'verdict: summary, junit, table'],
  ['infrastructure-ready', 'workers-done', 'workers, until the last one has ended'],
  ['allure-start', 'allure-done', 'Allure report generation'],
  ['process-start', 'table-printed', 'total: start to verdict table'],
  ['process-start', 'launcher-done', 'total: start to WDIO launcher done'],
];

type Steps = Record<string, number>;

function stepDurations(lines: TimingLine[], steps: Step[]): Steps {
  const at = new Map<string, number>();
  for (const l of lines) if (!at.has(l.step)) at.set(l.step, l.at);
  const out: Steps = {};
  for (const [from, to, label] of steps) {
    const a = at.get(from);
    const b = at.get(to);
    if (a !== undefined && b !== undefined) out[label] = (b - a) / 1000;
  }
  return out;
}

interface SuiteRound {
  wall: number;
  /** Until the verdict table was printed: what a person or CI waits for to know the result. */
  toVerdict: number;
  perHandset: Record<string, number>;
  handsetSteps: Record<string, Steps>;
  launcherSteps: Steps;
}

async function suite(args: readonly string[]): Promise<SuiteRound> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hg-bench-'));
  const timings = path.join(dir, 'timings.jsonl');
  try {
    const output: Buffer[] = [];
    const t0 = performance.timeOrigin + performance.now();
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(
        process.execPath,
        [path.join(PROJECT_ROOT, 'bin', 'headerguard.js'), 'run', '--report-dir', dir, ...args],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          cwd: PROJECT_ROOT,
          env: { ...process.env, HEADERGUARD_SESSION: '', [TIMINGS_ENV]: timings },
        },
      );
      child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
      child.on('close', resolve);
    });
    const wall = (performance.timeOrigin + performance.now() - t0) / 1000;
    if (code !== 0)
      throw new Error(
        `headerguard run ${args.join(' ')} exited ${code}:\n${Buffer.concat(output).toString()}`,
      );
    const runId = (await readdir(dir)).find((n) => n !== 'timings.jsonl')!;
    const perHandset: Record<string, number> = {};
    const deviceOf: Record<string, string> = {};
    const handsetDir = path.join(dir, runId, '.handsets');
    for (const f of await readdir(handsetDir)) {
      const r = JSON.parse(await readFile(path.join(handsetDir, f), 'utf8')) as HandsetResult;
      perHandset[r.device] = (Date.parse(r.finishedAt) - Date.parse(r.workerStartedAt)) / 1000;
      deviceOf[r.id] = r.device;
    }
    // An older headerguard (compared with --rounds against a checkout of it) writes no timings.
    const lines = (await readFile(timings, 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as TimingLine);
    const launcherLines = lines.filter((l) => l.role === 'launcher');
    const handsetSteps: Record<string, Steps> = {};
    for (const [id, device] of Object.entries(deviceOf)) {
      handsetSteps[device] = stepDurations(
        lines.filter((l) => l.role === 'worker' && l.handset === id),
        WORKER_STEPS,
      );
    }
    const printed = launcherLines.find((l) => l.step === 'table-printed');
    const toVerdict = printed ? (printed.at - t0) / 1000 : Number.NaN;
    return {
      wall,
      toVerdict,
      perHandset,
      handsetSteps,
      launcherSteps: stepDurations(launcherLines, LAUNCHER_STEPS),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : Number.NaN;
const fmt = (s: number) => (Number.isNaN(s) ? '-' : s.toFixed(2));

const bare: Record<string, number[]> = {};
const farmRounds: SuiteRound[] = [];
const aloneRounds: SuiteRound[] = [];
const oneAtATime = !runArgs.includes('--max-parallel');
for (let r = 0; r < rounds; r++) {
  for (const d of DEVICES) bare[d] = [...(bare[d] ?? []), await bareBrowse(d)];
  farmRounds.push(await suite(runArgs));
  if (oneAtATime) aloneRounds.push(await suite([...runArgs, '--max-parallel', '1']));
}
const handsetRounds = oneAtATime ? aloneRounds : farmRounds;
const bareTotal = DEVICES.reduce((sum, d) => sum + median(bare[d]!), 0);
const wall = median(farmRounds.map((s) => s.wall));
const toVerdict = median(farmRounds.map((s) => s.toVerdict));
console.log(
  `rounds: ${rounds}, cores: ${os.availableParallelism()}, load average: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}${runArgs.length ? `, run flags: ${runArgs.join(' ')}` : ''}`,
);
console.log(`bare browsing of the same pages, 3 devices one after another: ${bareTotal.toFixed(2)} s`);
console.log(
  `simulated farm (headerguard run, 3 handsets): verdict printed after ${fmt(toVerdict)} s (ratio ${(toVerdict / bareTotal).toFixed(2)}), exit after ${fmt(wall)} s (ratio ${(wall / bareTotal).toFixed(2)})`,
);
// Each round's own ratio (its farm against its own bare browsing): how far one round lands from the median, on
// a machine whose neighbours move both.
const roundBare = (r: number) => DEVICES.reduce((sum, d) => sum + bare[d]![r]!, 0);
const roundRatios = (rs: SuiteRound[]) => rs.map((s, r) => (s.toVerdict / roundBare(r)).toFixed(2)).join(' ');
console.log(
  `  farm to verdict against the same round's bare browsing, round by round: ${roundRatios(farmRounds)}`,
);
if (oneAtATime) {
  const alone = median(aloneRounds.map((s) => s.toVerdict));
  console.log(
    `the same, one handset at a time (--max-parallel 1): verdict printed after ${fmt(alone)} s (ratio ${(alone / bareTotal).toFixed(2)})`,
  );
  console.log(`  round by round: ${roundRatios(aloneRounds)}`);
}

const inFarm = (d: string) => median(farmRounds.map((r) => r.perHandset[d] ?? Number.NaN));
console.log(
  `\nhandset                 bare (s)  in suite (s)  overhead (s)  ratio${oneAtATime ? '  in the farm, at once (s)' : ''}`,
);
const overheads: number[] = [];
for (const d of DEVICES) {
  const b = median(bare[d]!);
  const s = median(handsetRounds.map((r) => r.perHandset[d] ?? Number.NaN));
  overheads.push(s - b);
  console.log(
    `${d.padEnd(22)}  ${fmt(b).padStart(8)}  ${fmt(s).padStart(12)}  ${fmt(s - b).padStart(12)}  ${(s / b).toFixed(2).padStart(5)}${oneAtATime ? fmt(inFarm(d)).padStart(26) : ''}`,
  );
}
console.log(
  `\nper-handset steps, median seconds over ${rounds} round(s)${oneAtATime ? ', one handset at a time' : ''}`,
);
console.log(`${'step'.padEnd(46)}${DEVICES.map((d) => d.padStart(11)).join('')}`);
for (const [, , label] of WORKER_STEPS) {
  const cells = DEVICES.map((d) =>
    fmt(median(handsetRounds.map((r) => r.handsetSteps[d]?.[label] ?? Number.NaN))).padStart(11),
  );
  console.log(`${label.padEnd(46)}${cells.join('')}`);
}
console.log('\nlauncher steps of the farm as run, median seconds');
for (const [, , label] of LAUNCHER_STEPS) {
  const s = median(farmRounds.map((r) => r.launcherSteps[label] ?? Number.NaN));
  console.log(`${label.padEnd(46)}${fmt(s).padStart(11)}  (${(s / bareTotal).toFixed(2)} x bare)`);
}

const worstOverhead = Math.max(...overheads);
const overheadOk = worstOverhead < GOAL_OVERHEAD_S;
const ratioOk = toVerdict / bareTotal <= GOAL_RATIO;
console.log(
  `\ngoal per-handset overhead < ${GOAL_OVERHEAD_S.toFixed(1)} s${oneAtATime ? ' (one at a time)' : ''}: ${overheadOk ? 'met' : 'NOT met'} (worst ${fmt(worstOverhead)} s)`,
);
console.log(
  `goal farm to verdict <= ${GOAL_RATIO}x bare: ${ratioOk ? 'met' : 'NOT met'} (${(toVerdict / bareTotal).toFixed(2)}x; to exit, Allure included: ${(wall / bareTotal).toFixed(2)}x)`,
);
if (STRICT && !(overheadOk && ratioOk)) process.exitCode = 1;

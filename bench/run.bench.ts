/**
 * Wall time of the simulated farm, and each handset's overhead over bare browsing of the same pages.
 *
 *   node --import tsx bench/run.bench.ts [--rounds N]
 *
 * Baseline (same machine, same run): Playwright opens the same probe page in the same Debian Chromium with the
 * same device emulation, straight at the embedded capture endpoint (no WebdriverIO, no simulator, no verdict),
 * and waits for the page to report completion (browser launch included). The suite: `headerguard run` on
 * devices/simulated.ts; a handset's time in the suite runs from its WDIO worker's start (process, session,
 * browser) to its judged result (plan browsed through the simulator, captures polled, verdict). Figures are
 * printed as seconds and as ratios against the baseline.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, devices } from 'playwright-core';
import { CaptureClient, startLocalCaptureServer } from '../src/capture/index.ts';
import type { HandsetResult } from '../src/run/handset-result.ts';
import { PROJECT_ROOT } from '../src/run/session.ts';
import { CHROMIUM, CHROMIUM_FLAGS } from '../src/shared/chromium.ts';

process.env.HEADERGUARD_LOG_LEVEL ??= 'warn';
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 2;
const DEVICES = ['Pixel 7', 'iPhone 14', 'Galaxy S9+'];

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

async function suite(): Promise<{ wall: number; perHandset: Record<string, number> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hg-bench-'));
  try {
    const t0 = performance.now();
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(
        process.execPath,
        [path.join(PROJECT_ROOT, 'bin', 'headerguard.js'), 'run', '--report-dir', dir],
        {
          stdio: 'ignore',
          cwd: PROJECT_ROOT,
        },
      );
      child.on('close', resolve);
    });
    const wall = (performance.now() - t0) / 1000;
    if (code !== 0) throw new Error(`headerguard run exited ${code}`);
    const [runId] = await readdir(dir);
    const perHandset: Record<string, number> = {};
    const handsetDir = path.join(dir, runId!, '.handsets');
    for (const f of await readdir(handsetDir)) {
      const r = JSON.parse(await readFile(path.join(handsetDir, f), 'utf8')) as HandsetResult;
      perHandset[r.device] = (Date.parse(r.finishedAt) - Date.parse(r.workerStartedAt)) / 1000;
    }
    return { wall, perHandset };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const bare: Record<string, number[]> = {};
const inSuite: Record<string, number[]> = {};
const walls: number[] = [];
for (let r = 0; r < rounds; r++) {
  for (const d of DEVICES) {
    bare[d] = [...(bare[d] ?? []), await bareBrowse(d)];
  }
  const s = await suite();
  walls.push(s.wall);
  for (const [d, t] of Object.entries(s.perHandset)) inSuite[d] = [...(inSuite[d] ?? []), t];
}
const bareTotal = DEVICES.reduce((sum, d) => sum + median(bare[d]!), 0);
console.log(`rounds: ${rounds}, cores: ${os.availableParallelism()}`);
console.log(`simulated farm wall time (headerguard run, 3 handsets): ${median(walls).toFixed(1)} s`);
console.log(`bare browsing of the same pages, 3 devices one after another: ${bareTotal.toFixed(1)} s`);
console.log(`ratio wall / bare: ${(median(walls) / bareTotal).toFixed(2)}`);
console.log('handset                 bare (s)  in suite (s)  overhead (s)');
for (const d of DEVICES) {
  const b = median(bare[d]!);
  const s = median(inSuite[d] ?? [Number.NaN]);
  console.log(
    `${d.padEnd(22)}  ${b.toFixed(2).padStart(8)}  ${s.toFixed(2).padStart(12)}  ${(s - b).toFixed(2).padStart(12)}`,
  );
}

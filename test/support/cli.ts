import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunSummary } from '../../src/report/summary.ts';
import { runSummarySchema } from '../../src/report/summary-schema.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A spawned process whose output is collected as it comes. */
export interface Spawned {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code once the process has closed its output. */
  exit: Promise<number | null>;
}

/** Spawn `command args` (from the project root unless told), collecting stdout and stderr. */
export function spawnCollected(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; detached?: boolean } = {},
): Spawned {
  const child = spawn(command, args, {
    cwd: options.cwd ?? ROOT,
    detached: options.detached ?? false,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    err += d;
  });
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

/** Run `headerguard ARGS` as a user would (bin/headerguard.js through node), bounded by a timeout. */
export async function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): Promise<CliResult> {
  const run = spawnCollected(process.execPath, [path.join(ROOT, 'bin', 'headerguard.js'), ...args], {
    ...(options.cwd ? { cwd: options.cwd } : {}),
    env: { ...process.env, HEADERGUARD_SESSION: '', ...options.env },
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      run.child.kill('SIGKILL');
      reject(new Error(`headerguard ${args.join(' ')} timed out\n${run.stdout()}\n${run.stderr()}`));
    }, options.timeoutMs ?? 120_000);
  });
  try {
    const code = await Promise.race([run.exit, timedOut]);
    return { code, stdout: run.stdout(), stderr: run.stderr() };
  } finally {
    clearTimeout(timer);
  }
}

/** Every file below dir, recursively. */
export async function filesBelow(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesBelow(p)));
    else out.push(p);
  }
  return out;
}

/** Files below dir whose bytes contain any of the needles (identifiers that must never be written). */
export async function filesContaining(dir: string, needles: readonly string[]): Promise<string[]> {
  const hits: string[] = [];
  for (const file of await filesBelow(dir)) {
    const text = (await readFile(file)).toString('latin1');
    if (needles.some((n) => text.includes(n))) hits.push(path.relative(dir, file));
  }
  return hits;
}

/**
 * The one summary.json below a report dir, checked against the schema the writer uses (every end-to-end run's
 * real summary is validated this way).
 */
export async function summaryIn(dir: string): Promise<RunSummary> {
  const files = (await filesBelow(dir)).filter((f) => f.endsWith('summary.json'));
  assert.equal(files.length, 1, `one summary.json under the report dir, found ${files.length}`);
  const parsed = runSummarySchema.safeParse(JSON.parse(await readFile(files[0]!, 'utf8')));
  assert.ok(parsed.success, `summary.json matches its schema: ${parsed.error?.message}`);
  return parsed.data;
}

/**
 * `headerguard run --farm FILE` with `--max-parallel N` into `reportDir` (generous timeout: an end-to-end run on
 * a loaded machine); the exit code must be `code`. Resolves with the result and the summary's handsets by id.
 */
export async function runFarm(
  farmFile: string,
  reportDir: string,
  options: { maxParallel: number; code: number; env?: NodeJS.ProcessEnv },
): Promise<{ res: CliResult; byId: Map<string, RunSummary['handsets'][number]> }> {
  const args = [
    'run',
    '--farm',
    farmFile,
    '--report-dir',
    reportDir,
    '--max-parallel',
    String(options.maxParallel),
  ];
  const res = await runCli(args, { timeoutMs: 200_000, ...(options.env ? { env: options.env } : {}) });
  assert.equal(res.code, options.code, res.stdout + res.stderr);
  const summary = await summaryIn(reportDir);
  return { res, byId: new Map(summary.handsets.map((h) => [h.id, h])) };
}

/** A summary's handset failed with an `identity-header` finding naming `header` (an O2 2012 replay's mark). */
export function assertFailsNaming(handset: RunSummary['handsets'][number] | undefined, header: string): void {
  assert.equal(handset?.verdict, 'fail', JSON.stringify(handset));
  assert.ok(
    handset.findings.some((f) => f.rule === 'identity-header' && f.header === header),
    JSON.stringify(handset.findings),
  );
}

/** Whether a process runs (a zombie waiting for its new parent to reap it has exited). */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

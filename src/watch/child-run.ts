import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { type NotifiableSummary, readSummary } from '../notify/run-facts.ts';
import { PROJECT_ROOT } from '../run/session.ts';
import { describeError } from '../shared/errors.ts';
import { EXIT } from '../shared/exit-codes.ts';
import { maskDigitRuns } from '../shared/mask.ts';

/**
 * One run of `watch`: `headerguard run` as a child process, so that whatever a run leaves behind (WebdriverIO's
 * process-wide handlers, a crash, memory) ends with it. The child is in its own process group: Ctrl-C in a
 * terminal reaches `watch` only, which lets the current run finish; `stop()` ends the run early.
 */
export interface RunRecord {
  exitCode: number;
  startedAt: string;
  finishedAt: string;
  /** The run folder it wrote, if any. */
  runDir?: string;
  summary?: NotifiableSummary;
  /** The child's last `headerguard: …` line on stderr (masked): why a run left no summary. */
  lastError?: string;
}

export interface ChildRun {
  done: Promise<RunRecord>;
  /** End the run now (SIGTERM to its process group). */
  stop(): void;
}

const BIN = path.join(PROJECT_ROOT, 'bin', 'headerguard.js');
/** Bytes of the child's stderr kept (for its last error line); the rest is dropped as it comes. */
const STDERR_TAIL = 16 * 1024;

async function runDirNames(reportDir: string): Promise<Set<string>> {
  try {
    return new Set(await readdir(reportDir));
  } catch {
    return new Set();
  }
}

/** Start `headerguard run ARGS --report-dir REPORTDIR`; `passOutput` copies its output to ours (--verbose). */
export function startChildRun(args: readonly string[], reportDir: string, passOutput = false): ChildRun {
  let stopChild = () => {};
  const done = (async (): Promise<RunRecord> => {
    const startedAt = new Date().toISOString();
    const before = await runDirNames(reportDir);
    const env = { ...process.env };
    delete env.HEADERGUARD_SESSION;
    delete env.HEADERGUARD_RESOLVED;
    let tail = '';
    const exitCode = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'run', ...args, `--report-dir=${reportDir}`], {
        cwd: process.cwd(),
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      stopChild = () => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      };
      child.stdout.on('data', (d: Buffer) => {
        if (passOutput) process.stdout.write(d);
      });
      child.stderr.on('data', (d: Buffer) => {
        if (passOutput) process.stderr.write(d);
        tail = (tail + d.toString('utf8')).slice(-STDERR_TAIL);
      });
      child.once('error', (err) => {
        tail += `\nheaderguard: could not start the run: ${describeError(err)}\n`;
      });
      child.once('close', (code) => resolve(code ?? EXIT.broken));
    });
    const finishedAt = new Date().toISOString();
    const added = [...(await runDirNames(reportDir))].filter((n) => !before.has(n)).sort();
    const newest = added.at(-1);
    const runDir = newest ? path.join(reportDir, newest) : undefined;
    const summary = runDir ? await readSummary(runDir) : undefined;
    const lastError = tail
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('headerguard: '))
      .at(-1);
    return {
      exitCode,
      startedAt,
      finishedAt,
      ...(runDir ? { runDir } : {}),
      ...(summary ? { summary } : {}),
      ...(lastError ? { lastError: maskDigitRuns(lastError.replace(/^headerguard: /, '')) } : {}),
    };
  })();
  return { done, stop: () => stopChild() };
}

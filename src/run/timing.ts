/**
 * Step timings for bench/run.bench.ts. When `HEADERGUARD_TIMINGS` names a file, the launcher and every worker
 * append one JSON line per step there: `{"role":"launcher"|"worker","handset"?,"step","at"}` with `at` in epoch
 * milliseconds, so that steps of different processes line up. Without the variable nothing is recorded.
 * Lines hold step names and handset ids only, never a header value or an identifier.
 *
 * Import this module first where the first step of a process matters: its body runs before the modules
 * imported after it.
 */
import { appendFileSync } from 'node:fs';

export const TIMINGS_ENV = 'HEADERGUARD_TIMINGS';

export interface TimingLine {
  role: 'launcher' | 'worker';
  handset?: string;
  step: string;
  at: number;
}

const role: TimingLine['role'] = process.env.WDIO_WORKER_ID ? 'worker' : 'launcher';
let handset: string | undefined;

/** The handset this worker drives, once known (lines before that carry the worker's process id). */
export function timingHandset(id: string): void {
  handset = id;
  flushPending();
}

const pending: TimingLine[] = [];

function write(line: TimingLine): void {
  const file = process.env[TIMINGS_ENV];
  if (!file) return;
  try {
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  } catch {
    // Timings are for the bench only: never let them break a run.
  }
}

function flushPending(): void {
  for (const line of pending.splice(0)) write({ ...line, handset });
}

/** Record that `step` happened now (or at `at`, epoch ms). */
export function mark(step: string, at: number = performance.timeOrigin + performance.now()): void {
  if (!process.env[TIMINGS_ENV]) return;
  const line: TimingLine = { role, step, at };
  // A worker learns its handset only once its capabilities are known; hold its early lines until then.
  if (role === 'worker' && !handset) pending.push(line);
  else write(handset ? { ...line, handset } : line);
}

// The process's own start, and the moment this module was first evaluated (once per process, though the
// compiled suite brings a second copy of this module).
const STARTED = Symbol.for('headerguard.timing.started');
if (!(globalThis as Record<symbol, unknown>)[STARTED]) {
  (globalThis as Record<symbol, unknown>)[STARTED] = true;
  mark('process-start', performance.timeOrigin);
  mark(role === 'worker' ? 'worker-code-start' : 'launcher-code-start');
}

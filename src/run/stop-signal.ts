/**
 * Whether a run was stopped by a signal (Ctrl-C, a CI job cancelled, systemd stopping a timer), so the report
 * says so instead of "its session did not start or crashed". Launcher process only.
 */
// Kept on the process, not in this module: wdio.conf's compiled bundle has its own copy of this module.
const KEY = Symbol.for('headerguard.stopSignal');
const state = globalThis as unknown as Record<symbol, NodeJS.Signals | undefined>;

/**
 * Remember the first SIGINT or SIGTERM and call `onStop` once, synchronously (WebdriverIO's own handler then
 * stops the workers and ends the process).
 */
export function watchStopSignals(onStop: (signal: NodeJS.Signals) => void = () => {}): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (state[KEY]) return;
      state[KEY] = signal;
      onStop(signal);
    });
  }
}

export function stopSignal(): NodeJS.Signals | undefined {
  return state[KEY];
}

/** Why a handset that left no result is broken when the run was stopped by a signal. */
export function stoppedBecause(signal: NodeJS.Signals): string {
  return `the run was stopped by ${signal} before this handset was judged`;
}

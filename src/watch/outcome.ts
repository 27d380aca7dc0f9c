import type { Verdict } from '../model/finding.ts';
import { headersOf } from '../notify/payload.ts';
import { EXIT } from '../shared/exit-codes.ts';
import type { RunRecord } from './child-run.ts';
import type { RunOutcome, Transition, WatchState } from './state.ts';

/**
 * A run as `watch` judges it, failing closed: pass only when the run exited 0 and its summary says pass; fail
 * when it exited 1 or its summary says fail; anything else (no summary, a crash, exit 2 or 3) is broken.
 */
export function verdictOf(run: RunRecord): Verdict {
  if (!run.summary) return 'broken';
  if (run.exitCode === EXIT.fail || run.summary.verdict === 'fail') return 'fail';
  if (run.exitCode === EXIT.pass && run.summary.verdict === 'pass') return 'pass';
  return 'broken';
}

export function outcomeOf(run: RunRecord): RunOutcome {
  const verdict = verdictOf(run);
  const failing = verdict === 'fail' ? (run.summary?.handsets ?? []).filter((h) => h.verdict === 'fail') : [];
  return {
    verdict,
    leakHeaders: [...new Set(failing.flatMap((h) => headersOf(h)))],
    leakHandsets: failing.map((h) => h.id),
  };
}

/** Why a broken run is broken, in a few words: the first handset's failure, or the run's last error line. */
export function brokenReason(run: RunRecord): string {
  const failure = run.summary?.handsets.find((h) => h.verdict === 'broken')?.failure;
  return failure ?? run.lastError ?? `the run exited ${run.exitCode} without a summary`;
}

/** "what changed" for the console line of a run. */
export function describeChange(previous: WatchState, t: Transition, run: RunRecord): string {
  const leak = (headers: readonly string[], handsets: readonly string[]) =>
    [
      headers.length ? headers.join(', ') : undefined,
      handsets.length ? `on ${handsets.join(', ')}` : undefined,
    ]
      .filter(Boolean)
      .join(' ');
  switch (t.state.status) {
    case 'green':
      return t.event === 'recovered'
        ? `recovered (was ${previous.status})`
        : previous.status === 'green'
          ? 'still green'
          : 'green';
    case 'broken':
      return t.event ? `broken: ${brokenReason(run)}` : 'still broken';
    case 'red':
      if (previous.status !== 'red') return `red: ${leak(t.joined.headers, t.joined.handsets)}`;
      return t.event ? `still red, joined: ${leak(t.joined.headers, t.joined.handsets)}` : 'still red';
    default:
      return '';
  }
}

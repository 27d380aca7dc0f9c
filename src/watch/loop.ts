import { setTimeout as sleep } from 'node:timers/promises';
import type { NotificationPayload } from '../notify/payload.ts';
import { buildPayload } from '../notify/payload.ts';
import type { Delivery } from '../notify/webhook.ts';
import { EXIT } from '../shared/exit-codes.ts';
import { maskDigitRuns } from '../shared/mask.ts';
import type { RunRecord } from './child-run.ts';
import { brokenReason, describeChange, outcomeOf, verdictOf } from './outcome.ts';
import { INITIAL_STATE, nextState, type WatchState } from './state.ts';

/**
 * `watch`'s loop: run, judge the change of state, notify on a change, print one line, prune, wait. The next
 * run starts `everyMs` after the previous one started (at once when it overran); runs never overlap. Its
 * dependencies are passed in, so that tests and the memory bench drive it with a stubbed run.
 */
export interface WatchLoopOptions {
  everyMs: number;
  /** End after this many runs; the exit code is then the last run's. */
  maxRuns?: number;
  /** The farm's label for a run that left no summary. */
  farm: string;
  /** Aborted on SIGINT/SIGTERM: no further run starts; the wait between runs ends at once. */
  stop: AbortSignal;
}

export interface WatchLoopDeps {
  runOnce: (n: number) => Promise<RunRecord>;
  /** POST to every webhook (never throws); absent when there are none. */
  notify?: (payload: NotificationPayload) => Promise<Delivery[]>;
  /** After each run: keep the newest N run folders. */
  prune?: () => Promise<unknown>;
  print: (line: string) => void;
  now?: () => number;
}

/** The exit code: the last run's when --max-runs ended it, 0 when stopped by a signal, 2 on a first run's usage error. */
export async function watchLoop(options: WatchLoopOptions, deps: WatchLoopDeps): Promise<number> {
  const now = deps.now ?? Date.now;
  let state: WatchState = INITIAL_STATE;
  for (let n = 1; ; n++) {
    const started = now();
    const run = await deps.runOnce(n);
    if (n === 1 && run.exitCode === EXIT.usage && !run.summary) {
      deps.print(`headerguard: ${run.lastError ?? 'the first run was refused (bad usage or config)'}`);
      return EXIT.usage;
    }
    // A run broken while watch was being stopped was most likely stopped with it (systemd signals the whole
    // group): said so, not notified, the state left as it was.
    const stoppedWithUs = options.stop.aborted && verdictOf(run) === 'broken';
    const t = stoppedWithUs
      ? { state, event: undefined, joined: { headers: [], handsets: [] } }
      : nextState(state, outcomeOf(run));
    const change = stoppedWithUs
      ? 'broken while watch was stopping (not notified)'
      : describeChange(state, t, run);
    state = t.state;
    let notified = '';
    if (t.event && deps.notify) {
      const payload = buildPayload(t.event, {
        ...(run.summary ? { summary: run.summary } : {}),
        ...(run.runDir ? { report: run.runDir } : {}),
        fallback: {
          farm: options.farm,
          startedAt: run.startedAt,
          finishedAt: run.finishedAt,
          reason: brokenReason(run),
        },
      });
      const deliveries = await deps.notify(payload);
      notified = `; notified ${t.event} (${deliveries.filter((d) => d.ok).length}/${deliveries.length} webhooks)`;
    }
    const secs = ((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1);
    deps.print(
      maskDigitRuns(
        `${run.finishedAt} run ${n}: ${verdictOf(run).toUpperCase()} ${change}${notified} (${secs} s${run.summary ? `, ${run.summary.runId}` : ''})`,
      ),
    );
    await deps.prune?.();
    if (options.maxRuns !== undefined && n >= options.maxRuns) return run.exitCode;
    if (options.stop.aborted) break;
    const wait = started + options.everyMs - now();
    if (wait > 0) await sleep(wait, undefined, { signal: options.stop }).catch(() => undefined);
    if (options.stop.aborted) break;
  }
  deps.print(`headerguard: watch stopped (${String(options.stop.reason ?? 'signal')})`);
  return EXIT.pass;
}

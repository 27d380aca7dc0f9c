/**
 * The endpoint's Prometheus metrics (prom-client, one registry per endpoint, never the global one): captures
 * committed, probe requests refused by reason, open runs, how long a capture waits for its commit, purges.
 * Served at `GET /metrics` (behind the API key) and, with `metricsListen`, on a listener of its own.
 * No label carries a token, a header or an address: only fixed reasons.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Why a probe request was not stored. */
export type RefusalReason = 'unknown-probe' | 'unknown-run' | 'run-full' | 'method' | 'store-failed';

export const REFUSAL_REASONS: readonly RefusalReason[] = [
  'unknown-probe',
  'unknown-run',
  'run-full',
  'method',
  'store-failed',
];

/** Commit waits are sub-millisecond when idle, a few ms under load; a store in trouble takes far longer. */
const COMMIT_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class EndpointMetrics {
  readonly registry = new Registry();
  private readonly committed: Counter;
  private readonly refused: Counter<'reason'>;
  private readonly commitSeconds: Histogram;
  private readonly purges: Counter;
  private readonly purgedRuns: Counter;
  private readonly purgeFailures: Counter;

  /** `openRuns` is read at each scrape (the store's count of runs not yet expired). */
  constructor(openRuns: () => number | Promise<number>) {
    const registers = [this.registry];
    this.committed = new Counter({
      name: 'headerguard_captures_committed_total',
      help: 'Probe captures committed to the store (each was answered after its commit)',
      registers,
    });
    this.refused = new Counter({
      name: 'headerguard_captures_refused_total',
      help: 'Probe requests not stored, by reason',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of REFUSAL_REASONS) this.refused.inc({ reason }, 0);
    this.commitSeconds = new Histogram({
      name: 'headerguard_capture_commit_seconds',
      help: 'Time from a capture being queued to its transaction committing',
      buckets: COMMIT_BUCKETS,
      registers,
    });
    new Gauge({
      name: 'headerguard_open_runs',
      help: 'Runs created and not yet expired or deleted',
      registers,
      async collect() {
        this.set(await openRuns());
      },
    });
    this.purges = new Counter({
      name: 'headerguard_purge_runs_total',
      help: 'Retention purge passes run',
      registers,
    });
    this.purgedRuns = new Counter({
      name: 'headerguard_purged_runs_total',
      help: 'Expired runs deleted by the retention purge',
      registers,
    });
    this.purgeFailures = new Counter({
      name: 'headerguard_purge_failures_total',
      help: 'Retention purge passes that failed',
      registers,
    });
  }

  committedOne(queuedAt: number, now: number): void {
    this.committed.inc();
    this.commitSeconds.observe((now - queuedAt) / 1000);
  }

  refusedOne(reason: RefusalReason): void {
    this.refused.inc({ reason });
  }

  purged(runs: number): void {
    this.purges.inc();
    if (runs > 0) this.purgedRuns.inc(runs);
  }

  purgeFailed(): void {
    this.purges.inc();
    this.purgeFailures.inc();
  }

  /** The exposition text, and its content type. */
  async render(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}

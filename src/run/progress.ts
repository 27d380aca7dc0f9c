import type { HandsetResult } from './handset-result.ts';

/** How much `headerguard run` prints: `quiet` (the verdict table), `normal` (+ live progress), `verbose` (+ WDIO). */
export type OutputLevel = 'quiet' | 'normal' | 'verbose';

/**
 * Live progress of a run in the launcher, one line per event: a handset's check starting, and each handset
 * done with its verdict (`headerguard: 2/3 done: o2-pixel-7 FAIL in 4.1 s (identity-value, identity-header)`),
 * so the minutes between the start line and the table are not silent. Already-masked data only.
 */
export class Progress {
  private done = 0;
  private readonly startedAt = new Map<string, number>();

  constructor(
    private readonly total: number,
    private readonly log: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  started(handsetId: string, gateway: string): void {
    this.startedAt.set(handsetId, this.now());
    this.log(`headerguard: checking ${handsetId} through ${gateway}`);
  }

  finished(handsetId: string, result: HandsetResult | undefined): void {
    this.done++;
    const since = this.startedAt.get(handsetId);
    const took = since === undefined ? '' : ` in ${((this.now() - since) / 1000).toFixed(1)} s`;
    const head = `headerguard: ${this.done}/${this.total} done: ${handsetId}`;
    if (!result) {
      this.log(`${head} BROKEN${took} (no result: its session did not start or crashed)`);
      return;
    }
    const rules = [...new Set(result.findings.map((f) => f.rule))];
    const why = result.verdict === 'broken' && result.failure ? result.failure : rules.join(', ');
    this.log(`${head} ${result.verdict.toUpperCase()}${took}${why ? ` (${why})` : ''}`);
  }
}

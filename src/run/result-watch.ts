import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { type HandsetResult, handsetResultPath, readHandsetResult } from './handset-result.ts';

/**
 * The launcher's view of the handsets' results while the workers run. A worker writes its handset's result
 * once, atomically, when the handset is judged (handset-result.ts), and never changes it: from then on the
 * handset's verdict is final, and what the worker still does (ending its browser session, Allure's files, its
 * exit) cannot change it. So the run's verdict is known as soon as every handset has a result, some hundreds of
 * milliseconds before the last worker has ended.
 *
 * `onResult` is called once per handset: with its result when it appears, or with undefined when its worker
 * ended without one (`workerEnded`). `allJudged` resolves when every handset has a result; never when one has
 * none (that run's report waits for the workers, and names what is missing).
 */
export class ResultWatch {
  readonly allJudged: Promise<void>;
  private readonly pending: Set<string>;
  private readonly resolveAll: () => void;
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private missing = false;

  constructor(
    private readonly runDir: string,
    handsetIds: readonly string[],
    private readonly onResult: (id: string, result: HandsetResult | undefined) => void,
  ) {
    this.pending = new Set(handsetIds);
    let resolve!: () => void;
    this.allJudged = new Promise((r) => {
      resolve = r;
    });
    this.resolveAll = resolve;
    if (this.pending.size === 0) resolve();
  }

  /** Look for new results every `intervalMs` until every handset has one, or `stop()`. */
  start(intervalMs = 50): void {
    const tick = () => {
      this.polling = this.poll().finally(() => {
        if (this.timer && this.pending.size > 0 && !this.missing) this.timer = setTimeout(tick, intervalMs);
      });
    };
    this.timer = setTimeout(tick, intervalMs);
  }

  /** Stop looking (the workers are done); a poll under way finishes first. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
  }

  /** The worker of handset `id` ended: its result now, or none (reported as undefined) if it wrote none. */
  async workerEnded(id: string): Promise<void> {
    await this.polling;
    if (!this.pending.has(id)) return;
    const result = await readHandsetResult(this.runDir, id);
    if (!this.pending.has(id)) return;
    if (!result) this.missing = true;
    this.settle(id, result);
  }

  private async poll(): Promise<void> {
    const dir = path.dirname(handsetResultPath(this.runDir, 'x'));
    const names = new Set(await readdir(dir).catch(() => [] as string[]));
    for (const id of [...this.pending]) {
      if (!names.has(path.basename(handsetResultPath(this.runDir, id)))) continue;
      const result = await readHandsetResult(this.runDir, id);
      // A file that is there but not (yet) a result: the worker's end decides.
      if (result && this.pending.has(id)) this.settle(id, result);
    }
  }

  private settle(id: string, result: HandsetResult | undefined): void {
    this.pending.delete(id);
    this.onResult(id, result);
    if (this.pending.size === 0 && !this.missing) this.resolveAll();
  }
}

/**
 * Group commit for captures. Requests admitted in one turn of the event loop are committed together in one
 * transaction, and only then answered: each response still follows its own commit, and the commit cost (a WAL
 * append of whole pages) is shared by every capture in the batch. An idle endpoint commits each capture alone,
 * at the end of the turn that received it.
 *
 * (Committing on a worker thread instead was measured and rejected: the round trip to the thread costs more
 * than the commit it moves off the event loop.)
 */
import type { CaptureStore, PendingCapture } from './capture-store.ts';

/** `stored`, or the capture was refused after admission (run deleted meanwhile), or the commit failed. */
export type WriteOutcome = 'stored' | 'unknown-run' | 'failed';

type Done = (outcome: WriteOutcome, error?: unknown) => void;

export class CaptureWriter {
  private readonly store: CaptureStore;
  private readonly maxBatch: number;
  private queue: PendingCapture[] = [];
  private callbacks: Done[] = [];
  private scheduled = false;

  constructor(store: CaptureStore, maxBatch = 256) {
    this.store = store;
    this.maxBatch = maxBatch;
  }

  /** Queue an admitted capture; `done` runs after its transaction has committed (or failed). */
  write(capture: PendingCapture, done: Done): void {
    this.queue.push(capture);
    this.callbacks.push(done);
    if (this.queue.length >= this.maxBatch) {
      this.flush();
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Commit everything queued now. */
  flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    const callbacks = this.callbacks;
    this.queue = [];
    this.callbacks = [];
    let stored: boolean[];
    try {
      stored = this.store.insert(batch);
    } catch (err) {
      for (const c of batch) this.store.release(c.runToken);
      for (const done of callbacks) done('failed', err);
      return;
    }
    callbacks.forEach((done, i) => {
      done(stored[i] ? 'stored' : 'unknown-run');
    });
  }
}

/**
 * Group commit for captures. A capture is answered only after the transaction holding it has committed; the
 * commit's cost (a WAL append of whole pages) is shared by every capture in it.
 *
 * The writer commits once a turn of the event loop brings no new capture: requests that arrive while earlier
 * ones are being read join their commit, so under load one commit serves about every request in flight, and a
 * lone capture on an idle endpoint waits one more loop turn (a poll that does not block) before its commit. A
 * batch is committed at once when it reaches `maxBatch` captures, and at the next turn once its first capture
 * has waited `maxWaitMs`, so a steady stream cannot hold it open.
 *
 * (Committing on a worker thread instead was measured and rejected: the round trip to the thread costs more
 * than the commit it moves off the event loop.)
 */
import type { CaptureStore, PendingCapture } from './capture-store.ts';

/**
 * `stored`; or the capture was refused (its run unknown, expired or deleted meanwhile; or holding the most captures
 * allowed, which PostgreSQL judges at commit); or the commit failed.
 */
export type WriteOutcome = 'stored' | 'unknown-run' | 'run-full' | 'failed';

type Done = (outcome: WriteOutcome, error?: unknown) => void;

export interface WriterLimits {
  /** Captures that commit at once, without waiting for the turn to end. Default 256. */
  maxBatch?: number;
  /** Longest a batch's first capture waits for others to join it, in ms. Default 2. */
  maxWaitMs?: number;
}

export class CaptureWriter {
  private readonly store: CaptureStore;
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  private queue: PendingCapture[] = [];
  private callbacks: Done[] = [];
  /** A turn check is scheduled (setImmediate). */
  private turnPending = false;
  /** Queue length at the last turn check, and when the batch's first capture arrived. */
  private seen = 0;
  private firstAt = 0;

  constructor(store: CaptureStore, limits: WriterLimits = {}) {
    this.store = store;
    this.maxBatch = limits.maxBatch ?? 256;
    this.maxWaitMs = limits.maxWaitMs ?? 2;
  }

  /** Queue an admitted capture; `done` runs after its transaction has committed (or failed). */
  write(capture: PendingCapture, done: Done): void {
    if (this.queue.length === 0) {
      this.seen = 0;
      this.firstAt = performance.now();
    }
    this.queue.push(capture);
    this.callbacks.push(done);
    if (this.queue.length >= this.maxBatch) {
      this.flush();
    } else if (!this.turnPending) {
      this.turnPending = true;
      setImmediate(this.onTurn);
    }
  }

  /** After a turn of the event loop: wait one more while captures keep arriving, else commit. */
  private readonly onTurn = (): void => {
    this.turnPending = false;
    const queued = this.queue.length;
    if (queued === 0) return;
    if (queued > this.seen && performance.now() - this.firstAt < this.maxWaitMs) {
      this.seen = queued;
      this.turnPending = true;
      setImmediate(this.onTurn);
      return;
    }
    this.flush();
  };

  /** Commit everything queued now. */
  flush(): void {
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

/**
 * WAL checkpoints off the request path. A checkpoint copies the WAL into the database file and syncs it; left to
 * SQLite's auto-checkpoint it runs inside whichever commit crosses the threshold, stalling every request queued
 * behind it. Here a worker thread with its own connection runs PASSIVE checkpoints on a timer (they never block
 * writers), and the endpoint's connection keeps only a distant auto-checkpoint as a backstop should the worker die.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const checkpoint = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage({ error: String((err && err.code) || err) }); }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export class Checkpointer {
  private readonly worker: Worker;
  private stopped: Promise<void> | undefined;

  /** Start checkpointing `file` every `intervalMs`; `onError` hears about failed checkpoints (codes only). */
  constructor(file: string, intervalMs: number, onError: (code: string) => void) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, intervalMs } });
    this.worker.on('message', (m: { error?: string }) => {
      if (m.error) onError(m.error);
    });
    this.worker.on('error', (err) => onError(err.message.split('\n')[0] ?? 'worker error'));
    this.worker.unref();
  }

  /** Last checkpoint, then stop. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= new Promise<void>((resolve) => {
      // Keep the process alive until the worker has finished (it is unref'd while it only ticks).
      this.worker.ref();
      this.worker.once('exit', () => resolve());
      this.worker.postMessage('stop');
      setTimeout(() => void this.worker.terminate(), 5000).unref();
    });
    return this.stopped;
  }
}

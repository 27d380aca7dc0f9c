/**
 * The SQLite RunStore: CaptureStore (synchronous, the live runs in memory) with its group-commit writer and its
 * WAL checkpointer. One endpoint process per file (file-lock.ts).
 */
import type { CaptureRecord } from '../../model/capture.ts';
import {
  CaptureStore,
  type NewRun,
  type PendingCapture,
  type PurgeResult,
  type StoredRun,
} from './capture-store.ts';
import { CaptureWriter } from './capture-writer.ts';
import { Checkpointer } from './checkpointer.ts';
import type { CaptureDone, RunStore } from './run-store.ts';

export class SqliteRunStore implements RunStore {
  readonly location: string;
  readonly store: CaptureStore;
  private readonly writer: CaptureWriter;
  private readonly checkpointer: Checkpointer | undefined;
  private closing: Promise<void> | undefined;

  static open(path: string, onCheckpointError: (code: string) => void): SqliteRunStore {
    return new SqliteRunStore(CaptureStore.open(path), onCheckpointError);
  }

  private constructor(store: CaptureStore, onCheckpointError: (code: string) => void) {
    this.store = store;
    this.location = store.path;
    this.writer = new CaptureWriter(store);
    this.checkpointer =
      store.path === ':memory:' ? undefined : new Checkpointer(store.path, 250, onCheckpointError);
  }

  get schemaVersion(): number {
    return this.store.schemaVersion;
  }

  get isWorldReadable(): boolean {
    return this.store.isWorldReadable;
  }

  async createRun(run: NewRun): Promise<void> {
    this.store.createRun(run);
  }

  async getRun(token: string, now: number): Promise<StoredRun | undefined> {
    return this.store.getRun(token, now);
  }

  async listCaptures(token: string): Promise<CaptureRecord[]> {
    return this.store.listCaptures(token);
  }

  async countCaptures(token: string): Promise<number> {
    return this.store.countCaptures(token);
  }

  async countOpenRuns(now: number): Promise<number> {
    return this.store.countOpenRuns(now);
  }

  async deleteRun(token: string): Promise<boolean> {
    return this.store.deleteRun(token);
  }

  async purgeExpired(now: number): Promise<PurgeResult> {
    return this.store.purgeExpired(now);
  }

  async ping(): Promise<boolean> {
    return this.store.ping();
  }

  capture(capture: PendingCapture, maxPerRun: number, done: CaptureDone): void {
    const runId = this.store.admit(capture.runToken, capture.receivedAt, maxPerRun);
    if (typeof runId !== 'number') {
      done(runId);
      return;
    }
    capture.runId = runId;
    this.writer.write(capture, done);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.writer.flush();
      await this.checkpointer?.stop();
      this.store.close();
    })();
    return this.closing;
  }
}

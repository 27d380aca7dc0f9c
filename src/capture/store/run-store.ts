/**
 * The store behind the capture endpoint, as one interface with two implementations: SQLite (embedded, the
 * default; one endpoint process per file) and PostgreSQL (several endpoint processes on one database). Every
 * read goes to the database, so completeness is judged from what is committed, whichever process committed it.
 */
import type { CaptureRecord } from '../../model/capture.ts';
import type { NewRun, PendingCapture, PurgeResult, StoredRun } from './capture-store.ts';
import type { WriteOutcome } from './capture-writer.ts';

export type { NewRun, PendingCapture, PurgeResult, StoredRun, WriteOutcome };

/** Runs once a capture is committed (`stored`), refused, or its commit failed. */
export type CaptureDone = (outcome: WriteOutcome, error?: unknown) => void;

export interface RunStore {
  /** What `--db` named, safe to print (a PostgreSQL password masked). */
  readonly location: string;
  /** Schema version of the open database. */
  readonly schemaVersion: number;
  /** True when other users may read the database file (SQLite only; it holds subscriber data). */
  readonly isWorldReadable: boolean;
  createRun(run: NewRun): Promise<void>;
  /** A run that exists and has not expired at `now`. */
  getRun(token: string, now: number): Promise<StoredRun | undefined>;
  /** A run's captures in commit order; throws UnreadableBlockError for a damaged block. */
  listCaptures(token: string): Promise<CaptureRecord[]>;
  /** How many captures a run has in the database (0 for an unknown run). */
  countCaptures(token: string): Promise<number>;
  /** How many runs have not expired at `now` (the open-runs gauge of /metrics). */
  countOpenRuns(now: number): Promise<number>;
  /** Delete a run and its captures; false when there was no such run. */
  deleteRun(token: string): Promise<boolean>;
  /** Delete every run expired at `now`, with its captures. Safe with other processes doing the same. */
  purgeExpired(now: number): Promise<PurgeResult>;
  /** True when the database answers a query. */
  ping(): Promise<boolean>;
  /**
   * Store one capture (its `runId` is filled in here) of a run that is live at `capture.receivedAt` and holds
   * fewer than `maxPerRun`; `done` runs once it is committed, or at once when it is refused.
   */
  capture(capture: PendingCapture, maxPerRun: number, done: CaptureDone): void;
  /** Commit what is queued, then close. Idempotent. */
  close(): Promise<void>;
}

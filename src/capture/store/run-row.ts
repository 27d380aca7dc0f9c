/** A run as both stores keep it: one row of `runs`, the same columns in SQLite and PostgreSQL. Pure functions. */
import type { Canary, PlannedProbe } from '../../model/capture.ts';

export interface NewRun {
  token: string;
  handset: string;
  bearer: string;
  meta?: Record<string, unknown>;
  plan: PlannedProbe[];
  canary: Canary;
  createdAt: number;
  expiresAt: number;
}

/** A run as read back: `metaUnreadable` when its stored meta did not parse (then `meta` is absent). */
export interface StoredRun extends NewRun {
  metaUnreadable?: boolean;
}

export interface RunRow {
  id: number;
  token: string;
  handset: string;
  bearer: string;
  meta: string | null;
  plan: string;
  canary_header: string;
  canary_value: string;
  created_at: number;
  expires_at: number;
}

/** The columns a new run fills, in the order of `runRowValues`. */
export const RUN_COLUMNS =
  'token, handset, bearer, meta, plan, canary_header, canary_value, created_at, expires_at';

export function runRowValues(run: NewRun): (string | number | null)[] {
  return [
    run.token,
    run.handset,
    run.bearer,
    run.meta === undefined ? null : JSON.stringify(run.meta),
    JSON.stringify(run.plan),
    run.canary.header,
    run.canary.value,
    run.createdAt,
    run.expiresAt,
  ];
}

export function storedRun(row: RunRow): StoredRun {
  const run: StoredRun = {
    token: row.token,
    handset: row.handset,
    bearer: row.bearer,
    plan: JSON.parse(row.plan) as PlannedProbe[],
    canary: { header: row.canary_header, value: row.canary_value },
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
  if (row.meta !== null) {
    try {
      run.meta = JSON.parse(row.meta) as Record<string, unknown>;
    } catch {
      // A damaged row must not make the run (and its captures) unreadable: say so instead.
      run.metaUnreadable = true;
    }
  }
  return run;
}

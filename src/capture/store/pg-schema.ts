/**
 * The PostgreSQL store's schema, versioned in `headerguard_schema` (one row per migration applied). Migrations
 * run at start-up under a session advisory lock, so when several endpoint processes start at once exactly one
 * applies each migration and the others wait, then find it done. A database newer than the last migration, or
 * one holding tables of ours but no version, is refused rather than guessed at.
 *
 * The same data as the SQLite store (schema.ts, capture-block.ts): times in ms since the epoch, a run's captures
 * in blocks (one row per run per commit, the same JSON as SQLite's), but block ids come from an identity
 * sequence, unique across every process, and `runs.captures` counts a run's stored captures so that the per-run
 * limit holds across processes (the row lock of that UPDATE orders concurrent commits to one run).
 *
 * No foreign key from `capture_blocks` to `runs` (since version 2): its check cost every block a trigger and a
 * row lock, about a fifth of the server's CPU per capture. The store deletes a run's blocks with it, in the same
 * transaction (pg-store.ts), and only inserts a block for a run whose row it has just updated, so no block
 * outlives its run. Upgrade every instance on one database together: a version-1 instance still running would
 * leave the blocks of the runs it deletes behind.
 */

/** Key of the advisory locks (`pg_advisory_lock`): "hgrd" as a number, as SQLite's application_id. */
export const PG_LOCK_KEY = 0x68677264;
/** Key of the purge's transaction lock: one process purges at a time. */
export const PG_PURGE_LOCK_KEY = PG_LOCK_KEY + 1;
/**
 * First key of a run's transaction lock (`pg_advisory_xact_lock(PG_RUN_LOCK_CLASS, id mod 2^31-1)`, the two-key
 * form, which never meets the one-key locks above): batches take their runs' locks in key order before updating
 * them, so concurrent batches never deadlock (pg-store.ts).
 */
export const PG_RUN_LOCK_CLASS = PG_LOCK_KEY;

export const PG_MIGRATIONS: readonly string[] = [
  // 1: runs, and their captures in blocks.
  `
  CREATE TABLE runs (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token          text NOT NULL UNIQUE,
    handset        text NOT NULL,
    bearer         text NOT NULL,
    meta           text,
    plan           text NOT NULL,
    canary_header  text NOT NULL,
    canary_value   text NOT NULL,
    created_at     bigint NOT NULL,
    expires_at     bigint NOT NULL,
    captures       bigint NOT NULL DEFAULT 0
  );
  CREATE INDEX runs_by_expiry ON runs (expires_at);
  CREATE TABLE capture_blocks (
    run_id    bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    id        bigint GENERATED ALWAYS AS IDENTITY,
    n         integer NOT NULL CHECK (n > 0),
    captures  text NOT NULL,
    PRIMARY KEY (run_id, id)
  );
  `,
  // 2: no foreign key from capture_blocks (see above).
  'ALTER TABLE capture_blocks DROP CONSTRAINT IF EXISTS capture_blocks_run_id_fkey',
];

export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;

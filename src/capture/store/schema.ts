/**
 * The capture store's schema, versioned with SQLite's `user_version`. Times (`received_at`, `created_at`,
 * `expires_at`) are milliseconds since the epoch. Migration N takes a database from version N-1 to N; a database
 * newer than the last migration is refused rather than guessed at.
 *
 * Since version 3 captures are stored in blocks: one row per run per commit (`capture_blocks`), whose `captures`
 * column is a JSON array of captures, each itself an array in CAPTURE_FIELDS order, the headers being Node's flat
 * `rawHeaders` array (name, value, name, value, …: original case, order, duplicates). Captures are written once
 * and only ever read per run, so a block costs one B-tree insert however many captures it holds.
 *
 * Since version 4 each capture after the first in a block is written as its difference from the one before it:
 * `null` for a field (or a raw-header entry at the same index, or the raw headers as a whole) equal to the
 * previous capture's (capture-block.ts). Version 3 blocks have no nulls and read the same, so migration 4 changes
 * no row; it marks the file so that an older headerguard refuses it instead of calling its blocks damaged.
 */

/** `PRAGMA application_id` of a headerguard database: "hgrd". Tells our files from other SQLite files. */
export const APPLICATION_ID = 0x68677264;

/**
 * A run's capture blocks are one contiguous rowid range: `capture_blocks.id = runs.id * CAPTURE_ID_SPAN + n` (n = 1,
 * 2, …, in commit order). The table needs no secondary index and a block costs a single B-tree append; listing or
 * deleting a run's captures is a rowid range. `AUTOINCREMENT` keeps run ids from ever being reused.
 */
export const CAPTURE_ID_SPAN = 2 ** 24;

/** Highest run id whose capture ids stay exact in a JavaScript number. */
export const MAX_RUN_ID = Math.floor(Number.MAX_SAFE_INTEGER / CAPTURE_ID_SPAN) - 1;

/** The fields of one capture inside a block, in order. */
export const CAPTURE_FIELDS = [
  'probe',
  'listener',
  'tls',
  'http_version',
  'method',
  'url',
  'host',
  'remote_address',
  'remote_port',
  'connection_id',
  'connection_request_index',
  'received_at',
  'raw_headers',
] as const;

export const MIGRATIONS: readonly string[] = [
  // 1: runs and their captures (captures indexed by run token).
  `
  CREATE TABLE runs (
    token          TEXT PRIMARY KEY,
    handset        TEXT NOT NULL,
    bearer         TEXT NOT NULL,
    meta           TEXT,
    plan           TEXT NOT NULL,
    canary_header  TEXT NOT NULL,
    canary_value   TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX runs_by_expiry ON runs (expires_at);
  CREATE TABLE captures (
    id                        INTEGER PRIMARY KEY,
    run_token                 TEXT NOT NULL REFERENCES runs (token) ON DELETE CASCADE,
    probe                     TEXT NOT NULL,
    listener                  TEXT NOT NULL,
    tls                       INTEGER NOT NULL,
    http_version              TEXT NOT NULL,
    method                    TEXT NOT NULL,
    url                       TEXT NOT NULL,
    host                      TEXT NOT NULL,
    remote_address            TEXT NOT NULL,
    remote_port               INTEGER NOT NULL,
    connection_id             TEXT NOT NULL,
    connection_request_index  INTEGER NOT NULL,
    received_at               INTEGER NOT NULL,
    raw_headers               TEXT NOT NULL
  ) STRICT;
  CREATE INDEX captures_by_run ON captures (run_token, id);
  `,
  // 2: runs get a numeric id; a run's captures become the rowid range of that id (no secondary index).
  `
  CREATE TABLE runs_v2 (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    token          TEXT NOT NULL UNIQUE,
    handset        TEXT NOT NULL,
    bearer         TEXT NOT NULL,
    meta           TEXT,
    plan           TEXT NOT NULL,
    canary_header  TEXT NOT NULL,
    canary_value   TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL
  ) STRICT;
  INSERT INTO runs_v2 (token, handset, bearer, meta, plan, canary_header, canary_value, created_at, expires_at)
    SELECT token, handset, bearer, meta, plan, canary_header, canary_value, created_at, expires_at
    FROM runs ORDER BY created_at, token;
  CREATE TABLE captures_v2 (
    id                        INTEGER PRIMARY KEY,
    probe                     TEXT NOT NULL,
    listener                  TEXT NOT NULL,
    tls                       INTEGER NOT NULL,
    http_version              TEXT NOT NULL,
    method                    TEXT NOT NULL,
    url                       TEXT NOT NULL,
    host                      TEXT NOT NULL,
    remote_address            TEXT NOT NULL,
    remote_port               INTEGER NOT NULL,
    connection_id             TEXT NOT NULL,
    connection_request_index  INTEGER NOT NULL,
    received_at               INTEGER NOT NULL,
    raw_headers               TEXT NOT NULL
  ) STRICT;
  INSERT INTO captures_v2
    SELECT r.id * ${CAPTURE_ID_SPAN} + row_number() OVER (PARTITION BY c.run_token ORDER BY c.id),
      c.probe, c.listener, c.tls, c.http_version, c.method, c.url, c.host, c.remote_address, c.remote_port,
      c.connection_id, c.connection_request_index, c.received_at, c.raw_headers
    FROM captures c JOIN runs_v2 r ON r.token = c.run_token;
  DROP TABLE captures;
  DROP TABLE runs;
  ALTER TABLE runs_v2 RENAME TO runs;
  ALTER TABLE captures_v2 RENAME TO captures;
  CREATE INDEX runs_by_expiry ON runs (expires_at);
  `,
  // 3: captures in blocks, one row per run per commit; each capture of version 2 becomes a block of one.
  `
  CREATE TABLE capture_blocks (
    id        INTEGER PRIMARY KEY,
    n         INTEGER NOT NULL CHECK (n > 0),
    captures  TEXT NOT NULL
  ) STRICT;
  INSERT INTO capture_blocks (id, n, captures)
    SELECT id, 1, json_array(json_array(${CAPTURE_FIELDS.map((f) => (f === 'raw_headers' ? 'json(raw_headers)' : f)).join(', ')}))
    FROM captures ORDER BY id;
  DROP TABLE captures;
  `,
  // 4: blocks may write a capture as its difference from the one before it (no change to existing rows).
  `
  -- nothing to convert: every version 3 block is a valid version 4 block
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

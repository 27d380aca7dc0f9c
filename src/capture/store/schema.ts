/**
 * The capture store's schema, versioned with SQLite's `user_version`. `captures.raw_headers` is the JSON of Node's
 * flat `rawHeaders` array (name, value, name, value, …: original case, order, duplicates); `received_at`,
 * `created_at` and `expires_at` are milliseconds since the epoch. Migration N takes a database from
 * version N-1 to N; a database newer than the last migration is refused rather than guessed at.
 */

/** `PRAGMA application_id` of a headerguard database: "hgrd". Tells our files from other SQLite files. */
export const APPLICATION_ID = 0x68677264;

export const MIGRATIONS: readonly string[] = [
  // 1: runs and their captures.
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
];

export const SCHEMA_VERSION = MIGRATIONS.length;

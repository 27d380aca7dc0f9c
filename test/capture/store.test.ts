import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { buildPlan, newCanary } from '../../src/capture/plan/probe-plan.ts';
import { newRunToken } from '../../src/capture/plan/run-token.ts';
import { CaptureStore, headerPairs, type PendingCapture } from '../../src/capture/store/capture-store.ts';
import { CaptureWriter, type WriteOutcome } from '../../src/capture/store/capture-writer.ts';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from '../../src/capture/store/schema.ts';
import type { CaptureRecord } from '../../src/model/capture.ts';
import { UserError } from '../../src/shared/errors.ts';
import { rawRequest, startTestServer, tempDir } from './helpers.ts';

const endpoint = {
  probeHost: 'probe.localhost',
  partnerHost: 'partner.localhost',
  ports: { main: 1, alt: 2, https: 3 },
};

function newRun(store: CaptureStore, now: number, ttl: number): string {
  const token = newRunToken();
  store.createRun({
    token,
    handset: 'h',
    bearer: 'b',
    plan: buildPlan(token, endpoint),
    canary: newCanary(),
    createdAt: now,
    expiresAt: now + ttl,
  });
  return token;
}

function capture(token: string, probe = 'fetch'): CaptureRecord {
  return {
    runToken: token,
    probe,
    listener: 'main',
    tls: false,
    httpVersion: '1.1',
    method: 'GET',
    url: `/p/${token}/${probe}`,
    host: 'probe.localhost',
    remoteAddress: '127.0.0.1',
    remotePort: 50000,
    connectionId: 'c-1',
    connectionRequestIndex: 1,
    receivedAt: new Date(1_700_000_000_000).toISOString(),
    headers: headerPairs(['Host', 'probe.localhost', 'X-A', '1', 'x-a', '2', 'Latin', 'caf\u00e9\u00ff']),
  };
}

describe('capture store', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('creates an owner-only WAL database with a versioned schema', () => {
    const file = path.join(tmp.dir, 'a.db');
    const store = CaptureStore.open(file);
    assert.equal(store.schemaVersion, SCHEMA_VERSION);
    store.close();
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const db = new Database(file, { readonly: true });
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.equal(db.pragma('application_id', { simple: true }), APPLICATION_ID);
    db.close();
  });

  it('round-trips a capture exactly, and keeps it across a reopen', () => {
    const file = path.join(tmp.dir, 'a.db');
    const now = Date.now();
    let store = CaptureStore.open(file);
    const token = newRun(store, now, 60_000);
    const c = capture(token);
    assert.equal(store.recordCapture(c, now, 100), 'ok');
    store.close();
    store = CaptureStore.open(file);
    assert.deepEqual(store.listCaptures(token), [c]);
    store.close();
  });

  it('refuses captures for unknown, expired and full runs', () => {
    const store = CaptureStore.open(':memory:');
    const now = Date.now();
    const live = newRun(store, now, 60_000);
    const expired = newRun(store, now - 120_000, 60_000);
    assert.equal(store.recordCapture(capture(newRunToken()), now, 100), 'unknown-run');
    assert.equal(store.recordCapture(capture(expired), now, 100), 'unknown-run');
    assert.equal(store.recordCapture(capture(live), now, 2), 'ok');
    assert.equal(store.recordCapture(capture(live), now, 2), 'ok');
    assert.equal(store.recordCapture(capture(live), now, 2), 'run-full');
    assert.equal(store.listCaptures(live).length, 2);
    assert.equal(store.getRun(expired, now), undefined);
    store.close();
  });

  it('keeps each run’s captures apart and in arrival order, never filing one under another run', () => {
    const store = CaptureStore.open(':memory:');
    const now = Date.now();
    const a = newRun(store, now, 60_000);
    const b = newRun(store, now, 60_000);
    for (const [token, probe] of [
      [a, 'nav'],
      [b, 'nav'],
      [a, 'img'],
      [b, 'img'],
      [a, 'fetch'],
    ] as const) {
      assert.equal(store.recordCapture(capture(token, probe), now, 100), 'ok');
    }
    assert.deepEqual(
      store.listCaptures(a).map((c) => c.probe),
      ['nav', 'img', 'fetch'],
    );
    assert.deepEqual(
      store.listCaptures(b).map((c) => c.probe),
      ['nav', 'img'],
    );

    // A capture admitted before its run was deleted is refused at commit, not filed under another run.
    const late = store.admit(a, now, 100);
    assert.equal(typeof late, 'number');
    assert.equal(store.deleteRun(a), true);
    const c = newRun(store, now, 60_000);
    const { headers, receivedAt, ...rest } = capture(a);
    const stored = store.insert([
      { ...rest, id: late as number, receivedAt: Date.parse(receivedAt), rawHeaders: headers.flat() },
    ]);
    assert.deepEqual(stored, [false]);
    assert.deepEqual(store.listCaptures(a), []);
    assert.deepEqual(store.listCaptures(c), []);
    assert.equal(store.listCaptures(b).length, 2);
    store.close();
  });

  it('purges expired runs with their captures and leaves live ones', () => {
    const file = path.join(tmp.dir, 'p.db');
    const store = CaptureStore.open(file);
    const now = Date.now();
    const old = newRun(store, now, 1000);
    const live = newRun(store, now, 60_000);
    store.recordCapture(capture(old), now, 100);
    store.recordCapture(capture(live), now, 100);
    assert.deepEqual(store.purgeExpired(now + 5000), { runs: 1, captures: 1 });
    assert.equal(store.listCaptures(old).length, 0);
    assert.equal(store.listCaptures(live).length, 1);
    store.close();
    // Nothing of the purged run is left in the file or its WAL.
    const db = new Database(file, { readonly: true });
    assert.equal(
      (db.prepare('SELECT count(*) AS n FROM runs WHERE token = ?').get(old) as { n: number }).n,
      0,
    );
    db.close();
  });

  it('migrates a version 1 database (captures by token) to run-id ranges, keeping every capture in order', () => {
    const file = path.join(tmp.dir, 'v1.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec(MIGRATIONS[0]!);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma('user_version = 1');
    const now = Date.now();
    const tokens = [newRunToken(), newRunToken()];
    for (const [i, token] of tokens.entries()) {
      db.prepare(
        `INSERT INTO runs (token, handset, bearer, meta, plan, canary_header, canary_value, created_at, expires_at)
         VALUES (?, 'h', 'b', NULL, ?, 'x-up-calling-line-id', '2890012345678', ?, ?)`,
      ).run(token, JSON.stringify(buildPlan(token, endpoint)), now + i, now + 60_000);
    }
    const insert = db.prepare(
      `INSERT INTO captures (run_token, probe, listener, tls, http_version, method, url, host, remote_address,
         remote_port, connection_id, connection_request_index, received_at, raw_headers)
       VALUES (?, ?, 'main', 0, '1.1', 'GET', '/', 'h', '127.0.0.1', 1, 'c', 1, ?, ?)`,
    );
    insert.run(tokens[0], 'nav', now, JSON.stringify(['Host', 'h', 'X-A', '1']));
    insert.run(tokens[1], 'nav', now, JSON.stringify(['Host', 'h']));
    insert.run(tokens[0], 'img', now, JSON.stringify(['Host', 'h', 'x-a', '2']));
    db.close();

    const store = CaptureStore.open(file);
    assert.equal(store.schemaVersion, SCHEMA_VERSION);
    const first = store.listCaptures(tokens[0]!);
    assert.deepEqual(
      first.map((c) => c.probe),
      ['nav', 'img'],
    );
    assert.deepEqual(first[1]!.headers, [
      ['Host', 'h'],
      ['x-a', '2'],
    ]);
    assert.deepEqual(
      store.listCaptures(tokens[1]!).map((c) => c.probe),
      ['nav'],
    );
    // New captures and runs carry on after the migrated ones.
    assert.equal(store.recordCapture(capture(tokens[0]!, 'fetch'), now, 100), 'ok');
    assert.deepEqual(
      store.listCaptures(tokens[0]!).map((c) => c.probe),
      ['nav', 'img', 'fetch'],
    );
    const fresh = newRun(store, now, 60_000);
    assert.equal(store.recordCapture(capture(fresh), now, 100), 'ok');
    assert.equal(store.listCaptures(fresh).length, 1);
    assert.equal(store.listCaptures(tokens[1]!).length, 1);
    store.close();
  });

  it('refuses a database from a newer headerguard', () => {
    const file = path.join(tmp.dir, 'new.db');
    CaptureStore.open(file).close();
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(
      () => CaptureStore.open(file),
      (err: unknown) => {
        assert.ok(err instanceof UserError);
        assert.match(err.message, new RegExp(`schema version ${SCHEMA_VERSION + 1} is newer`));
        return true;
      },
    );
  });

  it('refuses a SQLite file that is not ours, and a file that is not SQLite', () => {
    const other = path.join(tmp.dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE t (x)');
    db.close();
    assert.throws(() => CaptureStore.open(other), /not a headerguard database/);
    const junk = path.join(tmp.dir, 'junk.db');
    writeFileSync(junk, 'this is not a database, just some text that is long enough to matter '.repeat(100));
    assert.throws(() => CaptureStore.open(junk), /not a SQLite database/);
    assert.throws(() => CaptureStore.open(path.join(tmp.dir, 'missing', 'x.db')), /folder does not exist/);
  });
});

describe('capture writer (group commit)', () => {
  function pending(token: string, id: number): PendingCapture {
    const { headers, receivedAt, ...rest } = capture(token);
    return { ...rest, id, receivedAt: Date.parse(receivedAt), rawHeaders: headers.flat() };
  }

  it('answers only after the commit, one transaction per turn of the event loop', async () => {
    const store = CaptureStore.open(':memory:');
    const token = newRun(store, Date.now(), 60_000);
    const writer = new CaptureWriter(store);
    const outcomes: WriteOutcome[] = [];
    const seenAtCallback: number[] = [];
    for (let i = 0; i < 5; i++) {
      const id = store.admit(token, Date.now(), 100);
      assert.equal(typeof id, 'number');
      writer.write(pending(token, id as number), (outcome) => {
        outcomes.push(outcome);
        seenAtCallback.push(store.listCaptures(token).length);
      });
    }
    assert.deepEqual(outcomes, [], 'nothing is answered before the commit');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(outcomes, ['stored', 'stored', 'stored', 'stored', 'stored']);
    assert.deepEqual(seenAtCallback, [5, 5, 5, 5, 5], 'every capture of the batch was committed first');
    store.close();
  });

  it('reports a failed commit to every waiting request and gives their slots back', async () => {
    const store = CaptureStore.open(':memory:');
    const token = newRun(store, Date.now(), 60_000);
    const writer = new CaptureWriter(store);
    const id = store.admit(token, Date.now(), 1);
    assert.equal(typeof id, 'number');
    assert.equal(store.admit(token, Date.now(), 1), 'run-full');
    const outcomes: WriteOutcome[] = [];
    writer.write(pending(token, id as number), (o) => outcomes.push(o));
    store.close(); // the commit will throw
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(outcomes, ['failed']);
    assert.equal(
      typeof store.admit(token, Date.now(), 1),
      'number',
      'the slot of the failed capture is free again',
    );
  });
});

describe('capture endpoint persistence', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('keeps runs and captures across a restart on the same database file', async () => {
    const dbPath = path.join(tmp.dir, 'restart.db');
    const first = await startTestServer({ dbPath });
    const run = await first.client.createRun({ handset: 'pixel-7', bearer: 'o2', meta: { k: 'v' } });
    const res = await rawRequest(
      first.server.ports.main,
      `GET /p/${run.token}/nav HTTP/1.1\r\nHost: probe.localhost\r\nX-UP-Calling-Line-ID: 447700900123\r\n\r\n`,
    );
    assert.equal(res.status, 200);
    const before = await first.client.getCaptures(run.token);
    await first.server.close();

    const second = await startTestServer({ dbPath });
    try {
      const after = await second.client.getCaptures(run.token);
      assert.deepEqual(after, before);
      assert.deepEqual(after.captures[0]!.headers[1], ['X-UP-Calling-Line-ID', '447700900123']);
      // The run still takes captures after the restart (its plan keeps the ports it was created with).
      const again = await rawRequest(
        second.server.ports.main,
        `GET /p/${run.token}/img HTTP/1.1\r\nHost: p\r\n\r\n`,
      );
      assert.equal(again.status, 200);
      assert.equal((await second.client.getCaptures(run.token)).captures.length, 2);
    } finally {
      await second.server.close();
    }
  });

  it('expires runs: invisible once past retention, purged from the file on the timer', async () => {
    const dbPath = path.join(tmp.dir, 'expiry.db');
    const { server, client } = await startTestServer({ dbPath, retentionMs: 400, purgeIntervalMs: 50 });
    try {
      const run = await client.createRun({ handset: 'h', bearer: 'b' });
      const ok = await rawRequest(server.ports.main, `GET /p/${run.token}/fetch HTTP/1.1\r\nHost: p\r\n\r\n`);
      assert.equal(ok.status, 200);
      assert.equal((await client.getCaptures(run.token)).captures.length, 1);
      await new Promise((r) => setTimeout(r, 700));
      await assert.rejects(client.getCaptures(run.token), /404/);
      const late = await rawRequest(
        server.ports.main,
        `GET /p/${run.token}/fetch HTTP/1.1\r\nHost: p\r\n\r\n`,
      );
      assert.equal(late.status, 404);
      const db = new Database(dbPath, { readonly: true });
      try {
        assert.equal((db.prepare('SELECT count(*) AS n FROM captures').get() as { n: number }).n, 0);
        assert.equal((db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n, 0);
      } finally {
        db.close();
      }
    } finally {
      await server.close();
    }
  });
});

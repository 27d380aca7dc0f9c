/**
 * Bounds on a run's `meta` (src/capture/server/run-meta.ts), through real HTTP: a run whose meta nested ~4,112
 * levels used to be created, and every read of its captures then answered 503 (JSON.stringify ran out of stack).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { MAX_META_BYTES, MAX_META_DEPTH, metaProblem } from '../../src/capture/server/run-meta.ts';
import { CaptureStore } from '../../src/capture/store/capture-store.ts';
import { API_KEY, startTestServer, tempDir } from './helpers.ts';

/** `{"a":{"a":…{"a":1}…}}` with `levels` objects, as JSON text (never built as a value: it is deeper than V8's stack). */
function nestedJson(levels: number): string {
  return `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}

function post(base: string, body: string) {
  return fetch(`${base}/api/runs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body,
  });
}

function captures(base: string, token: string) {
  return fetch(`${base}/api/runs/${token}/captures`, { headers: { authorization: `Bearer ${API_KEY}` } });
}

describe('capture API: run meta bounds', () => {
  it('metaProblem counts levels of objects and arrays, meta itself included', () => {
    assert.equal(metaProblem(JSON.parse(nestedJson(MAX_META_DEPTH))), undefined);
    assert.equal(metaProblem(JSON.parse(nestedJson(MAX_META_DEPTH + 1))), 'nested deeper than 8 levels');
    assert.equal(metaProblem({ a: [[[[[[[1]]]]]]] }), undefined);
    assert.equal(metaProblem({ a: [[[[[[[[1]]]]]]]] }), 'nested deeper than 8 levels');
    assert.equal(metaProblem(JSON.parse(nestedJson(100_000))), 'nested deeper than 8 levels');
    assert.equal(metaProblem({ pad: 'x'.repeat(MAX_META_BYTES - 10) }), undefined);
    assert.equal(metaProblem({ pad: 'x'.repeat(MAX_META_BYTES - 9) }), 'larger than 4096 bytes as JSON');
    assert.equal(
      metaProblem({ pad: '\u00e9'.repeat(2100) }),
      'larger than 4096 bytes as JSON',
      'UTF-8 bytes',
    );
  });

  describe('POST /api/runs', () => {
    let base: string;
    let close: () => Promise<void>;
    before(async () => {
      const { server } = await startTestServer();
      base = server.apiBaseUrl;
      close = server.close;
    });
    after(() => close());

    for (const levels of [9, 4112, 10_000]) {
      it(`refuses meta nested ${levels} levels with a one-line 400, and keeps serving`, async () => {
        const res = await post(base, `{"handset":"h","bearer":"o2","meta":${nestedJson(levels)}}`);
        assert.equal(res.status, 400);
        assert.deepEqual(await res.json(), { error: 'invalid body: meta: nested deeper than 8 levels' });
        assert.equal((await fetch(`${base}/healthz`)).status, 200);
      });
    }

    it('refuses meta over 4 KiB as JSON with a one-line 400', async () => {
      const res = await post(
        base,
        JSON.stringify({ handset: 'h', bearer: 'o2', meta: { pad: 'x'.repeat(5000) } }),
      );
      assert.equal(res.status, 400);
      assert.deepEqual(await res.json(), { error: 'invalid body: meta: larger than 4096 bytes as JSON' });
    });

    it('keeps meta of 8 levels and reads it back', async () => {
      const meta = JSON.parse(nestedJson(8)) as Record<string, unknown>;
      const res = await post(base, JSON.stringify({ handset: 'h', bearer: 'o2', meta }));
      assert.equal(res.status, 201);
      const { token } = (await res.json()) as { token: string };
      const read = await captures(base, token);
      assert.equal(read.status, 200);
      const body = (await read.json()) as { run: { meta: unknown; metaOmitted?: string } };
      assert.deepEqual(body.run.meta, meta);
      assert.equal(body.run.metaOmitted, undefined);
    });
  });

  describe('runs stored before the bounds', () => {
    const tmp = tempDir();
    after(() => tmp.cleanup());

    it('a stored run with meta out of bounds or damaged still has readable captures (meta left out, said so)', async () => {
      const db = path.join(tmp.dir, 'old.db');
      const store = CaptureStore.open(db);
      const now = Date.now();
      const base = {
        handset: 'h',
        bearer: 'o2',
        plan: [],
        canary: { header: 'x', value: 'y' },
        createdAt: now,
      };
      const deep = { token: 'D'.repeat(32), ...base, expiresAt: now + 3600_000 };
      // What the endpoint stored before the bounds: a 4,112-level meta, created over the API.
      store.createRun({ ...deep, meta: JSON.parse(nestedJson(4112)) as Record<string, unknown> });
      const big = { token: 'B'.repeat(32), ...base, expiresAt: now + 3600_000 };
      store.createRun({ ...big, meta: { pad: 'x'.repeat(10_000) } });
      const damaged = { token: 'C'.repeat(32), ...base, expiresAt: now + 3600_000 };
      store.createRun({ ...damaged, meta: { ok: 1 } });
      store.close();
      const Database = (await import('better-sqlite3')).default;
      const raw = new Database(db);
      raw.prepare('UPDATE runs SET meta = ? WHERE token = ?').run('{"ok":', damaged.token);
      raw.close();

      const { server } = await startTestServer({ dbPath: db });
      try {
        const expected: [string, string][] = [
          [deep.token, 'the stored meta is nested deeper than 8 levels'],
          [big.token, 'the stored meta is larger than 4096 bytes as JSON'],
          [damaged.token, 'the stored meta is not valid JSON (damaged database)'],
        ];
        for (const [token, why] of expected) {
          const res = await captures(server.apiBaseUrl, token);
          assert.equal(res.status, 200, token.slice(0, 1));
          const body = (await res.json()) as { run: Record<string, unknown>; captures: unknown[] };
          assert.equal(body.run.metaOmitted, why);
          assert.equal('meta' in body.run, false);
          assert.deepEqual(body.captures, []);
        }
      } finally {
        await server.close();
      }
    });
  });
});

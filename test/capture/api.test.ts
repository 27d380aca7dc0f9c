import assert from 'node:assert/strict';
import { CaptureApiError, CaptureClient, type RunningCaptureServer } from '../../src/capture/index.ts';
import { isRunToken } from '../../src/capture/plan/run-token.ts';
import { API_KEY, RawConnection, rawRequest, startTestServer } from './helpers.ts';

describe('capture API', () => {
  let server: RunningCaptureServer;
  let client: CaptureClient;

  before(async () => {
    ({ server, client } = await startTestServer({ retentionMs: 3600_000 }));
  });
  after(() => server.close());

  function api(
    method: string,
    path: string,
    init: { key?: string | null; body?: string; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...init.headers };
    if (init.key !== null) headers.authorization = `Bearer ${init.key ?? API_KEY}`;
    if (init.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    return fetch(`${server.apiBaseUrl}${path}`, { method, headers, body: init.body });
  }

  describe('authentication', () => {
    const routes: [string, string][] = [
      ['POST', '/api/runs'],
      ['GET', '/api/runs/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/captures'],
      ['DELETE', '/api/runs/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
      ['GET', '/api/nothing-here'],
    ];
    for (const [method, path] of routes) {
      it(`refuses ${method} ${path} without the right key (401)`, async () => {
        const wrongSameLength = `${API_KEY.slice(0, -1)}X`;
        for (const auth of [
          undefined,
          `Bearer ${wrongSameLength}`,
          'Bearer short',
          `Basic ${API_KEY}`,
          `Bearer`,
          `${API_KEY}`,
        ]) {
          const res = await fetch(`${server.apiBaseUrl}${path}`, {
            method,
            headers: auth === undefined ? {} : { authorization: auth },
          });
          assert.equal(res.status, 401, `${auth}`);
          assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
          const body = (await res.json()) as { error: string };
          assert.match(body.error, /API key/);
        }
      });
    }

    it('accepts the key with any case of the scheme', async () => {
      const res = await fetch(`${server.apiBaseUrl}/api/runs`, {
        method: 'POST',
        headers: { authorization: `bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ handset: 'h', bearer: 'b' }),
      });
      assert.equal(res.status, 201);
    });

    it('lets /healthz through without a key', async () => {
      assert.equal((await fetch(`${server.apiBaseUrl}/healthz`)).status, 200);
      assert.equal(await client.health(), true);
    });

    it('client reports a wrong key as a CaptureApiError with status 401', async () => {
      const wrong = new CaptureClient(server.apiBaseUrl, 'nope');
      await assert.rejects(wrong.createRun({ handset: 'h', bearer: 'b' }), (err: unknown) => {
        assert.ok(err instanceof CaptureApiError);
        assert.equal(err.status, 401);
        return true;
      });
    });
  });

  describe('POST /api/runs', () => {
    it('creates a run: token, plan, expiry, start URL and canary', async () => {
      const before = Date.now();
      const res = await api('POST', '/api/runs', {
        body: JSON.stringify({ handset: 'pixel-7', bearer: 'o2', meta: { farm: 'lab', n: 1 } }),
      });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const run = (await res.json()) as Awaited<ReturnType<CaptureClient['createRun']>>;
      assert.ok(isRunToken(run.token));
      assert.equal(Buffer.from(run.token, 'base64url').length * 8, 192, 'at least 128 bits of randomness');
      assert.equal(
        run.plan.length,
        22,
        'the IPv4 probes, and nav, img and fetch on the IPv6 host with twins',
      );
      assert.equal(run.plan.filter((p) => p.family === 6).length, 6);
      for (const p of run.plan) {
        assert.ok(p.url.includes(`/p/${run.token}/${p.probe}`), p.probe);
        const port = new URL(p.url).port;
        assert.equal(Number(port), server.ports[p.listener], `${p.probe} on its listener's port`);
      }
      assert.equal(run.startUrl, run.plan.find((p) => p.probe === 'nav')!.url);
      assert.equal(run.canary.header, 'x-up-calling-line-id');
      const expires = Date.parse(run.expiresAt);
      assert.ok(expires >= before + 3600_000 && expires <= Date.now() + 3600_000);

      const caps = await client.getCaptures(run.token);
      assert.deepEqual(caps.run.meta, { farm: 'lab', n: 1 });
      assert.equal(caps.run.handset, 'pixel-7');
      assert.equal(caps.run.bearer, 'o2');
      assert.deepEqual(caps.run.canary, run.canary);
      assert.deepEqual(caps.plan, run.plan);
    });

    it('gives every run its own token', async () => {
      const tokens = new Set<string>();
      for (let i = 0; i < 20; i++) tokens.add((await client.createRun({ handset: 'h', bearer: 'b' })).token);
      assert.equal(tokens.size, 20);
    });

    const invalid: [string, string, RegExp][] = [
      ['missing handset', JSON.stringify({ bearer: 'o2' }), /handset/],
      ['empty handset', JSON.stringify({ handset: '  ', bearer: 'o2' }), /handset: must not be empty/],
      ['wrong type', JSON.stringify({ handset: 7, bearer: 'o2' }), /handset/],
      ['unknown key', JSON.stringify({ handset: 'h', bearer: 'o2', msisdn: '447700900123' }), /msisdn/],
      ['control characters', JSON.stringify({ handset: 'a\u0000b', bearer: 'o2' }), /control characters/],
      ['meta not an object', JSON.stringify({ handset: 'h', bearer: 'o2', meta: [1] }), /meta/],
      ['an array body', '[]', /expected object/],
      ['broken JSON', '{"handset":', /not valid JSON/],
    ];
    for (const [what, body, message] of invalid) {
      it(`refuses ${what} with a one-line 400`, async () => {
        const res = await api('POST', '/api/runs', { body });
        assert.equal(res.status, 400);
        const { error } = (await res.json()) as { error: string };
        assert.match(error, message);
        assert.ok(!error.includes('\n'));
        assert.ok(!error.includes('447700900123'), 'values are not echoed');
      });
    }

    it('refuses a body that is not JSON with 415', async () => {
      const res = await api('POST', '/api/runs', {
        body: 'handset=h',
        headers: { 'content-type': 'text/plain' },
      });
      assert.equal(res.status, 415);
    });

    it('refuses a declared body over 64 KiB with 413', async () => {
      const body = JSON.stringify({ handset: 'h', bearer: 'b', meta: { pad: 'x'.repeat(70 * 1024) } });
      const res = await api('POST', '/api/runs', { body });
      assert.equal(res.status, 413);
      assert.match(((await res.json()) as { error: string }).error, /larger than 65536 bytes/);
    });

    it('refuses a chunked body that grows past 64 KiB with 413, and keeps serving', async () => {
      const conn = await RawConnection.open(server.ports.main);
      conn.write(
        `POST /api/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${API_KEY}\r\n` +
          'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
      );
      const chunk = 'x'.repeat(16 * 1024);
      for (let i = 0; i < 6; i++) conn.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      const res = await conn.read();
      conn.close();
      assert.equal(res.status, 413);
      assert.equal(await client.health(), true);
      await client.createRun({ handset: 'h', bearer: 'b' });
    });

    it('answers other methods with 405', async () => {
      const res = await api('GET', '/api/runs');
      assert.equal(res.status, 405);
      assert.equal(res.headers.get('allow'), 'POST');
    });
  });

  describe('captures and deletion', () => {
    it('answers unknown, malformed and deleted runs with 404', async () => {
      for (const token of ['AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'short', '..%2F..']) {
        const res = await api('GET', `/api/runs/${token}/captures`);
        assert.equal(res.status, 404, token);
      }
      const run = await client.createRun({ handset: 'h', bearer: 'b' });
      await rawRequest(server.ports.main, `GET /p/${run.token}/fetch HTTP/1.1\r\nHost: x\r\n\r\n`);
      assert.equal((await client.getCaptures(run.token)).captures.length, 1);

      const del = await api('DELETE', `/api/runs/${run.token}`);
      assert.equal(del.status, 204);
      assert.equal((await api('GET', `/api/runs/${run.token}/captures`)).status, 404);
      assert.equal((await api('DELETE', `/api/runs/${run.token}`)).status, 404);
      await client.deleteRun(run.token); // already gone: not an error for the client

      const probe = await rawRequest(
        server.ports.main,
        `GET /p/${run.token}/fetch HTTP/1.1\r\nHost: x\r\n\r\n`,
      );
      assert.equal(probe.status, 404, 'a deleted run records nothing more');
    });

    it('caps the captures one run may hold (429 past the cap)', async () => {
      const { server: s2, client: c2 } = await startTestServer({ maxCapturesPerRun: 3 });
      try {
        const run = await c2.createRun({ handset: 'h', bearer: 'b' });
        const statuses: number[] = [];
        for (let i = 0; i < 5; i++) {
          statuses.push(
            (await rawRequest(s2.ports.main, `GET /p/${run.token}/fetch HTTP/1.1\r\nHost: x\r\n\r\n`)).status,
          );
        }
        assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
        assert.equal((await c2.getCaptures(run.token)).captures.length, 3);
      } finally {
        await s2.close();
      }
    });

    it('answers unknown API routes with 404 JSON', async () => {
      const res = await api('GET', '/api/whatever');
      assert.equal(res.status, 404);
      assert.match(res.headers.get('content-type') ?? '', /json/);
    });
  });

  it('client.health() is false when nothing listens', async () => {
    const { server: s2, client: c2 } = await startTestServer();
    await s2.close();
    assert.equal(await c2.health(), false);
  });
});

import assert from 'node:assert/strict';
import http2 from 'node:http2';
import path from 'node:path';
import tls from 'node:tls';
import Database from 'better-sqlite3';
import type { CaptureClient, CreatedRun, RunningCaptureServer } from '../../src/capture/index.ts';
import { newRunToken } from '../../src/capture/plan/run-token.ts';
import { header, pathOf, RawConnection, rawRequest, startTestServer, tempDir } from './helpers.ts';

function urlOf(run: CreatedRun, probe: string): string {
  const entry = run.plan.find((p) => p.probe === probe);
  assert.ok(entry, `plan has ${probe}`);
  return entry.url;
}

function h2Request(
  session: http2.ClientHttp2Session,
  headers: http2.OutgoingHttpHeaders,
): Promise<{ status: number; headers: http2.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers);
    let body = '';
    let responseHeaders: http2.IncomingHttpHeaders = {};
    stream.setEncoding('utf8');
    stream.on('response', (h) => {
      responseHeaders = h;
    });
    stream.on('data', (d: string) => {
      body += d;
    });
    stream.on('end', () =>
      resolve({ status: Number(responseHeaders[':status']), headers: responseHeaders, body }),
    );
    stream.on('error', reject);
    stream.end();
  });
}

describe('capture endpoint over real sockets', () => {
  let server: RunningCaptureServer;
  let client: CaptureClient;
  let run: CreatedRun;
  let tmp: ReturnType<typeof tempDir>;
  let dbPath: string;

  /** Every capture in the database, whatever the run: proves that nothing else was stored. */
  function totalRows(): number {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT coalesce(sum(n), 0) AS n FROM capture_blocks').get() as { n: number }).n;
    } finally {
      db.close();
    }
  }

  before(async () => {
    tmp = tempDir();
    dbPath = path.join(tmp.dir, 'captures.db');
    ({ server, client } = await startTestServer({ dbPath }));
    run = await client.createRun({ handset: 'pixel-7', bearer: 'o2' });
  });

  after(async () => {
    await server.close();
    tmp.cleanup();
  });

  it('stores the headers of a raw request exactly: odd case, order and duplicates', async () => {
    const conn = await RawConnection.open(server.ports.main);
    const target = pathOf(urlOf(run, 'fetch'));
    const res = await conn.request(
      `GET ${target}?cb=1 HTTP/1.1\r\n` +
        `hOsT: probe.localhost:${server.ports.main}\r\n` +
        'X-UP-Calling-Line-ID: 447700900123\r\n' +
        'x-Odd-CASE:  padded value \r\n' +
        'Accept: */*\r\n' +
        'X-Dup: one\r\n' +
        'x-dup: two\r\n' +
        'Cookie: a=1\r\n' +
        'Cookie: b=2\r\n' +
        '\r\n',
    );
    const localPort = conn.socket.localPort;
    conn.close();
    assert.equal(res.status, 200);
    assert.equal(header(res, 'cache-control'), 'no-store, no-transform');
    assert.equal(header(res, 'access-control-allow-origin'), '*');
    assert.ok(res.body.length < 100, 'probe responses are small');

    const { captures } = await client.getCaptures(run.token);
    const c = captures.at(-1)!;
    assert.deepEqual(c.headers, [
      ['hOsT', `probe.localhost:${server.ports.main}`],
      ['X-UP-Calling-Line-ID', '447700900123'],
      ['x-Odd-CASE', 'padded value'],
      ['Accept', '*/*'],
      ['X-Dup', 'one'],
      ['x-dup', 'two'],
      ['Cookie', 'a=1'],
      ['Cookie', 'b=2'],
    ]);
    assert.equal(c.runToken, run.token);
    assert.equal(c.probe, 'fetch');
    assert.equal(c.listener, 'main');
    assert.equal(c.tls, false);
    assert.equal(c.httpVersion, '1.1');
    assert.equal(c.method, 'GET');
    assert.equal(c.url, `${target}?cb=1`);
    assert.equal(c.host, `probe.localhost:${server.ports.main}`);
    assert.equal(c.remoteAddress, '127.0.0.1');
    assert.equal(c.remotePort, localPort);
    assert.equal(c.connectionRequestIndex, 1);
    assert.ok(Math.abs(Date.parse(c.receivedAt) - Date.now()) < 10_000);
  });

  it('keeps every header of a large block: no silent cap on the header count', async () => {
    let lines = '';
    for (let i = 0; i < 3000; i++) lines += `X-H${i}: ${i}\r\n`;
    const res = await rawRequest(
      server.ports.main,
      `GET ${pathOf(urlOf(run, 'img'))} HTTP/1.1\r\nHost: probe.localhost\r\n${lines}X-Last: leak\r\n\r\n`,
    );
    assert.equal(res.status, 200);
    assert.equal(header(res, 'content-type'), 'image/gif');
    const c = (await client.getCaptures(run.token)).captures.at(-1)!;
    assert.equal(c.headers.length, 3002);
    assert.deepEqual(c.headers.at(-1), ['X-Last', 'leak']);
  });

  it('accepts an absolute-form request target (as a gateway may send) and stores it as sent', async () => {
    const target = `http://probe.localhost:${server.ports.main}${pathOf(urlOf(run, 'fetch'))}`;
    const res = await rawRequest(
      server.ports.main,
      `GET ${target} HTTP/1.1\r\nHost: probe.localhost\r\n\r\n`,
    );
    assert.equal(res.status, 200);
    const c = (await client.getCaptures(run.token)).captures.at(-1)!;
    assert.equal(c.probe, 'fetch');
    assert.equal(c.url, target);
  });

  it('records the alternate listener', async () => {
    const res = await rawRequest(
      server.ports.alt,
      `GET ${pathOf(urlOf(run, 'alt'))} HTTP/1.1\r\nHost: probe.localhost\r\n\r\n`,
    );
    assert.equal(res.status, 200);
    const c = (await client.getCaptures(run.token)).captures.at(-1)!;
    assert.equal(c.probe, 'alt');
    assert.equal(c.listener, 'alt');
  });

  it('numbers requests on one connection and closes the connection after same-conn', async () => {
    const conn = await RawConnection.open(server.ports.main);
    const get = (probe: string) =>
      conn.request(`GET ${pathOf(urlOf(run, probe))} HTTP/1.1\r\nHost: probe.localhost\r\n\r\n`);
    assert.equal((await get('fetch')).status, 200);
    const same = await get('same-conn');
    assert.equal(same.status, 200);
    assert.equal(header(same, 'connection'), 'close');
    await conn.waitClosed();
    await rawRequest(
      server.ports.main,
      `GET ${pathOf(urlOf(run, 'new-conn'))} HTTP/1.1\r\nHost: probe.localhost\r\n\r\n`,
    );

    const caps = (await client.getCaptures(run.token)).captures.slice(-3);
    assert.deepEqual(
      caps.map((c) => [c.probe, c.connectionRequestIndex]),
      [
        ['fetch', 1],
        ['same-conn', 2],
        ['new-conn', 1],
      ],
    );
    assert.equal(caps[0]!.connectionId, caps[1]!.connectionId);
    assert.notEqual(caps[1]!.connectionId, caps[2]!.connectionId);
  });

  it('records HTTPS over HTTP/1.1 with case and order kept', async () => {
    const res = await rawRequest(
      server.ports.https,
      `GET ${pathOf(urlOf(run, 'fetch-tls'))} HTTP/1.1\r\nHost: probe.localhost\r\nX-Mixed-Case: 1\r\nx-mixed-case: 2\r\n\r\n`,
      { tls: true },
    );
    assert.equal(res.status, 200);
    const c = (await client.getCaptures(run.token)).captures.at(-1)!;
    assert.equal(c.probe, 'fetch-tls');
    assert.equal(c.listener, 'https');
    assert.equal(c.tls, true);
    assert.equal(c.httpVersion, '1.1');
    assert.deepEqual(c.headers, [
      ['Host', 'probe.localhost'],
      ['X-Mixed-Case', '1'],
      ['x-mixed-case', '2'],
    ]);
  });

  it('records HTTPS over h2, pseudo-headers and duplicates included', async () => {
    const session = http2.connect(`https://127.0.0.1:${server.ports.https}`, { rejectUnauthorized: false });
    try {
      const res = await h2Request(session, {
        ':path': pathOf(urlOf(run, 'img-tls')),
        ':authority': `probe.localhost:${server.ports.https}`,
        'x-first': 'a',
        'x-dup': ['1', '2'],
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers['cache-control'], 'no-store, no-transform');
      assert.equal(res.headers['access-control-allow-origin'], '*');
    } finally {
      session.close();
    }
    const c = (await client.getCaptures(run.token)).captures.at(-1)!;
    assert.equal(c.probe, 'img-tls');
    assert.equal(c.httpVersion, '2.0');
    assert.equal(c.tls, true);
    assert.equal(c.host, `probe.localhost:${server.ports.https}`);
    const names = c.headers.map(([n]) => n);
    assert.ok(names.includes(':path') && names.includes(':authority'), 'pseudo-headers are kept');
    const dups = c.headers.filter(([n]) => n === 'x-dup').map(([, v]) => v);
    assert.deepEqual(dups, ['1', '2']);
    assert.ok(names.indexOf('x-first') < names.indexOf('x-dup'));
  });

  it('h2: same-conn-tls sends GOAWAY, so the next probe needs a new connection', async () => {
    const session = http2.connect(`https://127.0.0.1:${server.ports.https}`, { rejectUnauthorized: false });
    const goaway = new Promise<void>((resolve) => session.once('goaway', () => resolve()));
    const res = await h2Request(session, { ':path': pathOf(urlOf(run, 'same-conn-tls')) });
    assert.equal(res.status, 200);
    await goaway;
    session.close();
    const fresh = http2.connect(`https://127.0.0.1:${server.ports.https}`, { rejectUnauthorized: false });
    try {
      assert.equal((await h2Request(fresh, { ':path': pathOf(urlOf(run, 'new-conn-tls')) })).status, 200);
    } finally {
      fresh.close();
    }
    const [same, next] = (await client.getCaptures(run.token)).captures.slice(-2);
    assert.equal(same!.probe, 'same-conn-tls');
    assert.equal(next!.probe, 'new-conn-tls');
    assert.notEqual(same!.connectionId, next!.connectionId);
  });

  it('answers unknown tokens and probe ids with 404 and stores nothing', async () => {
    const before = totalRows();
    const targets = [
      `/p/${newRunToken()}/fetch`,
      '/p/not-a-token/fetch',
      `/p/${run.token}/no-such-probe`,
      `/p/${run.token}/fetch/extra`,
      '/favicon.ico',
      '/p/',
    ];
    for (const target of targets) {
      const res = await rawRequest(
        server.ports.main,
        `GET ${target} HTTP/1.1\r\nHost: probe.localhost\r\n\r\n`,
      );
      assert.ok(
        res.status === 404 || (target === '/favicon.ico' && res.status === 204),
        `${target}: ${res.status}`,
      );
    }
    assert.equal(totalRows(), before);
  });

  it('refuses other methods on probes and stores nothing', async () => {
    const before = totalRows();
    const res = await rawRequest(
      server.ports.main,
      `POST ${pathOf(urlOf(run, 'fetch'))} HTTP/1.1\r\nHost: probe.localhost\r\nContent-Length: 2\r\n\r\n{}`,
    );
    assert.equal(res.status, 405);
    assert.equal(header(res, 'allow'), 'GET, HEAD, OPTIONS');
    assert.equal(totalRows(), before);
  });

  it('answers CORS preflights; a preflight is stored but does not count as the probe', async () => {
    const { client: c2, server: s2 } = await startTestServer();
    try {
      const r = await c2.createRun({ handset: 'h', bearer: 'b' });
      const res = await rawRequest(
        s2.ports.main,
        `OPTIONS ${pathOf(urlOf(r, 'alt'))} HTTP/1.1\r\nHost: probe.localhost\r\nOrigin: http://x.localhost\r\n` +
          'Access-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: x-up-calling-line-id\r\n' +
          'Access-Control-Request-Private-Network: true\r\n\r\n',
      );
      assert.equal(res.status, 204);
      assert.equal(header(res, 'access-control-allow-origin'), '*');
      assert.equal(header(res, 'access-control-allow-headers'), 'x-up-calling-line-id');
      assert.equal(header(res, 'access-control-allow-private-network'), 'true');
      const caps = await c2.getCaptures(r.token);
      assert.equal(caps.captures.length, 1);
      assert.equal(caps.captures[0]!.method, 'OPTIONS');
      assert.ok(caps.missing.includes('alt'));
    } finally {
      await s2.close();
    }
  });

  it('sends a probe that arrives on the wrong listener to its planned URL, and does not count it', async () => {
    const { client: c2, server: s2 } = await startTestServer();
    try {
      const r = await c2.createRun({ handset: 'h', bearer: 'b' });
      const res = await rawRequest(
        s2.ports.https,
        `GET ${pathOf(urlOf(r, 'nav'))} HTTP/1.1\r\nHost: probe.localhost\r\n\r\n`,
        { tls: true },
      );
      assert.equal(res.status, 307);
      assert.equal(header(res, 'location'), urlOf(r, 'nav'));
      const caps = await c2.getCaptures(r.token);
      assert.equal(caps.captures[0]!.listener, 'https');
      assert.ok(caps.missing.includes('nav'));
    } finally {
      await s2.close();
    }
  });

  it('answers an oversized header block with 431 and keeps serving', async () => {
    const before = totalRows();
    const big = 'a'.repeat(70 * 1024);
    for (const tls of [false, true]) {
      const port = tls ? server.ports.https : server.ports.main;
      const res = await rawRequest(
        port,
        `GET ${pathOf(urlOf(run, 'fetch'))} HTTP/1.1\r\nHost: probe.localhost\r\nX-Big: ${big}\r\n\r\n`,
        { tls },
      );
      assert.equal(res.status, 431, tls ? 'https' : 'main');
      assert.match(res.body, /larger than 65536 bytes/);
      assert.ok(!res.body.includes('aaaa'), 'the header is not echoed');
    }
    assert.equal(totalRows(), before);
    assert.equal(await client.health(), true);
    const ok = await rawRequest(
      server.ports.main,
      `GET ${pathOf(urlOf(run, 'fetch'))} HTTP/1.1\r\nHost: p\r\n\r\n`,
    );
    assert.equal(ok.status, 200);
  });

  it('refuses an oversized h2 header list without storing it, and keeps serving', async () => {
    const before = totalRows();
    const session = http2.connect(`https://127.0.0.1:${server.ports.https}`, { rejectUnauthorized: false });
    session.on('error', () => {});
    try {
      await assert.rejects(
        h2Request(session, { ':path': pathOf(urlOf(run, 'fetch-tls')), 'x-big': 'a'.repeat(70 * 1024) }),
      );
    } finally {
      session.destroy();
    }
    assert.equal(totalRows(), before);
    const fresh = http2.connect(`https://127.0.0.1:${server.ports.https}`, { rejectUnauthorized: false });
    try {
      assert.equal((await h2Request(fresh, { ':path': pathOf(urlOf(run, 'fetch-tls')) })).status, 200);
    } finally {
      fresh.close();
    }
  });

  it('survives garbage on an h2 connection', async () => {
    const tlsSocket = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({
        port: server.ports.https,
        host: '127.0.0.1',
        rejectUnauthorized: false,
        ALPNProtocols: ['h2'],
      });
      s.once('secureConnect', () => resolve(s));
      s.once('error', reject);
    });
    assert.equal(tlsSocket.alpnProtocol, 'h2');
    tlsSocket.on('error', () => {});
    tlsSocket.resume();
    tlsSocket.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    tlsSocket.write(Buffer.alloc(64, 0xff));
    await new Promise((r) => tlsSocket.once('close', r));
    assert.equal(await client.health(), true);
  });

  it('answers malformed requests with 400 and keeps serving', async () => {
    const bad = [
      'GET /p/x HTTP/1.1\r\nHost: a\r\nNo colon here\r\n\r\n',
      'GARBAGE\r\n\r\n',
      'GET / HTTP/9.9\r\n\r\n',
      'GET /me HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
      Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0x0d, 0x0a, 0x0d, 0x0a]),
    ];
    for (const text of bad) {
      const res = await rawRequest(server.ports.main, text);
      assert.equal(res.status, 400, JSON.stringify(text.toString()));
    }
    assert.equal(await client.health(), true);
  });

  it('serves /me: the visitor’s own headers, in order, escaped', async () => {
    const res = await rawRequest(
      server.ports.main,
      'GET /me HTTP/1.1\r\nHost: probe.localhost\r\nX-Evil: <script>alert(1)</script>\r\nx-up-calling-line-id: 447700900123\r\n\r\n',
    );
    assert.equal(res.status, 200);
    assert.match(header(res, 'content-type')!, /^text\/html/);
    assert.match(header(res, 'content-security-policy')!, /default-src 'none'/);
    assert.match(header(res, 'cache-control')!, /no-store/);
    assert.ok(res.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(!res.body.includes('<script>alert'));
    assert.ok(res.body.indexOf('X-Evil') < res.body.indexOf('x-up-calling-line-id'));
    assert.ok(res.body.includes('447700900123'), 'a visitor sees their own values');
  });

  it('answers /healthz with JSON', async () => {
    const res = await rawRequest(server.ports.main, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { status: 'ok' });
  });

  it('serves a navigation page that references every planned probe', async () => {
    const nav = await rawRequest(
      server.ports.main,
      `GET ${pathOf(run.startUrl)} HTTP/1.1\r\nHost: probe.localhost\r\n\r\n`,
    );
    assert.equal(nav.status, 200);
    assert.match(header(nav, 'content-type')!, /^text\/html/);
    assert.equal(header(nav, 'cache-control'), 'no-store, no-transform');
    assert.match(nav.body, /data-complete="false"/);
    assert.match(nav.body, new RegExp(`data-probes-total="${run.plan.length}"`));
    for (const p of run.plan) assert.ok(nav.body.includes(p.url), `nav page references ${p.probe}`);
    for (const probe of ['partner', 'partner-tls']) {
      const tls = probe.endsWith('-tls');
      const page = await rawRequest(
        tls ? server.ports.https : server.ports.main,
        `GET ${pathOf(urlOf(run, probe))} HTTP/1.1\r\nHost: partner.localhost\r\n\r\n`,
        { tls },
      );
      assert.equal(page.status, 200);
      assert.ok(
        page.body.includes(pathOf(urlOf(run, tls ? 'canary-tls' : 'canary'))),
        `${probe} fetches its canary`,
      );
      assert.ok(page.body.includes(run.canary.header) && page.body.includes(run.canary.value));
    }
  });

  it('judges completeness itself: complete once every planned probe arrived on its listener', async () => {
    const { client: c2, server: s2 } = await startTestServer();
    try {
      const r = await c2.createRun({ handset: 'h', bearer: 'b' });
      const first = await c2.getCaptures(r.token);
      assert.equal(first.complete, false);
      assert.deepEqual(
        first.missing,
        r.plan.map((p) => p.probe),
      );
      for (const p of r.plan) {
        const port = s2.ports[p.listener];
        const res = await rawRequest(port, `GET ${pathOf(p.url)} HTTP/1.1\r\nHost: x\r\n\r\n`, {
          tls: p.tls,
        });
        assert.equal(res.status, 200, p.probe);
      }
      const last = await c2.getCaptures(r.token);
      assert.equal(last.complete, true);
      assert.deepEqual(last.missing, []);
      assert.equal(last.captures.length, r.plan.length);
    } finally {
      await s2.close();
    }
  });

  it('closes idempotently and stops listening', async () => {
    const { server: s2 } = await startTestServer();
    await Promise.all([s2.close(), s2.close()]);
    await s2.close();
    await assert.rejects(RawConnection.open(s2.ports.main));
  });
});

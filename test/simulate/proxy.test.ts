import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import selfsigned from 'selfsigned';
import {
  FAULT_NAMES,
  type RunningSimulator,
  SIM_BEARERS,
  type SimulatorOptions,
  startSimulator,
  trackingId,
} from '../../src/simulate/index.ts';
import {
  connectTunnel,
  type Echo,
  names,
  rawExchange,
  readBytes,
  startEcho,
  startTcpEcho,
  values,
  viaProxy,
} from './helpers.ts';

const MSISDN = '447700900123';
const CLI = 'x-up-calling-line-id';

describe('simulate/proxy: forwarding through a real HTTP client', () => {
  let echo: Echo;
  const sims: RunningSimulator[] = [];

  async function sim(options: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
    const s = await startSimulator({ bearer: 'o2', msisdn: MSISDN, logLevel: 'silent', ...options });
    sims.push(s);
    return s;
  }

  before(async () => {
    echo = await startEcho();
  });
  after(async () => {
    await Promise.all(sims.map((s) => s.close()));
    await echo.close();
  });

  function lastCapture() {
    const c = echo.captures[echo.captures.length - 1];
    assert.ok(c, 'the origin received a request');
    return c;
  }

  /** The same request sent straight to the origin: what the client itself sends. */
  async function direct(path: string, headers: string[]): Promise<string[]> {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port: echo.port,
        path,
        headers,
        agent: false,
        setHost: false,
      });
      req.on('response', resolve);
      req.on('error', reject);
      req.end();
    });
    res.resume();
    await once(res, 'end');
    return lastCapture().rawHeaders;
  }

  for (const bearer of SIM_BEARERS) {
    it(`${bearer} healthy: a third party gets the client's headers plus only Via and X-Forwarded-For`, async () => {
      const s = await sim({ bearer });
      const headers = [
        'Host',
        `probe.localhost:${echo.port}`,
        'User-Agent',
        'Handset/1.0',
        'X-Mixed-CASE',
        'v',
      ];
      const sent = await direct('/nav', headers);
      const res = await viaProxy(s.port, `http://probe.localhost:${echo.port}/nav?t=1`, { headers });
      assert.equal(res.status, 200);
      const got = lastCapture();
      assert.equal(got.url, '/nav?t=1');
      assert.deepEqual(got.rawHeaders.slice(0, sent.length), sent);
      assert.deepEqual(names(got.rawHeaders.slice(sent.length)), ['Via', 'X-Forwarded-For']);
      assert.equal(JSON.stringify(got.rawHeaders).includes(MSISDN), false);
      assert.match(values(got.rawHeaders, 'x-forwarded-for')[0]!, /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./);
    });

    it(`${bearer} healthy: the partner host gets x-up-calling-line-id, a forged one is stripped`, async () => {
      const s = await sim({ bearer });
      await viaProxy(s.port, `http://partner.localhost:${echo.port}/p`, {
        headers: ['Host', `partner.localhost:${echo.port}`, 'x-up-calling-line-id', '449999999999'],
      });
      assert.deepEqual(values(lastCapture().rawHeaders, CLI), [MSISDN]);
    });
  }

  it('keeps a curl-style client header list exactly: no Connection or other header of its own', async () => {
    const s = await sim();
    const request =
      `GET http://probe.localhost:${echo.port}/raw HTTP/1.1\r\nHost: probe.localhost:${echo.port}\r\n` +
      'user-agent: curl/8\r\nACCEPT: */*\r\nProxy-Connection: Keep-Alive\r\nX-Dup: 1\r\nX-Dup: 2\r\n\r\n';
    const text = await rawExchange(s.port, request);
    assert.match(text, /^HTTP\/1\.1 200 /);
    assert.deepEqual(names(lastCapture().rawHeaders), [
      'Host',
      'user-agent',
      'ACCEPT',
      'X-Dup',
      'X-Dup',
      'Via',
      'X-Forwarded-For',
    ]);
    assert.deepEqual(values(lastCapture().rawHeaders, 'x-dup'), ['1', '2']);
  });

  it('also works as a transparent gateway: origin-form requests go to their Host', async () => {
    const s = await sim({ fault: 'o2-2012' });
    const host = `probe.localhost:${echo.port}`;
    const text = await rawExchange(
      s.port,
      `GET /transparent?q=1 HTTP/1.1\r\nHost: ${host}\r\nAccept: */*\r\n\r\n`,
    );
    assert.match(text, /^HTTP\/1\.1 200 /);
    const got = lastCapture();
    assert.equal(got.url, '/transparent?q=1');
    assert.deepEqual(names(got.rawHeaders), ['Host', 'Accept', 'Via', 'X-Forwarded-For', CLI]);
  });

  it('o2-2012: the probe host gets the number too', async () => {
    const s = await sim({ fault: 'o2-2012' });
    await viaProxy(s.port, `http://probe.localhost:${echo.port}/x`);
    assert.deepEqual(values(lastCapture().rawHeaders, CLI), [MSISDN]);
  });

  it('partner-lost: the partner gets no enrichment', async () => {
    const s = await sim({ fault: 'partner-lost' });
    await viaProxy(s.port, `http://partner.localhost:${echo.port}/x`);
    assert.deepEqual(names(lastCapture().rawHeaders), ['Host', 'Connection', 'Via', 'X-Forwarded-For']);
  });

  it('tracking-id: a stable X-UIDH to every host', async () => {
    const s = await sim({ fault: 'tracking-id' });
    await viaProxy(s.port, `http://probe.localhost:${echo.port}/a`);
    const first = values(lastCapture().rawHeaders, 'x-uidh');
    await viaProxy(s.port, `http://other.localhost:${echo.port}/b`);
    assert.deepEqual(values(lastCapture().rawHeaders, 'x-uidh'), first);
    assert.deepEqual(first, [trackingId(MSISDN)]);
    assert.deepEqual(values(lastCapture().rawHeaders, CLI), []);
  });

  it('spoofable: a client-sent identity header reaches the partner unchanged', async () => {
    const s = await sim({ fault: 'spoofable' });
    await viaProxy(s.port, `http://partner.localhost:${echo.port}/canary`, {
      headers: ['Host', `partner.localhost:${echo.port}`, 'x-up-calling-line-id', '449999999999'],
    });
    assert.deepEqual(values(lastCapture().rawHeaders, CLI), ['449999999999', MSISDN]);
  });

  it('first-request-only: only request 1 of each client connection is enriched (keep-alive counting)', async () => {
    const s = await sim({ fault: 'first-request-only' });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const r1 = await viaProxy(s.port, `http://probe.localhost:${echo.port}/1`, { agent });
      const c1 = lastCapture();
      const r2 = await viaProxy(s.port, `http://probe.localhost:${echo.port}/2`, { agent });
      const c2 = lastCapture();
      const r3 = await viaProxy(s.port, `http://probe.localhost:${echo.port}/3`, { agent });
      const c3 = lastCapture();
      assert.equal(r1.socket, r2.socket, 'the client reused its connection');
      assert.equal(r2.socket, r3.socket);
      assert.deepEqual(values(c1.rawHeaders, CLI), [MSISDN]);
      assert.deepEqual(values(c2.rawHeaders, CLI), []);
      assert.deepEqual(values(c3.rawHeaders, CLI), []);
      assert.equal(c2.remotePort, c1.remotePort, 'the upstream connection was kept alive too');
      assert.deepEqual([c1.index, c2.index, c3.index], [1, 2, 3]);
    } finally {
      agent.destroy();
    }
    // A new client connection counts from 1 again.
    await viaProxy(s.port, `http://probe.localhost:${echo.port}/4`);
    assert.deepEqual(values(lastCapture().rawHeaders, CLI), [MSISDN]);
  });

  it('passes on Connection: close from upstream and closes that client connection', async () => {
    const s = await sim({ fault: 'first-request-only' });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      await viaProxy(s.port, `http://probe.localhost:${echo.port}/warm`, { agent });
      const res = await viaProxy(s.port, `http://probe.localhost:${echo.port}/close`, { agent });
      assert.deepEqual(values(res.rawHeaders, 'connection'), ['close']);
      if (!res.socket.destroyed) await once(res.socket, 'close');
      await viaProxy(s.port, `http://probe.localhost:${echo.port}/after`, { agent });
      const after = lastCapture();
      assert.notEqual(res.socket, undefined);
      assert.deepEqual(values(after.rawHeaders, CLI), [MSISDN], 'a new connection is request 1 again');
      assert.equal(after.index, 1, 'and a new upstream connection');
    } finally {
      agent.destroy();
    }
  });

  it('alt-port-only: leaks on the alternate port, not on the main port', async () => {
    const alt = await startEcho();
    try {
      const s = await sim({ fault: 'alt-port-only', mainPort: echo.port });
      await viaProxy(s.port, `http://probe.localhost:${echo.port}/main`);
      assert.deepEqual(values(lastCapture().rawHeaders, CLI), []);
      await viaProxy(s.port, `http://probe.localhost:${alt.port}/alt`);
      assert.deepEqual(values(alt.captures[0]!.rawHeaders, CLI), [MSISDN]);
    } finally {
      await alt.close();
    }
  });

  it('subresource-only: images and fetches leak, documents do not', async () => {
    const s = await sim({ fault: 'subresource-only' });
    const host = `probe.localhost:${echo.port}`;
    await viaProxy(s.port, `http://${host}/doc`, {
      headers: ['Host', host, 'Accept', 'text/html,*/*;q=0.8', 'Sec-Fetch-Dest', 'document'],
    });
    assert.deepEqual(values(lastCapture().rawHeaders, CLI), []);
    await viaProxy(s.port, `http://${host}/img`, {
      headers: ['Host', host, 'Accept', 'image/*', 'Sec-Fetch-Dest', 'image'],
    });
    assert.deepEqual(values(lastCapture().rawHeaders, CLI), [MSISDN]);
    await viaProxy(s.port, `http://${host}/api`, {
      headers: ['Host', host, 'Accept', '*/*', 'Sec-Fetch-Dest', 'empty'],
    });
    assert.deepEqual(values(lastCapture().rawHeaders, CLI), [MSISDN]);
  });

  it('encoded: the number base64-encoded and hashed under innocuous names', async () => {
    const s = await sim({ fault: 'encoded' });
    await viaProxy(s.port, `http://probe.localhost:${echo.port}/e`);
    const raw = lastCapture().rawHeaders;
    assert.equal(Buffer.from(values(raw, 'x-session-ref')[0]!, 'base64').toString(), MSISDN);
    assert.equal(values(raw, 'x-client-hash')[0]!.length, 64);
    assert.equal(JSON.stringify(raw).includes(MSISDN), false);
  });

  it('every fault keeps the proxy working for partner and probe', async () => {
    for (const fault of FAULT_NAMES) {
      const s = await sim({ fault });
      for (const host of ['probe', 'partner']) {
        const res = await viaProxy(s.port, `http://${host}.localhost:${echo.port}/${fault}`);
        assert.equal(res.status, 200, `${fault} ${host}`);
        assert.equal(JSON.parse(res.body).url, `/${fault}`);
      }
    }
  });

  it('forwards request bodies (length and chunked) and chunked responses', async () => {
    const s = await sim();
    const host = `probe.localhost:${echo.port}`;
    const res = await viaProxy(s.port, `http://${host}/post`, {
      method: 'POST',
      headers: ['Host', host, 'Content-Type', 'text/plain', 'Content-Length', '11'],
      body: 'hello world',
    });
    assert.equal(JSON.parse(res.body).body, 'hello world');
    const chunked = await rawExchange(
      s.port,
      `POST http://${host}/post HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n`,
    );
    assert.match(chunked, /"body":"hello world"/);
    assert.deepEqual(values(lastCapture().rawHeaders, 'transfer-encoding'), ['chunked']);
    const streamed = await viaProxy(s.port, `http://${host}/chunked`);
    assert.equal(streamed.body, 'hello world');
    assert.deepEqual(values(streamed.rawHeaders, 'x-echo-case'), ['Kept']);
    assert.ok(streamed.rawHeaders.includes('X-Echo-Case'), 'response header case kept');
  });

  it('streams a large response intact, then reuses both connections', async () => {
    const s = await sim();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const big = await viaProxy(s.port, `http://probe.localhost:${echo.port}/big`, { agent });
      assert.equal(big.body.length, 1024 * 1024);
      assert.equal(/^x+$/.test(big.body), true);
      const next = await viaProxy(s.port, `http://probe.localhost:${echo.port}/after-big`, { agent });
      assert.equal(next.socket, big.socket);
      assert.equal(JSON.parse(next.body).index, 2, 'same upstream connection');
    } finally {
      agent.destroy();
    }
  });

  it('answers HEAD without waiting for a body, and the connection stays usable', async () => {
    const s = await sim();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const head = await viaProxy(s.port, `http://probe.localhost:${echo.port}/h`, { agent, method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.body, '');
      const next = await viaProxy(s.port, `http://probe.localhost:${echo.port}/after-head`, { agent });
      assert.equal(JSON.parse(next.body).url, '/after-head');
    } finally {
      agent.destroy();
    }
  });

  it('serves concurrent clients, each getting its own answer', async () => {
    const s = await sim();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        viaProxy(s.port, `http://${i % 2 ? 'partner' : 'probe'}.localhost:${echo.port}/c/${i}`),
      ),
    );
    results.forEach((res, i) => {
      const body = JSON.parse(res.body);
      assert.equal(body.url, `/c/${i}`);
      assert.equal(values(body.rawHeaders, CLI).length, i % 2 ? 1 : 0, `request ${i}`);
    });
  });

  it('survives clients that reset mid-request and mid-response', async () => {
    const s = await sim();
    const host = `probe.localhost:${echo.port}`;
    // Half a head, then a reset.
    const a = await openRaw(s.port);
    a.write(`GET http://${host}/half HTTP/1.1\r\nHost: ${host}\r\nX-Par`);
    a.resetAndDestroy();
    // A body promised and never sent.
    const b = await openRaw(s.port);
    b.write(
      `POST http://${host}/body HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 100000\r\n\r\nonly-a-little`,
    );
    await new Promise((r) => setImmediate(r));
    b.resetAndDestroy();
    // A big response, abandoned after its first bytes.
    const c = await openRaw(s.port);
    c.write(`GET http://${host}/big HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    await once(c, 'data');
    c.resetAndDestroy();
    // Garbage.
    const d = await rawExchange(s.port, 'NOT HTTP AT ALL\r\n\r\n', () => false);
    assert.match(d, /^HTTP\/1\.1 400 /);
    const ok = await viaProxy(s.port, `http://${host}/still-alive`);
    assert.equal(ok.status, 200);
  });

  it('answers 502 when the upstream is unreachable, 400 to origin-form, 508 to itself', async () => {
    const s = await sim();
    const closed = await startEcho();
    await closed.close();
    const res = await viaProxy(s.port, `http://probe.localhost:${closed.port}/`);
    assert.equal(res.status, 502);
    assert.match(res.body, /^headerguard sim: cannot reach upstream \(ECONNREFUSED\)/);
    const origin = await rawExchange(s.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\n\r\n`);
    assert.match(origin, /^HTTP\/1\.1 400 [\s\S]*this is a forward proxy/);
    const noHost = await rawExchange(s.port, 'GET / HTTP/1.0\r\n\r\n');
    assert.match(noHost, /^HTTP\/1\.1 400 /);
    const loop = await viaProxy(s.port, `http://127.0.0.1:${s.port}/`);
    assert.equal(loop.status, 508);
    const tunnel = await connectTunnel(s.port, `probe.localhost:${closed.port}`);
    assert.equal(tunnel.status, 502);
    tunnel.socket.destroy();
  });

  it('close() is idempotent and drops open connections', async () => {
    const s = await startSimulator({ bearer: 'tesco', msisdn: '07700900123', logLevel: 'silent' });
    const agent = new http.Agent({ keepAlive: true });
    const res = await viaProxy(s.port, `http://probe.localhost:${echo.port}/k`, { agent });
    const tunnel = await connectTunnel(s.port, `probe.localhost:${echo.port}`);
    await Promise.all([s.close(), s.close()]);
    await s.close();
    if (!res.socket.destroyed) await once(res.socket, 'close');
    if (!tunnel.socket.destroyed) await once(tunnel.socket, 'close');
    await assert.rejects(viaProxy(s.port, `http://probe.localhost:${echo.port}/k`), /ECONNREFUSED/);
    agent.destroy();
  });
});

function openRaw(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', () => {});
    s.once('error', reject);
  });
}

describe('simulate/proxy: plain-HTTP upgrades', () => {
  it('enriches the upgrade request like any plain-HTTP request, then relays bytes both ways', async () => {
    const seen: string[][] = [];
    const server = http.createServer();
    server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
      seen.push(req.rawHeaders);
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n');
      socket.pipe(socket);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as net.AddressInfo).port;
    const s = await startSimulator({ bearer: 'o2', msisdn: MSISDN, fault: 'o2-2012', logLevel: 'silent' });
    try {
      const socket = await openRaw(s.port);
      socket.write(
        `GET http://probe.localhost:${port}/ws HTTP/1.1\r\nHost: probe.localhost:${port}\r\n` +
          'Connection: Upgrade\r\nUpgrade: echo\r\n\r\n',
      );
      const head = await readBytes(
        socket,
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n'.length,
      );
      assert.match(head.toString(), /^HTTP\/1\.1 101 /);
      const payload = randomBytes(4096);
      const back = readBytes(socket, payload.length);
      socket.write(payload);
      assert.ok((await back).equals(payload));
      socket.destroy();
      assert.deepEqual(names(seen[0]!), ['Host', 'Connection', 'Upgrade', 'Via', 'X-Forwarded-For', CLI]);
    } finally {
      await s.close();
      server.close();
    }
  });
});

describe('simulate/proxy: CONNECT tunnels', () => {
  let s: RunningSimulator;
  before(async () => {
    s = await startSimulator({ bearer: 'o2', msisdn: MSISDN, fault: 'o2-2012', logLevel: 'silent' });
  });
  after(async () => {
    await s.close();
  });

  it('tunnels raw TCP byte for byte', async () => {
    const tcp = await startTcpEcho();
    try {
      const { socket, status } = await connectTunnel(s.port, `echo.localhost:${tcp.port}`);
      assert.equal(status, 200);
      const payload = randomBytes(256 * 1024);
      const back = readBytes(socket, payload.length);
      socket.write(payload);
      assert.ok((await back).equals(payload), 'bytes identical');
      socket.destroy();
    } finally {
      await tcp.close();
    }
  });

  it('leaves TLS untouched: the origin sees exactly what the client sent, even with o2-2012', async () => {
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'probe.localhost' }], {
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'probe.localhost' }] }],
    });
    const seen: string[][] = [];
    const server = https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
      seen.push(req.rawHeaders);
      res.end('secure');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as net.AddressInfo).port;
    try {
      const { socket, status } = await connectTunnel(s.port, `probe.localhost:${port}`);
      assert.equal(status, 200);
      const secure = tls.connect({ socket, servername: 'probe.localhost', ca: pems.cert });
      await once(secure, 'secureConnect');
      secure.write(
        `GET /tls HTTP/1.1\r\nHost: probe.localhost:${port}\r\nX-Case: A\r\nx-up-calling-line-id: 449999999999\r\nConnection: close\r\n\r\n`,
      );
      const chunks: Buffer[] = [];
      secure.on('data', (c: Buffer) => chunks.push(c));
      await once(secure, 'end');
      assert.match(Buffer.concat(chunks).toString(), /secure$/);
      assert.deepEqual(seen, [
        [
          'Host',
          `probe.localhost:${port}`,
          'X-Case',
          'A',
          'x-up-calling-line-id',
          '449999999999',
          'Connection',
          'close',
        ],
      ]);
      secure.destroy();
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

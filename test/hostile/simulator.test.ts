/**
 * Hostile input against a running simulator (`node bin/headerguard.js sim`, its own process): malformed and
 * smuggling-shaped requests, header floods, abandoned upgrades and requests, self loops in every spelling,
 * silent, resetting and lying upstreams, host names built from the subscriber's identifiers. After each case
 * the process must still serve; at the end its descriptor count must be back where it started and no output
 * line (stdout, stderr logs, the simulator's own answers) may hold a full identifier.
 *
 * Loopback only; every wait is bounded (a case that hangs fails on its own deadline, not mocha's).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { connectTunnel, responseComplete, startSilentOrigin } from '../simulate/helpers.ts';
import { ROOT, running, type Spawned, spawnCollected } from '../support/cli.ts';

const BIN = path.join(ROOT, 'bin', 'headerguard.js');
/** Given in national form: the simulator must mask every form, not only the one it normalised to. */
const MSISDN_NATIONAL = '07700900123';
const IMSI = '234101234567890';
/** Every plain form a host-name label can carry, and the digits that make each of them. */
const FORMS = ['447700900123', '00447700900123', '07700900123', '7700900123', IMSI];
const CORES = ['7700900123', IMSI];
const EXCHANGE_TIMEOUT_MS = 8_000;

function leaks(line: string): string | undefined {
  for (const f of FORMS) if (line.includes(f)) return f;
  const collapsed = line.replace(/(?<=\d)[ .\-()]+(?=\d)/g, '');
  for (const c of CORES) if (collapsed.includes(c)) return `${c} (with separators)`;
  return undefined;
}

/** Poll until `probe()` holds, at most `ms`; whether it did. */
async function within(ms: number, probe: () => boolean): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

function fdsOf(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Every answer the simulator wrote itself (not an origin's), for the identifier check. */
const answers: string[] = [];

/**
 * Send raw bytes, read until `done` says the answer is complete or the peer closes; bounded. Records answers
 * that carry the simulator's own one-line body.
 */
function exchange(port: number, bytes: string | Buffer, done = responseComplete): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `no complete answer within ${EXCHANGE_TIMEOUT_MS} ms; got ${JSON.stringify(text.slice(0, 80))}`,
        ),
      );
    }, EXCHANGE_TIMEOUT_MS);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      if (text.includes('headerguard sim:')) answers.push(text);
      resolve(text);
    };
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      if (done(text)) finish();
    });
    socket.on('end', finish);
    socket.on('error', (err) => {
      clearTimeout(timer);
      if (text) finish();
      else reject(err);
    });
    socket.write(bytes);
  });
}

function status(answer: string): number {
  return Number(/^HTTP\/1\.[01] (\d{3}) /.exec(answer)?.[1] ?? 0);
}

/**
 * An origin that counts header lines (no cap of its own): `heads` for every request head that arrived,
 * `got` for every request that arrived complete, body and all. Answers 200.
 */
async function countingOrigin(): Promise<{
  port: number;
  heads: string[];
  got: { url: string; lines: number }[];
  close(): void;
}> {
  const heads: string[] = [];
  const got: { url: string; lines: number }[] = [];
  const server = http.createServer((req, res) => {
    heads.push(req.url ?? '');
    req.on('error', () => {});
    req.resume();
    req.on('end', () => {
      got.push({ url: req.url ?? '', lines: req.rawHeaders.length / 2 });
      res.end('ok');
    });
  });
  server.maxHeadersCount = 0;
  server.keepAliveTimeout = 1_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    heads,
    got,
    close: () => {
      server.close();
      server.closeAllConnections();
    },
  };
}

/** A raw TCP origin that does `behave` with each connection once a request head has arrived. */
async function rawOrigin(behave: (s: net.Socket) => void): Promise<{ port: number; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    let head = '';
    const onData = (c: Buffer) => {
      head += c.toString('latin1');
      if (head.includes('\r\n\r\n')) {
        s.off('data', onData);
        behave(s);
      }
    };
    s.on('data', onData);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

function get(target: string, extra = ''): string {
  const host = /^http:\/\/([^/]+)/.exec(target)?.[1] ?? 'x';
  return `GET ${target} HTTP/1.1\r\nHost: ${host}\r\n${extra}\r\n`;
}

describe('hostile input against a running simulator', function () {
  this.timeout(60_000);
  let sim: Spawned;
  let pid = 0;
  let port = 0;
  let baseline = 0;
  let origin: Awaited<ReturnType<typeof countingOrigin>>;
  let silent: Awaited<ReturnType<typeof startSilentOrigin>>;
  const closers: (() => unknown)[] = [];

  /** The simulator still answers a plain request. */
  /**
   * Requests the simulator has logged as forwarded, once its log has been still for 200 ms: the line of the last
   * request forwarded (a `stillServing()`) may reach this process after that request's answer.
   */
  async function forwardedSoFar(): Promise<number> {
    const count = () => (sim.stderr().match(/"msg":"request"/g) ?? []).length;
    let seen = count();
    for (const deadline = Date.now() + 5000; Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 200));
      const now = count();
      if (now === seen) return now;
      seen = now;
    }
    return seen;
  }

  async function stillServing(): Promise<void> {
    const answer = await exchange(port, get(`http://127.0.0.1:${origin.port}/alive`));
    assert.equal(status(answer), 200, `still serving: ${answer.slice(0, 80)}`);
    assert.ok(running(pid), 'the simulator process is up');
  }

  before(async () => {
    origin = await countingOrigin();
    silent = await startSilentOrigin();
    closers.push(
      () => origin.close(),
      () => silent.close(),
    );
    // National form: the simulator must mask every form, not only the one it normalised to; a short upstream
    // timeout keeps the silent cases quick; the partner host is named after the number, which must not show.
    sim = spawnCollected(
      process.execPath,
      [
        BIN,
        'sim',
        '--bearer',
        'o2',
        '--msisdn',
        'env:HG_HOSTILE_MSISDN',
        '--imsi',
        'env:HG_HOSTILE_IMSI',
        '--upstream-timeout',
        '1',
        '--partner-host',
        '447700900123.partner.localhost',
      ],
      {
        env: {
          ...process.env,
          HG_HOSTILE_MSISDN: MSISDN_NATIONAL,
          HG_HOSTILE_IMSI: IMSI,
          HEADERGUARD_LOG_LEVEL: 'debug',
        },
      },
    );
    pid = sim.child.pid!;
    assert.ok(
      await within(20_000, () => /listening on http:\/\/127\.0\.0\.1:\d+/.test(sim.stdout())),
      `the simulator started: ${sim.stderr().slice(-300)}`,
    );
    port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(sim.stdout())![1]);
    await stillServing(); // warm-up: whatever the first request opens for good is in the baseline
    await new Promise((r) => setTimeout(r, 200));
    baseline = fdsOf(pid);
  });

  after(async () => {
    if (sim && sim.child.exitCode === null && sim.child.signalCode === null) sim.child.kill('SIGKILL');
    await sim?.exit;
    for (const close of closers) close();
  });

  it('malformed request lines get 400 with one line, and nothing reaches the origin', async () => {
    const t = `127.0.0.1:${origin.port}`;
    const before = origin.got.length;
    const cases = [
      'GET\r\n\r\n',
      `GET http://${t}/ HTTP/9.9\r\nHost: ${t}\r\n\r\n`,
      '\x00\x01\x02\x03\r\n\r\n',
      `G T http://${t}/ HTTP/1.1\r\nHost: ${t}\r\n\r\n`,
      `GET http://${t}/ HTTP/1.1\nHost: ${t}\n\n`,
      'GET http://[::1/ HTTP/1.1\r\nHost: x\r\n\r\n',
      `OPTIONS * HTTP/1.1\r\nHost: ${t}\r\n\r\n`,
      `GET http://999.1.1.1:${origin.port}/ HTTP/1.1\r\nHost: 999.1.1.1\r\n\r\n`,
      `GET https://${t}/ HTTP/1.1\r\nHost: ${t}\r\n\r\n`,
    ];
    for (const bytes of cases) {
      const answer = await exchange(port, bytes);
      assert.equal(status(answer), 400, JSON.stringify(bytes.slice(0, 40)));
      assert.match(answer, /\r\n\r\nheaderguard sim: [^\n]+\n$/, 'a one-line body');
    }
    assert.equal(origin.got.length, before);
    await stillServing();
  });

  it('invalid header bytes get 400; nothing reaches the origin', async () => {
    const t = `http://127.0.0.1:${origin.port}/h`;
    const before = origin.got.length;
    for (const bad of [
      'Bad Name: x',
      'X-A : x',
      'X-A: a\x00b',
      'X\x7fA: a',
      'X-A: a\r\n folded',
      'X-A\x01: a',
    ]) {
      const answer = await exchange(port, get(t, `${bad}\r\n`));
      assert.equal(status(answer), 400, JSON.stringify(bad));
    }
    const cr = await exchange(port, `GET ${t} HTTP/1.1\r\nHost: 127.0.0.1\rX-A: a\r\n\r\n`);
    assert.equal(status(cr), 400);
    const hosts = await exchange(port, get(t, 'Host: b.example\r\n'));
    assert.equal(status(hosts), 400);
    assert.equal(origin.got.length, before);
    await stillServing();
  });

  it('request smuggling shapes (CL+TE, duplicate or bad Content-Length, odd Transfer-Encoding) get 400', async () => {
    const t = `127.0.0.1:${origin.port}`;
    const post = (url: string, headers: string, body: string) =>
      `POST http://${t}${url} HTTP/1.1\r\nHost: ${t}\r\n${headers}\r\n${body}`;
    const cases: [string, string][] = [
      ['Content-Length: 5\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n'],
      ['Transfer-Encoding: chunked\r\nContent-Length: 5\r\n', '0\r\n\r\n'],
      ['Content-Length: 5\r\nContent-Length: 6\r\n', 'hello!'],
      ['Content-Length: 5\r\nContent-Length: 5\r\n', 'hello'],
      ['Content-Length: 5, 5\r\n', 'hello'],
      ['Content-Length: -1\r\n', ''],
      ['Content-Length: 0x5\r\n', 'hello'],
      ['Transfer-Encoding: gzip\r\n', 'hello'],
      ['Transfer-Encoding: chunked, identity\r\n', '0\r\n\r\n'],
      ['Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n'],
      ['Transfer-Encoding: xchunked\r\n', '0\r\n\r\n'],
      ['Transfer-Encoding: identity\r\n', 'hello'],
    ];
    for (const [i, [headers, body]] of cases.entries()) {
      const answer = await exchange(port, post(`/s${i}`, headers, body));
      assert.equal(status(answer), 400, JSON.stringify(headers));
      assert.equal(answer.split('HTTP/1.1 ').length, 2, `one answer, not two: ${JSON.stringify(answer)}`);
      assert.match(answer, /\r\n\r\nheaderguard sim: [^\n]+\n$/);
    }
    // A bad chunk after a valid head: the head may have gone upstream, but the request never completes there.
    const chunk = await exchange(port, post('/bad-chunk', 'Transfer-Encoding: chunked\r\n', 'zz\r\n\r\n'));
    assert.equal(status(chunk), 400);
    await new Promise((r) => setTimeout(r, 200));
    const smuggled = (u: string) => u.startsWith('/s') || u === '/bad-chunk';
    assert.deepEqual(
      origin.heads.filter((u) => u.startsWith('/s')),
      [],
      'no refused head reached the origin',
    );
    assert.deepEqual(
      origin.got.filter((g) => smuggled(g.url)),
      [],
      'no refused request completed upstream',
    );
    await stillServing();
  });

  it('absolute form wins over a conflicting Host; origin form goes to its Host (transparent mode)', async () => {
    const t = `127.0.0.1:${origin.port}`;
    const abs = await exchange(port, `GET http://${t}/abs HTTP/1.1\r\nHost: other.example:9\r\n\r\n`);
    assert.equal(status(abs), 200);
    assert.equal(origin.got.at(-1)!.url, '/abs');
    const transparent = await exchange(port, `GET /orig HTTP/1.1\r\nHost: ${t}\r\n\r\n`);
    assert.equal(status(transparent), 200);
    assert.equal(origin.got.at(-1)!.url, '/orig');
    const noHost = await exchange(port, 'GET /orig HTTP/1.1\r\n\r\n');
    assert.equal(status(noHost), 400);
  });

  it('forwards all of 1,500 header lines; a 200 KiB header or 5,000 lines get 431', async () => {
    const t = `http://127.0.0.1:${origin.port}/many`;
    const lines = Array.from({ length: 1_500 }, (_, i) => `X-H${i}: v\r\n`).join('');
    assert.equal(status(await exchange(port, get(t, lines))), 200);
    assert.equal(origin.got.at(-1)!.lines, 1_500 + 3, 'every line, plus Host, Via and X-Forwarded-For');
    const big = await exchange(port, get(t, `X-Big: ${'a'.repeat(200 * 1024)}\r\n`));
    assert.equal(status(big), 431);
    const flood = Array.from({ length: 5_000 }, (_, i) => `X-H${i}: v\r\n`).join('');
    assert.equal(status(await exchange(port, get(t, flood))), 431);
    await stillServing();
  });

  it('refuses a request to itself at once, whatever the spelling of its address', async () => {
    const spellings = ['127.0.0.1', '127.1', '2130706433', '0x7f.1', '0177.0.0.1', '[::ffff:127.0.0.1]'];
    spellings.push('localhost.', '[::1]', '0', 'sim.localhost');
    const forwardedBefore = await forwardedSoFar();
    for (const host of spellings) {
      const proxied = await exchange(port, get(`http://${host}:${port}/loop`));
      assert.equal(status(proxied), 508, host);
      assert.match(proxied, /headerguard sim: request loops back to the simulator itself\n$/);
      const direct = await exchange(port, `GET /loop HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`);
      assert.equal(status(direct), 400, host);
      const tunnel = await connectTunnel(port, `${host}:${port}`);
      tunnel.socket.destroy();
      assert.equal(tunnel.status, 508, host);
    }
    const forwardedAfter = await forwardedSoFar();
    assert.equal(forwardedAfter, forwardedBefore, 'no hop was forwarded');
    await stillServing();
  });

  it('bad upstreams: refused 502, reset 502, garbage 502, silent 504 after --upstream-timeout', async () => {
    const refused = await rawOrigin(() => {});
    refused.close();
    await new Promise((r) => setTimeout(r, 50));
    const reset = await rawOrigin((s) => s.resetAndDestroy());
    const garbage = await rawOrigin((s) => s.end('HELLO WORLD\r\n\r\n'));
    const midBody = await rawOrigin((s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b');
      setTimeout(() => s.destroy(), 50);
    });
    closers.push(reset.close, garbage.close, midBody.close);
    const at = (p: number) => `http://127.0.0.1:${p}/u`;
    const r1 = await exchange(port, get(at(refused.port)));
    assert.equal(status(r1), 502);
    assert.match(r1, /cannot reach upstream \(ECONNREFUSED\)/);
    assert.equal(status(await exchange(port, get(at(reset.port)))), 502);
    const g = await exchange(port, get(at(garbage.port)));
    assert.equal(status(g), 502);
    // Mid-body: the head was passed on, so all the simulator can do is drop the connection (no hang).
    const m = await exchange(port, get(at(midBody.port)), () => false);
    assert.match(m, /^HTTP\/1\.1 200 /);
    assert.ok(m.length < 200, 'the truncated body is not completed');
    const started = Date.now();
    const s = await exchange(port, get(at(silent.port)));
    assert.equal(status(s), 504);
    assert.ok(Date.now() - started < 5_000, `504 after ${Date.now() - started} ms`);
    assert.equal((await connectTunnel(port, `127.0.0.1:${refused.port}`)).status, 502);
    await stillServing();
  });

  it('clients that leave mid-request or mid-upgrade leave nothing behind', async () => {
    const t = `127.0.0.1:${origin.port}`;
    const leave = async (bytes: string, how: 'end' | 'destroy' | 'reset') => {
      const c = net.connect(port, '127.0.0.1');
      c.on('error', () => {});
      await once(c, 'connect');
      c.write(bytes);
      await new Promise((r) => setTimeout(r, 30));
      if (how === 'end') c.end();
      else if (how === 'destroy') c.destroy();
      else c.resetAndDestroy();
    };
    for (const how of ['end', 'destroy', 'reset'] as const) {
      await leave(`GET http://${t}/half HTTP/1.1\r\nHost: ${t}\r\nX-Hal`, how);
      await leave(
        `POST http://${t}/body HTTP/1.1\r\nHost: ${t}\r\nContent-Length: 100\r\n\r\nten bytes.`,
        how,
      );
      await leave(
        `POST http://${t}/chunk HTTP/1.1\r\nHost: ${t}\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab`,
        how,
      );
      await leave(
        `POST http://127.0.0.1:${silent.port}/wait HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`,
        how,
      );
    }
    const upgrade = (p: number) =>
      `GET http://probe.localhost:${p}/ws HTTP/1.1\r\nHost: probe.localhost:${p}\r\n` +
      'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';
    const fdsBefore = fdsOf(pid);
    for (let i = 0; i < 20; i++) await leave(upgrade(silent.port), i % 2 === 0 ? 'end' : 'destroy');
    for (let i = 0; i < 10; i++) {
      await leave(
        `CONNECT 127.0.0.1:${silent.port} HTTP/1.1\r\nHost: 127.0.0.1:${silent.port}\r\n\r\n`,
        'end',
      );
    }
    const back = await within(5_000, () => fdsOf(pid) <= fdsBefore);
    assert.ok(back, `fds before the upgrades ${fdsBefore}, after ${fdsOf(pid)}`);
    await stillServing();
  });

  it('writes no full identifier anywhere, whatever host name carries one', async () => {
    for (const form of [...FORMS, '07700-900123']) {
      const host = `${form}.localhost`;
      for (const p of [origin.port, silent.port, 1]) {
        await exchange(port, get(`http://${host}:${p}/id`));
        const tunnel = await connectTunnel(port, `${host}:${p}`);
        tunnel.socket.destroy();
      }
    }
    assert.ok(answers.length > 30, `${answers.length} answers of the simulator's own`);
    const lines = [
      ...sim.stdout().split('\n'),
      ...sim.stderr().split('\n'),
      ...answers.flatMap((a) => a.split('\n')),
    ];
    assert.ok(
      lines.some((l) => /0770\*+23\.localhost/.test(l)),
      'the logs name the masked hosts (so the check below is not vacuous)',
    );
    for (const line of lines)
      assert.equal(leaks(line), undefined, `full identifier in: ${line.slice(0, 160)}`);
  });

  it('is up at the end, holding no more descriptors than at the start', async () => {
    await stillServing();
    const back = await within(8_000, () => fdsOf(pid) <= baseline);
    assert.ok(back, `fds at the start ${baseline}, now ${fdsOf(pid)}`);
    assert.equal(/\bat .+:\d+:\d+/.test(sim.stderr()), false, 'no stack trace');
  });
});

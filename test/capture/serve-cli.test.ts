/**
 * `headerguard serve` as a user runs it: a spawned `node bin/headerguard.js serve …`, driven over real sockets.
 * The first test is the acceptance contract, step by step.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { running, spawnCollected } from '../support/cli.ts';
import { freePort, RawConnection, rawRequest, tempDir } from './helpers.ts';
import {
  ANY_LOOPBACK_PORTS,
  BIN,
  cleanEnv,
  KEY,
  readyBanner,
  refusal,
  serve,
  stop,
  until,
} from './serve-process.ts';

describe('headerguard serve (spawned)', function () {
  this.timeout(60_000);
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('meets the acceptance contract: healthz, POST /api/runs, raw request, captures with order and case kept', async () => {
    const [p1, p2, p3] = [await freePort(), await freePort(), await freePort()];
    const db = path.join(tmp.dir, 'acceptance.db');
    const s = serve([
      '--http-port',
      String(p1),
      '--alt-port',
      String(p2),
      '--https-port',
      String(p3),
      '--db',
      db,
      '--api-key',
      KEY,
    ]);
    try {
      // 1. /healthz answers on P1.
      const health = await until('healthz', async () => {
        const res = await fetch(`http://127.0.0.1:${p1}/healthz`);
        return res.status === 200 ? ((await res.json()) as unknown) : undefined;
      });
      assert.deepEqual(health, { status: 'ok' });

      // 2. POST /api/runs with the key returns JSON with token and plan entries with url.
      const created = await fetch(`http://127.0.0.1:${p1}/api/runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ handset: 'acceptance', bearer: 'o2' }),
      });
      assert.equal(created.status, 201);
      const run = (await created.json()) as { token: string; plan: { url: string; probe: string }[] };
      assert.equal(typeof run.token, 'string');
      assert.ok(run.plan.length > 0);
      for (const entry of run.plan) assert.equal(typeof entry.url, 'string');

      // 3. A raw request to a plan URL...
      const url = new URL(run.plan.find((p) => new URL(p.url).port === String(p1))!.url);
      const conn = await RawConnection.open(p1);
      const res = await conn.request(
        `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nX-UP-Calling-Line-ID: 447700900123\r\n` +
          'accept: */*\r\nX-Dup: 1\r\nx-dup: 2\r\nUser-Agent: Acceptance/1.0\r\n\r\n',
      );
      conn.close();
      assert.equal(res.status, 200);

      // 4. ...comes back from GET /api/runs/:token/captures with order and case kept.
      const got = await fetch(`http://127.0.0.1:${p1}/api/runs/${run.token}/captures`, {
        headers: { authorization: `Bearer ${KEY}` },
      });
      assert.equal(got.status, 200);
      const { captures } = (await got.json()) as { captures: { headers: [string, string][] }[] };
      assert.deepEqual(captures[0]!.headers, [
        ['Host', url.host],
        ['X-UP-Calling-Line-ID', '447700900123'],
        ['accept', '*/*'],
        ['X-Dup', '1'],
        ['x-dup', '2'],
        ['User-Agent', 'Acceptance/1.0'],
      ]);

      // The printed lines name the ports it listens on.
      assert.match(s.stdout(), new RegExp(`main +http://probe\\.localhost:${p1}/`));
      assert.match(s.stdout(), new RegExp(`alt +http://probe\\.localhost:${p2}/`));
      assert.match(s.stdout(), new RegExp(`https +https://probe\\.localhost:${p3}/`));
      assert.ok(!s.stdout().includes(KEY) && !s.stderr().includes(KEY), 'a given key is never printed');

      // SIGTERM stops it cleanly.
      s.child.kill('SIGTERM');
      assert.equal(await s.exit, 0);
      assert.match(s.stdout(), /SIGTERM, stopping/);
    } finally {
      await stop(s);
    }
  });

  it('prints the real ports when given 0, and --dev prints a working generated key', async () => {
    const s = serve([...ANY_LOOPBACK_PORTS, '--db', ':memory:', '--dev']);
    try {
      const out = await readyBanner(s);
      const health = /health +(\S+)/.exec(out)![1]!;
      const key = /api key +(\S+)/.exec(out)![1]!;
      assert.doesNotMatch(health, /:0\//);
      assert.equal((await fetch(health)).status, 200);
      const api = /api +(\S+)/.exec(out)![1]!;
      const res = await fetch(`${api}/runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: '{"handset":"h","bearer":"b"}',
      });
      assert.equal(res.status, 201);
      for (const name of ['main', 'alt', 'https']) {
        const port = Number(
          new RegExp(`${name} +\\S+ +\\(listening on 127\\.0\\.0\\.1:(\\d+)`).exec(out)![1],
        );
        assert.ok(port > 0, name);
      }
    } finally {
      await stop(s);
    }
  });

  it('--api-listen: the API over HTTPS on that address only, named in the banner; not on the probe ports', async () => {
    const s = serve([
      ...ANY_LOOPBACK_PORTS,
      '--db',
      ':memory:',
      '--api-key',
      KEY,
      '--api-listen',
      '127.0.0.1:0',
    ]);
    try {
      const out = await readyBanner(s);
      const m =
        /^ {2}api +https:\/\/127\.0\.0\.1:(\d+)\/api +\(Authorization: Bearer <key>; listening on 127\.0\.0\.1:(\d+) only, HTTPS\)$/m.exec(
          out,
        );
      assert.ok(m, out);
      assert.equal(m[1], m[2]);
      const apiPort = Number(m[1]);
      const main = Number(/main +\S+ +\(listening on 127\.0\.0\.1:(\d+)/.exec(out)![1]);
      const body = '{"handset":"h","bearer":"b"}';
      const post = (port: number, tls: boolean) =>
        rawRequest(
          port,
          `POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${KEY}\r\n` +
            `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
          { tls },
        );
      assert.equal((await post(apiPort, true)).status, 201);
      assert.equal((await post(main, false)).status, 404);
    } finally {
      await stop(s);
    }
  });

  it('stops within seconds when its parent dies (a wrapper such as npx, killed with SIGKILL)', async () => {
    // The wrapper starts serve with its own stdout (our pipe), prints serve's pid, and waits.
    const wrapper = spawnCollected(
      process.execPath,
      [
        '-e',
        [
          "const { spawn } = require('node:child_process');",
          'const [bin, ...args] = process.argv.slice(1);',
          "const c = spawn(process.execPath, [bin, 'serve', ...args], { stdio: ['ignore', 'inherit', 'inherit'] });",
          "process.stdout.write('serve pid ' + c.pid + '\\n');",
          'setInterval(() => {}, 1000);',
        ].join('\n'),
        BIN,
        ...ANY_LOOPBACK_PORTS,
        '--db',
        ':memory:',
        '--dev',
      ],
      { env: cleanEnv() },
    );
    let pid = 0;
    try {
      await readyBanner(wrapper);
      pid = Number(/serve pid (\d+)/.exec(wrapper.stdout())![1]);
      assert.ok(running(pid), 'serve runs');
      wrapper.child.kill('SIGKILL');
      const gone = await until('serve to exit', async () => (running(pid) ? undefined : true), 5_000);
      assert.equal(gone, true);
      assert.match(wrapper.stdout(), /headerguard serve: parent process gone, stopping/);
    } finally {
      wrapper.child.kill('SIGKILL');
      if (pid > 0 && running(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  it('keeps an acknowledged capture through a kill -9 and a restart', async () => {
    const db = path.join(tmp.dir, 'crash.db');
    const args = [...ANY_LOOPBACK_PORTS, '--db', db, '--api-key', KEY];
    const first = serve(args);
    let token: string;
    try {
      const out = await readyBanner(first);
      const base = /health +(\S+)\/healthz/.exec(out)![1]!;
      const res = await fetch(`${base}/api/runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: '{"handset":"h","bearer":"b"}',
      });
      token = ((await res.json()) as { token: string }).token;
      const port = Number(new URL(base).port);
      const conn = await RawConnection.open(port);
      const ack = await conn.request(
        `GET /p/${token}/img HTTP/1.1\r\nHost: probe.localhost\r\nX-Leak: 447700900123\r\n\r\n`,
      );
      assert.equal(ack.status, 200);
      first.child.kill('SIGKILL');
      conn.close();
    } finally {
      await stop(first);
    }

    const second = serve(args);
    try {
      const out = await readyBanner(second);
      const base = /health +(\S+)\/healthz/.exec(out)![1]!;
      const got = await fetch(`${base}/api/runs/${token}/captures`, {
        headers: { authorization: `Bearer ${KEY}` },
      });
      assert.equal(got.status, 200);
      const { captures } = (await got.json()) as {
        captures: { probe: string; headers: [string, string][] }[];
      };
      assert.equal(captures.length, 1);
      assert.equal(captures[0]!.probe, 'img');
      assert.deepEqual(captures[0]!.headers[1], ['X-Leak', '447700900123']);
    } finally {
      await stop(second);
    }
  });

  it('a second serve on the same database file refuses to start, naming the file and the first process', async () => {
    const db = path.join(tmp.dir, 'shared.db');
    const first = serve([...ANY_LOOPBACK_PORTS, '--db', db, '--api-key', KEY]);
    try {
      await readyBanner(first);
      const line = await refusal([...ANY_LOOPBACK_PORTS, '--db', db, '--api-key', KEY]);
      assert.equal(
        line,
        `headerguard: database ${db} is in use by another headerguard process (pid ${first.child.pid}): one endpoint per database file (lock ${db}.lock)`,
      );
      // The first one is untouched and still serving.
      assert.equal(first.child.exitCode, null);
    } finally {
      await stop(first);
    }
  });

  it('refuses bad settings with one line and exit code 2', async () => {
    const db = path.join(tmp.dir, 'x.db');
    assert.match(
      await refusal(['--http-port', 'abc', '--db', db, '--api-key', KEY]),
      /^headerguard: --http-port must be an integer from 0 to 65535/,
    );
    assert.match(await refusal(['--db', db]), /^headerguard: no API key/);
    assert.match(
      await refusal(['--db', db], { HEADERGUARD_API_KEY: KEY, HEADERGUARD_RETENTION: 'forever' }),
      /^headerguard: --retention must be .*\(from HEADERGUARD_RETENTION\)$/,
    );
  });

  it('refuses a port that is taken with one line and exit code 2', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const line = await refusal([
        ...ANY_LOOPBACK_PORTS,
        '--http-port',
        String(port),
        '--db',
        path.join(tmp.dir, 'y.db'),
        '--api-key',
        KEY,
      ]);
      assert.equal(line, `headerguard: cannot listen on main port ${port}: address already in use`);
    } finally {
      blocker.close();
    }
  });
});

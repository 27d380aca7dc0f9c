import assert from 'node:assert/strict';
import { once } from 'node:events';
import path from 'node:path';
import { UserError } from '../../src/shared/errors.ts';
import { freePort } from '../../src/shared/free-port.ts';
import { startSimulatorProcess } from '../../src/simulate/index.ts';
import { ROOT, running, type Spawned, spawnCollected } from '../support/cli.ts';
import {
  connectTunnel,
  type Echo,
  names,
  readBytes,
  startEcho,
  startSilentOrigin,
  startTcpEcho,
  values,
  viaProxy,
} from './helpers.ts';

const BIN = path.join(ROOT, 'bin', 'headerguard.js');
const MSISDN = '447700900123';

function spawnCli(command: string, args: string[], detached = false): Spawned {
  return spawnCollected(command, args, { detached, env: { ...process.env, HEADERGUARD_LOG_LEVEL: 'info' } });
}

async function waitForLine(s: Spawned, pattern: RegExp): Promise<RegExpExecArray> {
  for (;;) {
    const m = pattern.exec(s.stdout());
    if (m) return m;
    const done = await Promise.race([
      once(s.child.stdout!, 'data').then(() => false),
      s.exit.then(() => true),
    ]);
    if (done) {
      const m2 = pattern.exec(s.stdout());
      if (m2) return m2;
      throw new Error(`exited before listening: ${s.stderr().split('\n').slice(-3).join(' | ')}`);
    }
  }
}

describe('simulate: headerguard sim as a process (acceptance contract)', () => {
  let echo: Echo;
  before(async () => {
    echo = await startEcho();
  });
  after(async () => {
    await echo.close();
  });

  it('npx headerguard sim --bearer o2 --msisdn 447700900123 --port P: Via/XFF to the probe, the number to the partner, tunnels untouched', async () => {
    const port = await freePort();
    // Its own process group, stopped the way Ctrl-C stops a terminal's foreground job.
    const sim = spawnCli(
      'npx',
      [
        '--no',
        '--offline',
        'headerguard',
        'sim',
        '--bearer',
        'o2',
        '--msisdn',
        MSISDN,
        '--port',
        String(port),
      ],
      true,
    );
    try {
      const m = await waitForLine(sim, /http:\/\/127\.0\.0\.1:(\d+)/);
      assert.equal(Number(m[1]), port);

      const probeHeaders = ['Host', `probe.localhost:${echo.port}`, 'Accept', '*/*'];
      await viaProxy(port, `http://probe.localhost:${echo.port}/probe`, { headers: probeHeaders });
      const probe = echo.captures[echo.captures.length - 1]!;
      assert.deepEqual(names(probe.rawHeaders), ['Host', 'Accept', 'Connection', 'Via', 'X-Forwarded-For']);

      await viaProxy(port, `http://partner.localhost:${echo.port}/partner`);
      const partner = echo.captures[echo.captures.length - 1]!;
      assert.deepEqual(values(partner.rawHeaders, 'x-up-calling-line-id'), [MSISDN]);

      const tcp = await startTcpEcho();
      try {
        const { socket, status } = await connectTunnel(port, `probe.localhost:${tcp.port}`);
        assert.equal(status, 200);
        const bytes = Buffer.from('GET / HTTP/1.1\r\nHost: probe.localhost\r\n\r\n\x00\xff binary');
        const back = readBytes(socket, bytes.length);
        socket.write(bytes);
        assert.ok((await back).equals(bytes));
        socket.destroy();
      } finally {
        await tcp.close();
      }

      process.kill(-sim.child.pid!, 'SIGTERM');
      await sim.exit;
      assert.match(sim.stderr(), /"msg":"simulator stopped"/);
      const output = sim.stdout() + sim.stderr();
      assert.equal(output.includes(MSISDN), false, 'the full number never appears in any output');
      assert.match(output, /4477\*{6}23/);
    } finally {
      try {
        process.kill(-sim.child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  it('--fault o2-2012: the probe host gets x-up-calling-line-id too; SIGINT stops it with exit 0', async () => {
    const sim = spawnCli(process.execPath, [
      BIN,
      'sim',
      '--bearer',
      'o2',
      '--msisdn',
      `+${MSISDN}`,
      '--fault',
      'o2-2012',
    ]);
    try {
      const m = await waitForLine(sim, /http:\/\/127\.0\.0\.1:(\d+)/);
      const port = Number(m[1]);
      await viaProxy(port, `http://probe.localhost:${echo.port}/leak`);
      assert.deepEqual(values(echo.captures[echo.captures.length - 1]!.rawHeaders, 'x-up-calling-line-id'), [
        MSISDN,
      ]);
      sim.child.kill('SIGINT');
      assert.equal(await sim.exit, 0);
      assert.equal((sim.stdout() + sim.stderr()).includes(MSISDN), false);
    } finally {
      sim.child.kill('SIGKILL');
    }
  });

  it('startSimulatorProcess: national form, custom partner host; close() stops the child (idempotent)', async () => {
    const sim = await startSimulatorProcess({
      bearer: 'giffgaff',
      msisdn: '07700900123',
      partnerHost: 'billing.localhost',
      logLevel: 'silent',
    });
    try {
      assert.equal(sim.url, `http://127.0.0.1:${sim.port}`);
      await viaProxy(sim.port, `http://billing.localhost:${echo.port}/p`);
      const billing = echo.captures[echo.captures.length - 1]!.rawHeaders;
      assert.deepEqual(values(billing, 'x-up-calling-line-id'), [MSISDN]);
      assert.match(values(billing, 'via')[0]!, /GiffGaff/);
      await viaProxy(sim.port, `http://partner.localhost:${echo.port}/p`);
      assert.deepEqual(
        values(echo.captures[echo.captures.length - 1]!.rawHeaders, 'x-up-calling-line-id'),
        [],
      );
    } finally {
      await Promise.all([sim.close(), sim.close()]);
    }
    await sim.close();
    await assert.rejects(viaProxy(sim.port, `http://probe.localhost:${echo.port}/gone`), /ECONNREFUSED/);
  });

  it('stops within seconds when its parent dies (a wrapper such as npx, killed with SIGKILL)', async () => {
    const wrapper = spawnCli(process.execPath, [
      '-e',
      [
        "const { spawn } = require('node:child_process');",
        'const [bin, ...args] = process.argv.slice(1);',
        "const c = spawn(process.execPath, [bin, 'sim', ...args], { stdio: ['ignore', 'inherit', 'inherit'] });",
        "process.stdout.write('sim pid ' + c.pid + '\\n');",
        'setInterval(() => {}, 1000);',
      ].join('\n'),
      BIN,
      '--bearer',
      'o2',
      '--msisdn',
      MSISDN,
    ]);
    let pid = 0;
    try {
      await waitForLine(wrapper, /listening on http:\/\/127\.0\.0\.1:\d+/);
      pid = Number(/sim pid (\d+)/.exec(wrapper.stdout())![1]);
      assert.ok(running(pid), 'sim runs');
      wrapper.child.kill('SIGKILL');
      const deadline = Date.now() + 5_000;
      while (running(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.equal(running(pid), false, 'sim exited within 5 s of its parent');
      assert.match(wrapper.stderr(), /"msg":"simulator stopped"/);
    } finally {
      wrapper.child.kill('SIGKILL');
      if (pid > 0 && running(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  it('--help documents --upstream-timeout and its default', async () => {
    const run = spawnCli(process.execPath, [BIN, 'sim', '--help']);
    assert.equal(await run.exit, 0);
    assert.match(run.stdout(), /--upstream-timeout <seconds>[\s\S]*504 \(default 30\)/);
  });

  it('startSimulatorProcess passes upstreamTimeoutMs on: a silent upstream gets 504 in time', async () => {
    const silent = await startSilentOrigin();
    const sim = await startSimulatorProcess({
      bearer: 'o2',
      msisdn: MSISDN,
      logLevel: 'silent',
      upstreamTimeoutMs: 500,
    });
    try {
      const started = Date.now();
      const res = await viaProxy(sim.port, `http://probe.localhost:${silent.port}/`);
      assert.equal(res.status, 504);
      assert.ok(Date.now() - started < 5_000);
    } finally {
      await sim.close();
      await silent.close();
    }
  });

  it('startSimulatorProcess refuses bad options before spawning anything', async () => {
    await assert.rejects(startSimulatorProcess({ bearer: 'o2', msisdn: '12' }), UserError);
  });

  it('bad flags: one line, exit 2, no stack trace, no full number', async function () {
    // Ten CLIs start at once: on a loaded 2-core machine that alone can take most of a minute.
    this.timeout(120_000);
    const cases: [string[], RegExp][] = [
      [['--bearer', 'vodafone', '--msisdn', MSISDN], /unknown bearer "vodafone"/],
      [['--bearer', 'o2', '--msisdn', MSISDN, '--fault', 'o2-2013'], /unknown fault "o2-2013"/],
      [
        ['--bearer', 'o2', '--msisdn', '4477009001234567'],
        /--msisdn: expected a GB mobile number .*more than 15/,
      ],
      [
        ['--bearer', 'o2', '--msisdn', '4477009002'],
        /--msisdn: expected a GB mobile number .*, got 4477\*+02 /,
      ],
      [['--bearer', 'o2', '--msisdn', '+14155550123'], /--msisdn: .*\(a \+1 \(US\) number, not a \+44 one\)/],
      [['--bearer', 'o2', '--msisdn', MSISDN, '--port', '99999'], /--port must be a port number/],
      [['--bearer', 'o2'], /--msisdn: required/],
      // Errors in the order a person reads the command: the bearer before the missing number.
      [['--bearer', 'vodafone'], /unknown bearer "vodafone"/],
      [['--bearer', 'o2', '--msisdn', MSISDN, '--upstream-timeout', '0'], /--upstream-timeout must be/],
      [['--bearer', 'o2', '--msisdn', MSISDN, '--upstream-timeout', 'abc'], /--upstream-timeout must be/],
    ];
    await Promise.all(
      cases.map(async ([args, pattern]) => {
        const run = spawnCli(process.execPath, [BIN, 'sim', ...args]);
        const code = await run.exit;
        const err = run.stderr();
        assert.equal(code, 2, `${args.join(' ')}: ${err}`);
        assert.match(err, pattern);
        const lines = err.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('(run with --help'));
        assert.equal(lines.length, 1, `one line for ${args.join(' ')}: ${err}`);
        assert.equal(/\bat .+:\d+:\d+/.test(err), false, 'no stack trace');
        assert.equal(err.includes('447700900123'), false);
        assert.equal(run.stdout().includes('listening'), false);
      }),
    );
  });
});

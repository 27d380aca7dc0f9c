/**
 * The relay of upgrades and CONNECT tunnels holds no descriptor for a client that went away: abandoned
 * upgrades to an origin that never answers (nor closes its side) leave the simulator's fd count where it was.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { type RunningSimulator, startSimulator } from '../../src/simulate/index.ts';
import { rawExchange, startSilentOrigin } from './helpers.ts';

/** Descriptors of this process (the simulator runs in it), less the silent origin's own open connections. */
function proxyFds(origin: { open(): number }): number {
  return readdirSync('/proc/self/fd').length - origin.open();
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

function upgradeHead(port: number): string {
  return (
    `GET http://probe.localhost:${port}/ws HTTP/1.1\r\nHost: probe.localhost:${port}\r\n` +
    'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'
  );
}

async function openClient(port: number): Promise<net.Socket> {
  const c = net.connect(port, '127.0.0.1');
  c.on('error', () => {});
  await once(c, 'connect');
  return c;
}

describe('simulate/relay: upgrades and tunnels let go of both sockets', function () {
  this.timeout(20_000);
  let origin: Awaited<ReturnType<typeof startSilentOrigin>>;
  let sim: RunningSimulator;
  before(async () => {
    origin = await startSilentOrigin();
    // The default timeout (30 s): the leak must go without waiting for it.
    sim = await startSimulator({ bearer: 'o2', msisdn: '447700900123', logLevel: 'silent' });
  });
  after(async () => {
    await sim.close();
    await origin.close();
  });

  for (const how of ['end', 'destroy'] as const) {
    it(`20 upgrades abandoned (${how}) before the origin answered: no descriptor left behind`, async () => {
      const before = proxyFds(origin);
      for (let i = 0; i < 20; i++) {
        const c = await openClient(sim.port);
        c.write(upgradeHead(origin.port));
        await within(1_000, () => origin.open() > 0);
        if (how === 'end') c.end();
        else c.destroy();
      }
      const back = await within(3_000, () => proxyFds(origin) <= before);
      assert.ok(back, `fds before ${before}, after ${proxyFds(origin)}`);
    });
  }

  it('20 CONNECT tunnels abandoned (end) before the 200: no descriptor left behind', async () => {
    const before = proxyFds(origin);
    for (let i = 0; i < 20; i++) {
      const c = await openClient(sim.port);
      c.end(
        `CONNECT probe.localhost:${origin.port} HTTP/1.1\r\nHost: probe.localhost:${origin.port}\r\n\r\n`,
      );
    }
    const back = await within(3_000, () => proxyFds(origin) <= before);
    assert.ok(back, `fds before ${before}, after ${proxyFds(origin)}`);
  });

  it('an upgrade to a silent origin gets 504 after the upstream timeout, and both sockets go', async () => {
    const quick = await startSimulator({
      bearer: 'o2',
      msisdn: '447700900123',
      logLevel: 'silent',
      upstreamTimeoutMs: 300,
    });
    try {
      const before = proxyFds(origin);
      const started = Date.now();
      const answer = await rawExchange(quick.port, upgradeHead(origin.port));
      assert.match(answer, /^HTTP\/1\.1 504 [\s\S]*\r\n\r\nheaderguard sim: upstream timed out/);
      assert.ok(Date.now() - started < 5_000);
      assert.ok(await within(3_000, () => proxyFds(origin) <= before), 'fds back');
    } finally {
      await quick.close();
    }
  });

  it('a half-closed tunnel still carries the other way, then closes within the upstream timeout', async () => {
    const quick = await startSimulator({
      bearer: 'o2',
      msisdn: '447700900123',
      logLevel: 'silent',
      upstreamTimeoutMs: 300,
    });
    // Answers once the client's side is closed, and never closes its own.
    const lingering = new Set<net.Socket>();
    const late = net.createServer({ allowHalfOpen: true }, (s) => {
      lingering.add(s);
      s.on('error', () => {});
      s.resume();
      s.on('end', () => s.write('pong'));
    });
    late.listen(0, '127.0.0.1');
    await once(late, 'listening');
    const port = (late.address() as net.AddressInfo).port;
    try {
      const c = await openClient(quick.port);
      let got = '';
      c.on('data', (d: Buffer) => {
        got += d.toString('latin1');
      });
      c.write(`CONNECT probe.localhost:${port} HTTP/1.1\r\nHost: probe.localhost:${port}\r\n\r\n`);
      assert.ok(await within(2_000, () => got.includes('200 Connection Established')));
      c.end('ping');
      assert.ok(await within(2_000, () => got.endsWith('pong')), 'the answer came back after our FIN');
      assert.ok(await within(3_000, () => c.readableEnded), 'the simulator closed the tunnel');
    } finally {
      for (const s of lingering) s.destroy();
      late.close();
      await quick.close();
    }
  });
});

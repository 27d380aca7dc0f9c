import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import { UserError } from '../../src/shared/errors.ts';
import { type RunningSimulator, startSimulator } from '../../src/simulate/index.ts';
import { tunnelExchange, viaProxy } from './helpers.ts';

// --egress: every upstream connection (plain HTTP and CONNECT tunnels) leaves from the given local address, as
// a carrier's traffic leaves from its NAT pool; bearer attestation (attest.remoteCidrs) checks exactly this.

const MSISDN = '447700900123';

describe('simulate: --egress', () => {
  let origin: http.Server;
  let originPort: number;
  let seenFrom: string[];
  const sims: RunningSimulator[] = [];
  before(async () => {
    seenFrom = [];
    origin = http.createServer((req, res) => {
      seenFrom.push(req.socket.remoteAddress ?? '?');
      res.end('ok');
    });
    await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
    originPort = (origin.address() as net.AddressInfo).port;
  });
  after(async () => {
    await Promise.all(sims.map((s) => s.close()));
    await new Promise<void>((r) => origin.close(() => r()));
  });

  it('plain HTTP leaves from the egress address; without one, from the default', async () => {
    const egress = await startSimulator({ bearer: 'o2', msisdn: MSISDN, egress: '127.0.0.2' });
    const plain = await startSimulator({ bearer: 'o2', msisdn: MSISDN });
    sims.push(egress, plain);
    seenFrom = [];
    assert.equal((await viaProxy(egress.port, `http://probe.localhost:${originPort}/a`)).status, 200);
    assert.equal((await viaProxy(plain.port, `http://probe.localhost:${originPort}/b`)).status, 200);
    assert.deepEqual(seenFrom, ['127.0.0.2', '127.0.0.1']);
  });

  it('CONNECT tunnels leave from the egress address too', async () => {
    const sim = await startSimulator({ bearer: 'o2', msisdn: MSISDN, egress: '127.0.0.2' });
    sims.push(sim);
    const { status, text } = await tunnelExchange(sim.port, 'probe.localhost', (s) => `${s.remoteAddress}\n`);
    assert.equal(status, 200);
    assert.equal(text.trim(), '127.0.0.2');
  });

  it('refuses what is not an address of this machine, in one line, before listening', async () => {
    for (const [egress, pattern] of [
      ['not-an-address', /^--egress must be an IP address of this machine/],
      ['127.0.0.0/8', /^--egress must be an IP address/],
      ['192.0.2.1', /^--egress 192\.0\.2\.1: not an address of this machine to connect from/],
    ] as const) {
      await assert.rejects(startSimulator({ bearer: 'o2', msisdn: MSISDN, egress }), (err: unknown) => {
        assert.ok(err instanceof UserError, String(err));
        assert.match(err.message, pattern);
        return true;
      });
    }
  });
});

import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import { UserError } from '../../src/shared/errors.ts';
import { type RunningSimulator, startSimulator } from '../../src/simulate/index.ts';
import { parseResolveFlag } from '../../src/simulate/options.ts';
import { tunnelExchange, viaProxy } from './helpers.ts';

// --resolve host=address: a deployed endpoint's real-looking names (probe.hg.test) reach where it runs without
// DNS, for plain HTTP and CONNECT alike; the gateway still enriches the partner host by its name.

const MSISDN = '447700900123';

describe('simulate: --resolve', () => {
  let origin: http.Server;
  let originPort: number;
  let seen: { host?: string; clid?: string }[];
  let sim: RunningSimulator;
  before(async () => {
    seen = [];
    origin = http.createServer((req, res) => {
      seen.push({ host: req.headers.host, clid: req.headers['x-up-calling-line-id'] as string | undefined });
      res.end('ok');
    });
    await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
    originPort = (origin.address() as net.AddressInfo).port;
    sim = await startSimulator({
      bearer: 'o2',
      msisdn: MSISDN,
      partnerHost: 'partner.hg.test',
      resolve: { 'probe.hg.test': '127.0.0.1', 'PARTNER.hg.test': '127.0.0.1' },
    });
  });
  after(async () => {
    await sim.close();
    await new Promise<void>((r) => origin.close(() => r()));
  });

  it('plain HTTP to mapped names reaches the mapped address; the partner name gets the enrichment', async () => {
    assert.equal((await viaProxy(sim.port, `http://probe.hg.test:${originPort}/a`)).status, 200);
    assert.equal((await viaProxy(sim.port, `http://partner.hg.test:${originPort}/b`)).status, 200);
    assert.deepEqual(seen, [
      { host: `probe.hg.test:${originPort}`, clid: undefined },
      { host: `partner.hg.test:${originPort}`, clid: MSISDN },
    ]);
  });

  it('CONNECT to a mapped name is tunnelled to the mapped address', async () => {
    const { status, text } = await tunnelExchange(sim.port, 'probe.hg.test', () => 'tunnelled\n');
    assert.equal(status, 200);
    assert.equal(text.trim(), 'tunnelled');
  });

  it('a mapping onto the simulator itself is refused like any loop', async () => {
    const res = await viaProxy(sim.port, `http://probe.hg.test:${sim.port}/loop`);
    assert.equal(res.status, 508);
  });

  it('refuses what is not host=address, in one line', async () => {
    assert.throws(() => parseResolveFlag('probe.hg.test'), /^UserError: --resolve must be host=address/);
    assert.deepEqual(parseResolveFlag('b=127.0.0.2', { a: '127.0.0.1' }), { a: '127.0.0.1', b: '127.0.0.2' });
    await assert.rejects(
      startSimulator({ bearer: 'o2', msisdn: MSISDN, resolve: { 'probe.hg.test': 'localhost' } }),
      (err: unknown) =>
        err instanceof UserError &&
        /--resolve probe\.hg\.test: "localhost" is not an IP address/.test(err.message),
    );
  });
});

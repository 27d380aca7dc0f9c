/** The upstream timeout: a silent upstream gets the client a one-line 504 after `upstreamTimeoutMs`, not later. */
import assert from 'node:assert/strict';
import { type RunningSimulator, startSimulator } from '../../src/simulate/index.ts';
import { DEFAULT_UPSTREAM_TIMEOUT_MS, resolveOptions } from '../../src/simulate/options.ts';
import { connectTunnel, startSilentOrigin, viaProxy } from './helpers.ts';

describe('simulate: upstream timeout', () => {
  let silent: Awaited<ReturnType<typeof startSilentOrigin>>;
  let sim: RunningSimulator;
  before(async () => {
    silent = await startSilentOrigin();
    sim = await startSimulator({
      bearer: 'o2',
      msisdn: '447700900123',
      logLevel: 'silent',
      upstreamTimeoutMs: 400,
    });
  });
  after(async () => {
    await sim.close();
    await silent.close();
  });

  it('defaults to 30 s', () => {
    assert.equal(DEFAULT_UPSTREAM_TIMEOUT_MS, 30_000);
    assert.equal(resolveOptions({ bearer: 'o2', msisdn: '447700900123' }).upstreamTimeoutMs, 30_000);
  });

  it('answers 504 with one line once a silent upstream has said nothing for upstreamTimeoutMs', async () => {
    const started = Date.now();
    const res = await viaProxy(sim.port, `http://probe.localhost:${silent.port}/slow`);
    const took = Date.now() - started;
    assert.equal(res.status, 504);
    assert.equal(
      res.body,
      `headerguard sim: upstream timed out (ETIMEDOUT) for probe.localhost:${silent.port}\n`,
    );
    assert.ok(took >= 350 && took < 5_000, `took ${took} ms`);
  });

  it('leaves an established CONNECT tunnel alone however quiet it is', async () => {
    const tunnel = await connectTunnel(sim.port, `probe.localhost:${silent.port}`);
    assert.equal(tunnel.status, 200);
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(tunnel.socket.destroyed, false);
    tunnel.socket.destroy();
  });
});

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type Infrastructure, StartError, startInfrastructure } from '../../src/run/infrastructure.ts';
import { planSession, type Session } from '../../src/run/session.ts';
import { viaProxy } from '../simulate/helpers.ts';

/** Hold `port` on 127.0.0.1, as another process that bound it after the plan chose it. */
function hold(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('run/infrastructure: a port another process took after the plan chose it', () => {
  let dir: string;
  let held: net.Server[] = [];
  let infra: Infrastructure | undefined;

  /** The simulated farm's plan, without the chromedriver (not what these tests are about). */
  async function plan(): Promise<Session> {
    const session = await planSession({ farmPath: 'devices/simulated.ts', reportDir: dir }, {});
    delete session.plan.chromedriverPort;
    return session;
  }

  const logLevel = process.env.HEADERGUARD_LOG_LEVEL;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-infra-'));
    process.env.HEADERGUARD_LOG_LEVEL = 'warn';
  });
  afterEach(async () => {
    await infra?.stop();
    infra = undefined;
    await Promise.all(held.map((s) => new Promise((resolve) => s.close(resolve))));
    held = [];
  });
  after(async () => {
    if (logLevel === undefined) delete process.env.HEADERGUARD_LOG_LEVEL;
    else process.env.HEADERGUARD_LOG_LEVEL = logLevel;
    await rm(dir, { recursive: true, force: true });
  });

  it('headerguard run (rebindTakenPorts): the endpoint and the simulator listen elsewhere, and the plan says where', async () => {
    const session = await plan();
    const { plan: p } = session;
    assert.equal(p.endpoint.kind, 'embedded');
    if (p.endpoint.kind !== 'embedded') return;
    const endpoint = p.endpoint;
    const simId = Object.keys(p.simPorts)[0]!;
    const takenMain = endpoint.ports.main;
    const takenSim = p.simPorts[simId]!;
    held = [await hold(takenMain), await hold(takenSim)];
    infra = await startInfrastructure(session, { rebindTakenPorts: true });
    assert.notEqual(endpoint.ports.main, takenMain);
    assert.notEqual(p.simPorts[simId], takenSim);
    assert.deepEqual(
      endpoint.ports,
      infra.endpoint!.ports,
      'the plan names the ports the endpoint listens on',
    );
    assert.deepEqual(
      infra.simulators.map((s) => s.port),
      Object.values(p.simPorts),
      "the plan names each simulator's port",
    );
    // A handset's request through its simulator reaches the endpoint at its new port.
    const res = await viaProxy(p.simPorts[simId]!, `http://probe.localhost:${endpoint.ports.main}/me.json`);
    assert.equal(res.status, 200, res.body);
    const me = JSON.parse(res.body) as { url: string; headers: [string, string][] };
    assert.equal(me.url, '/me.json');
    assert.ok(
      me.headers.some(
        ([n, v]) => n.toLowerCase() === 'host' && v === `probe.localhost:${endpoint.ports.main}`,
      ),
    );
  });

  it("headerguard run (rebindTakenPorts): chromedriver's taken port is replaced too, and the plan says where", async () => {
    const session = await planSession({ farmPath: 'devices/simulated.ts', reportDir: dir }, {});
    const { plan: p } = session;
    const taken = p.chromedriverPort!;
    assert.ok(taken, 'the simulated farm has emulated handsets: one chromedriver');
    held = [await hold(taken)];
    infra = await startInfrastructure(session, { rebindTakenPorts: true });
    assert.notEqual(p.chromedriverPort, taken);
    assert.equal(p.chromedriverPort, infra.chromedriver!.port);
    const res = await fetch(`http://127.0.0.1:${p.chromedriverPort}/status`);
    assert.equal(((await res.json()) as { value: { ready: boolean } }).value.ready, true);
  });

  it('without it: a taken chromedriver port is a StartError naming it', async () => {
    const session = await planSession({ farmPath: 'devices/simulated.ts', reportDir: dir }, {});
    const taken = session.plan.chromedriverPort!;
    held = [await hold(taken)];
    await assert.rejects(startInfrastructure(session), (err: Error) => {
      assert.ok(err instanceof StartError);
      assert.equal(
        err.message,
        `chromedriver (127.0.0.1:${taken}) could not start: 127.0.0.1:${taken}: the port is already in use`,
      );
      return true;
    });
    assert.equal(session.plan.chromedriverPort, taken, 'the plan is unchanged');
  });

  it('without it (WDIO read the plan first): a taken port is a StartError naming the simulator and its port', async () => {
    const session = await plan();
    const simId = Object.keys(session.plan.simPorts)[0]!;
    const taken = session.plan.simPorts[simId]!;
    held = [await hold(taken)];
    await assert.rejects(startInfrastructure(session), (err: Error) => {
      assert.ok(err instanceof StartError);
      assert.match(
        err.message,
        new RegExp(`handset ${simId} \\(127\\.0\\.0\\.1:${taken}\\) could not start`),
      );
      assert.match(err.message, /already in use/);
      return true;
    });
    assert.equal(session.plan.simPorts[simId], taken, 'the plan is unchanged');
  });
});

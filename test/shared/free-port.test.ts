import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { browsersConnectTo, freePort } from '../../src/shared/free-port.ts';

const listen = (port: number, host: string) =>
  new Promise<net.Server>((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen({ port, host, exclusive: true }, () => resolve(s));
  });

describe('shared/free-port', () => {
  it('picks ports below the ephemeral range (no outgoing connection can take them), free on 127.0.0.1 and ::1', async () => {
    const lo = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    for (let i = 0; i < 20; i++) {
      const port = await freePort();
      assert.ok(port >= 10_000 && port < lo, `${port} below ${lo}`);
      const v4 = await listen(port, '127.0.0.1');
      const v6 = await listen(port, '::1');
      await Promise.all([v4, v6].map((s) => new Promise((r) => s.close(r))));
    }
  });

  it('never hands out the same port twice (a plan binds its ports only later)', async () => {
    // 1,000 draws from the ~22,000 ports below the range would repeat one almost surely if nothing prevented it.
    const ports = new Set<number>();
    for (let i = 0; i < 1000; i++) ports.add(await freePort());
    assert.equal(ports.size, 1000);
  });

  it("knows the ports browsers and fetch() refuse (the Fetch standard's bad ports), which freePort skips", async () => {
    for (const port of [10080, 6000, 6667, 5060, 25, 1])
      assert.equal(browsersConnectTo(port), false, String(port));
    for (const port of [10081, 8080, 80, 443, 32767])
      assert.equal(browsersConnectTo(port), true, String(port));
    // fetch() itself agrees (Node's undici implements the same list).
    await assert.rejects(fetch('http://127.0.0.1:10080/'), (err: Error & { cause?: Error }) =>
      /bad port/i.test(`${err.cause?.message ?? err.message}`),
    );
  });
});

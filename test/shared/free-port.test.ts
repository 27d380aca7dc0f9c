import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { freePort } from '../../src/shared/free-port.ts';

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
});

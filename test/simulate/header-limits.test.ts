/**
 * Header limits of the simulator's client side: every header line reaches the origin however many there are
 * (Node keeps only ~1,023 by default), and a header block over the byte limit is refused with 431, not 400.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import { type RunningSimulator, startSimulator } from '../../src/simulate/index.ts';
import { rawExchange } from './helpers.ts';

/** An origin that counts the header lines it receives (no cap of its own) and answers with the count. */
async function countingOrigin(): Promise<{ port: number; counts: number[]; close(): Promise<void> }> {
  const counts: number[] = [];
  const server = http.createServer((req, res) => {
    counts.push(req.rawHeaders.length / 2);
    req.resume();
    res.end('ok');
  });
  server.maxHeadersCount = 0;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function requestWith(port: number, lines: string[]): string {
  return `GET http://127.0.0.1:${port}/many HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${lines.join('')}\r\n`;
}

describe('simulate/proxy: header limits', () => {
  let sim: RunningSimulator;
  let origin: Awaited<ReturnType<typeof countingOrigin>>;
  before(async () => {
    origin = await countingOrigin();
    sim = await startSimulator({ bearer: 'o2', msisdn: '447700900123', logLevel: 'silent' });
  });
  after(async () => {
    await sim.close();
    await origin.close();
  });

  for (const n of [1_022, 1_500, 1_800]) {
    it(`forwards all of ${n} client header lines (plus Host, Via and X-Forwarded-For)`, async () => {
      const lines = Array.from({ length: n }, (_, i) => `X-H${i}: v\r\n`);
      const answer = await rawExchange(sim.port, requestWith(origin.port, lines));
      assert.match(answer, /^HTTP\/1\.1 200 /);
      assert.equal(origin.counts.at(-1), n + 3);
    });
  }

  it('refuses a 200 KiB header with 431 and a one-line body, and keeps serving', async () => {
    const before = origin.counts.length;
    const answer = await rawExchange(
      sim.port,
      requestWith(origin.port, [`X-Big: ${'a'.repeat(200 * 1024)}\r\n`]),
    );
    assert.match(answer, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    assert.match(answer, /\r\n\r\nheaderguard sim: request header block too large\n$/);
    assert.equal(origin.counts.length, before, 'nothing reached the origin');
    const again = await rawExchange(sim.port, requestWith(origin.port, ['X-A: 1\r\n']));
    assert.match(again, /^HTTP\/1\.1 200 /);
  });

  it('refuses too many header lines for the byte limit with 431 too', async () => {
    const lines = Array.from({ length: 5_000 }, (_, i) => `X-H${i}: v\r\n`);
    const answer = await rawExchange(sim.port, requestWith(origin.port, lines));
    assert.match(answer, /^HTTP\/1\.1 431 /);
  });
});

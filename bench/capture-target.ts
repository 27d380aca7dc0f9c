/**
 * A benchmark target, run in its own process by bench/capture.bench.ts (loopback only):
 *   bare                   a bare Node http server that only echoes the request headers (and, like the
 *                          endpoint, closes the connection after a `same-conn` probe, as the plan asks)
 *   capture <db> [runs]    the capture endpoint on `<db>` (a SQLite file or a postgres:// URL, as `serve --db`),
 *                          with `runs` open runs for the warm-up and as many for the measured window (default 1
 *                          each)
 * Prints one line `READY <port> [<warm-up tokens> <measured tokens>]` (tokens comma-separated), then serves until
 * stdin closes or SIGTERM.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CaptureClient, startLocalCaptureServer } from '../src/capture/index.ts';
import { createLogger } from '../src/shared/logger.ts';

const [mode, dbPath, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 1);
let stop: () => Promise<void>;

if (mode === 'bare') {
  const server = http.createServer((req, res) => {
    const body = JSON.stringify(req.rawHeaders);
    const close = req.url?.endsWith('/same-conn') ? { connection: 'close' } : {};
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...close,
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`READY ${(server.address() as AddressInfo).port}\n`);
  stop = () => new Promise((resolve) => server.close(() => resolve()));
} else if (mode === 'capture' && dbPath) {
  const apiKey = 'bench-key-0123456789';
  const server = await startLocalCaptureServer({
    dbPath,
    apiKey,
    maxCapturesPerRun: Number.MAX_SAFE_INTEGER,
    logger: createLogger('bench', 'silent'),
  });
  const client = new CaptureClient(server.apiBaseUrl, apiKey);
  const tokens = async (handset: string) => {
    const out: string[] = [];
    for (let i = 0; i < runs; i++)
      out.push((await client.createRun({ handset: `${handset}-${i}`, bearer: 'bench' })).token);
    return out.join(',');
  };
  const warmup = await tokens('bench-warmup');
  const measured = await tokens('bench');
  process.stdout.write(`READY ${server.ports.main} ${warmup} ${measured}\n`);
  stop = () => server.close();
} else {
  process.stderr.write('usage: capture-target.ts bare | capture <db>\n');
  process.exit(2);
}

let stopping = false;
const shutdown = () => {
  if (stopping) return;
  stopping = true;
  stop().then(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.stdin.on('end', shutdown);
process.stdin.resume();

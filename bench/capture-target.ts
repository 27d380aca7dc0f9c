/**
 * A benchmark target, run in its own process by bench/capture.bench.ts (loopback only):
 *   bare            a bare Node http server that only echoes the request headers
 *   capture <db>    the capture endpoint on a SQLite file, with one open run
 * Prints one line `READY <port> [<warm-up token> <measured token>]`, then serves until stdin closes or SIGTERM.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CaptureClient, startLocalCaptureServer } from '../src/capture/index.ts';
import { createLogger } from '../src/shared/logger.ts';

const [mode, dbPath] = process.argv.slice(2);
let stop: () => Promise<void>;

if (mode === 'bare') {
  const server = http.createServer((req, res) => {
    const body = JSON.stringify(req.rawHeaders);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
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
  const warmup = await client.createRun({ handset: 'bench-warmup', bearer: 'bench' });
  const measured = await client.createRun({ handset: 'bench', bearer: 'bench' });
  process.stdout.write(`READY ${server.ports.main} ${warmup.token} ${measured.token}\n`);
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

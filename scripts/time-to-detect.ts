/**
 * Time to detect, measured: `headerguard watch --every EVERY --notify` on the simulated farm (devices/simulated.ts:
 * its three handsets and bearers), each handset behind a bearer simulator this script runs as the handset's
 * gateway. Once the first run is green, the o2 gateway is switched to the O2 2012 fault (stopped and started
 * again on the same port with `o2-2012`); the clock runs from that switch to the `red` notification arriving at a
 * local webhook receiver. Then watch is stopped.
 *
 * Run: node --import tsx scripts/time-to-detect.ts [every]   (default 1m; about every + two runs)
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import farm from '../devices/simulated.ts';
import { PROJECT_ROOT } from '../src/run/session.ts';
import { freePort } from '../src/shared/free-port.ts';
import { type RunningSimulator, type SimBearer, startSimulator } from '../src/simulate/index.ts';

const EVERY = process.argv[2] ?? '1m';
const dir = await mkdtemp(path.join(os.tmpdir(), 'hg-ttd-'));

interface Gateway {
  options: Parameters<typeof startSimulator>[0];
  sim: RunningSimulator;
}
const gateways = new Map<string, Gateway>();
const handsets = [];
for (const h of farm.handsets) {
  const bearer = String(h.proxy).replace(/^sim:/, '').split(/[:@]/)[0] as SimBearer;
  const identity = h.identity as { msisdn: string; imsi?: string };
  const options = {
    bearer,
    msisdn: identity.msisdn,
    ...(identity.imsi ? { imsi: identity.imsi } : {}),
    port: await freePort(),
    partnerHost: 'partner.localhost',
  };
  gateways.set(h.id, { options, sim: await startSimulator(options) });
  handsets.push({ ...h, proxy: `http://127.0.0.1:${options.port}` });
}
const farmFile = path.join(dir, 'simulated-gateways.json');
await writeFile(farmFile, JSON.stringify({ name: 'simulated', bearers: farm.bearers, handsets }));

let switchedAt: number | undefined;
let redAt: number | undefined;
const events: string[] = [];
const receiver = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => {
    body += d;
  });
  req.on('end', () => {
    const event = (JSON.parse(body) as { event: string; text: string }).event;
    events.push(event);
    if (event === 'red' && switchedAt !== undefined && redAt === undefined) redAt = Date.now();
    res.end('ok');
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const hook = `http://127.0.0.1:${(receiver.address() as net.AddressInfo).port}/hook`;

const watch = spawn(
  process.execPath,
  [
    path.join(PROJECT_ROOT, 'bin', 'headerguard.js'),
    'watch',
    '--farm',
    farmFile,
    '--every',
    EVERY,
    '--report-dir',
    path.join(dir, 'reports'),
    '--notify',
    hook,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const runLines: string[] = [];
watch.stdout.on('data', async (d: Buffer) => {
  const text = d.toString();
  process.stdout.write(text);
  for (const line of text.split('\n')) if (/ run \d+: /.test(line)) runLines.push(line);
  if (switchedAt === undefined && runLines.length >= 1) {
    if (!/ run 1: PASS/.test(runLines[0]!)) {
      console.error('time-to-detect: the first run is not green; nothing to measure');
      watch.kill('SIGTERM');
      return;
    }
    switchedAt = Date.now();
    const o2 = gateways.get('o2-pixel-7')!;
    await o2.sim.close();
    o2.sim = await startSimulator({ ...o2.options, fault: 'o2-2012' });
    console.log(`time-to-detect: ${new Date(switchedAt).toISOString()} o2 gateway switched to fault o2-2012`);
  }
});
const timer = setInterval(() => {
  if (redAt !== undefined) {
    clearInterval(timer);
    // The first lets the current run finish; the second (a moment later: signals sent at once coalesce) stops it.
    watch.kill('SIGTERM');
    setTimeout(() => watch.kill('SIGTERM'), 500);
  }
}, 200);
await new Promise((resolve) => watch.once('close', resolve));
clearInterval(timer);
receiver.close();
for (const g of gateways.values()) await g.sim.close();
await rm(dir, { recursive: true, force: true });
if (switchedAt !== undefined && redAt !== undefined) {
  console.log(
    `time-to-detect: --every ${EVERY}: fault switched on -> red notification in ${((redAt - switchedAt) / 1000).toFixed(1)} s (events: ${events.join(', ')})`,
  );
} else {
  console.log(`time-to-detect: no red notification (events: ${events.join(', ') || 'none'})`);
  process.exitCode = 1;
}

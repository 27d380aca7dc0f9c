import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/shared/free-port.ts';
import { ROOT, runCli, spawnCollected, summaryIn } from '../support/cli.ts';

// End to end against a capture endpoint deployed as its own process (`headerguard serve`, file database,
// self-signed certificate): a healthy handset passes when the farm accepts that certificate
// (capture.acceptInsecureCerts reaches the browser, not only the API client), and a fault fails.

describe('headerguard run: a deployed capture endpoint (end to end)', function () {
  this.timeout(180_000);
  let dir: string;
  let serve: ReturnType<typeof spawnCollected> | undefined;
  let main: number;
  const key = 'd'.repeat(24);
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-deployed-'));
    const ports = [await freePort(), await freePort(), await freePort()];
    main = ports[0]!;
    serve = spawnCollected(process.execPath, [
      path.join(ROOT, 'bin', 'headerguard.js'),
      'serve',
      ...['--http-port', String(ports[0]), '--alt-port', String(ports[1]), '--https-port', String(ports[2])],
      ...['--bind', '127.0.0.1', '--db', path.join(dir, 'hg.db'), '--api-key', key],
    ]);
    const deadline = Date.now() + 30_000;
    while (!serve.stdout().includes('capture endpoint ready') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 25));
    assert.ok(serve.stdout().includes('capture endpoint ready'), serve.stderr());
  });
  after(async () => {
    serve?.child.kill('SIGTERM');
    await serve?.exit;
    await rm(dir, { recursive: true, force: true });
  });

  async function runThrough(proxy: string, reportDir: string) {
    const farmFile = path.join(dir, `${path.basename(reportDir)}.json`);
    await writeFile(
      farmFile,
      JSON.stringify({
        name: 'deployed',
        capture: {
          url: `http://127.0.0.1:${main}`,
          apiKey: 'env:HG_DEPLOYED_KEY',
          acceptInsecureCerts: true,
        },
        bearers: [
          {
            id: 'o2',
            name: 'O2 UK',
            country: 'GB',
            mccmnc: ['234-10'],
            partnerEnrichment: ['x-up-calling-line-id'],
          },
        ],
        handsets: [
          { id: 'h', bearer: 'o2', emulate: 'Pixel 7', proxy, identity: { msisdn: '447700900151' } },
        ],
      }),
    );
    return runCli(['run', '--farm', farmFile, '--report-dir', reportDir], { env: { HG_DEPLOYED_KEY: key } });
  }

  it('a healthy simulated gateway passes, every HTTPS twin captured through the self-signed certificate', async () => {
    const reportDir = path.join(dir, 'healthy');
    const res = await runThrough('sim:o2', reportDir);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const [h] = (await summaryIn(reportDir)).handsets;
    assert.equal(h!.verdict, 'pass', JSON.stringify(h!.findings));
    assert.equal(h!.checks.find((c) => c.rule === 'incomplete')!.status, 'passed');
  });

  it('the O2 2012 replay through it fails, naming x-up-calling-line-id', async () => {
    const reportDir = path.join(dir, 'fault');
    const res = await runThrough('sim:o2:o2-2012', reportDir);
    assert.equal(res.code, 1, res.stdout + res.stderr);
    const [h] = (await summaryIn(reportDir)).handsets;
    assert.ok(h!.findings.some((f) => f.rule === 'identity-header' && f.header === 'x-up-calling-line-id'));
  });
});

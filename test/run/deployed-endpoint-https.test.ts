import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { selfSignedFor } from '../../src/capture/server/tls-material.ts';
import { freePort } from '../../src/shared/free-port.ts';
import { O2_WITH_PARTNER } from '../support/bearers.ts';
import { ROOT, runCli, spawnCollected, summaryIn } from '../support/cli.ts';

// End to end against a lab endpoint as it would be deployed: `headerguard serve` as its own process (file
// database) under real-looking names (probe.hg.test, partner.hg.test) with a certificate for both that no
// public CA signed. The farm reaches the API over HTTPS, maps the names to loopback (capture.resolve: Chromium's
// host-resolver rules, the simulators' --resolve, the API client) and trusts the certificate through
// capture.ca (Chromium: --ignore-certificate-errors-spki-list; the API client: its CA). Without capture.ca the
// certificate is checked and refused: broken at start, one line. The API has a listener of its own
// (--api-listen, as docs/capture-endpoint.md deploys it for a firewall): capture.url names it, and the probes go to
// the probe ports the run's plan names.

describe('headerguard run: a lab endpoint on a private certificate, over HTTPS, by name (end to end)', function () {
  this.timeout(240_000);
  let dir: string;
  let serve: ReturnType<typeof spawnCollected> | undefined;
  let https: number;
  let api: number;
  let certFile: string;
  const key = 'h'.repeat(24);
  const names = { 'probe.hg.test': '127.0.0.1', 'partner.hg.test': '127.0.0.1' };
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-deployed-https-'));
    const tls = await selfSignedFor(['probe.hg.test', 'partner.hg.test']);
    certFile = path.join(dir, 'endpoint.pem');
    const keyFile = path.join(dir, 'endpoint.key');
    await writeFile(certFile, tls.cert);
    await writeFile(keyFile, tls.key, { mode: 0o600 });
    const ports = [await freePort(), await freePort(), await freePort()];
    https = ports[2]!;
    api = await freePort();
    serve = spawnCollected(process.execPath, [
      path.join(ROOT, 'bin', 'headerguard.js'),
      'serve',
      ...['--http-port', String(ports[0]), '--alt-port', String(ports[1]), '--https-port', String(https)],
      ...['--probe-host', 'probe.hg.test', '--partner-host', 'partner.hg.test'],
      ...['--tls-cert', certFile, '--tls-key', keyFile],
      ...['--bind', '127.0.0.1', '--db', path.join(dir, 'hg.db'), '--api-key', key],
      ...['--api-listen', `127.0.0.1:${api}`],
    ]);
    const deadline = Date.now() + 30_000;
    while (!serve.stdout().includes('capture endpoint ready') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 25));
    assert.ok(serve.stdout().includes('capture endpoint ready'), serve.stdout() + serve.stderr());
  });
  after(async () => {
    serve?.child.kill('SIGTERM');
    await serve?.exit;
    await rm(dir, { recursive: true, force: true });
  });

  async function farmFile(name: string, capture: Record<string, unknown>, handsets: unknown[]) {
    const file = path.join(dir, `${name}.json`);
    await writeFile(
      file,
      JSON.stringify({
        name,
        capture: {
          url: `https://probe.hg.test:${api}`,
          apiKey: 'env:HG_LAB_KEY',
          resolve: names,
          partnerHost: 'partner.hg.test',
          ...capture,
        },
        bearers: [O2_WITH_PARTNER],
        handsets,
      }),
    );
    return file;
  }
  const handset = (id: string, proxy: string, msisdn: string) => ({
    id,
    bearer: 'o2',
    emulate: 'Pixel 7',
    proxy,
    identity: { msisdn },
  });

  it('trusted through capture.ca: green through a healthy simulator, red (naming the rule) through a fault', async () => {
    const file = await farmFile('lab-ca', { ca: certFile }, [
      handset('healthy', 'sim:o2', '447700900181'),
      handset('o2-2012', 'sim:o2:o2-2012', '447700900182'),
    ]);
    const reportDir = path.join(dir, 'ca');
    const res = await runCli(['run', '--farm', file, '--report-dir', reportDir], {
      env: { HG_LAB_KEY: key },
      timeoutMs: 200_000,
    });
    assert.equal(res.code, 1, res.stdout + res.stderr);
    const byId = new Map((await summaryIn(reportDir)).handsets.map((h) => [h.id, h]));
    const healthy = byId.get('healthy')!;
    assert.equal(healthy.verdict, 'pass', JSON.stringify(healthy.findings));
    // Every HTTPS twin arrived through the private certificate, and the partner host got its enrichment.
    assert.equal(healthy.checks.find((c) => c.rule === 'incomplete')!.status, 'passed');
    assert.equal(healthy.checks.find((c) => c.rule === 'partner-enrichment-missing')!.status, 'passed');
    const fault = byId.get('o2-2012')!;
    assert.equal(fault.verdict, 'fail');
    assert.ok(
      fault.findings.some((f) => f.rule === 'identity-header' && f.header === 'x-up-calling-line-id'),
    );
  });

  it('the certificate is checked by default: without capture.ca (or acceptInsecureCerts) the run is broken at start, in one line', async () => {
    const file = await farmFile('lab-unchecked', {}, [handset('healthy', 'sim:o2', '447700900183')]);
    const res = await runCli(['run', '--farm', file, '--report-dir', path.join(dir, 'unchecked')], {
      env: { HG_LAB_KEY: key },
    });
    assert.equal(res.code, 3, res.stdout + res.stderr);
    const line = res.stderr.split('\n').find((l) => l.startsWith('headerguard: '));
    assert.ok(line, res.stderr);
    assert.match(line, /certificate is not trusted .*capture\.ca/);
    assert.ok(!res.stderr.includes('    at '), 'no stack trace');
  });
});

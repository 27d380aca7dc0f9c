import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { filesBelow, runCli, summaryIn } from '../support/cli.ts';
import { gatewayRunFixture } from '../support/test-gateway.ts';

// End to end: bearer attestation through user gateways whose upstream connections leave from a loopback alias
// (127.0.0.2 stands in for the carrier's egress pool). One run, four handsets on one attested bearer.

describe('headerguard run: bearer attestation (end to end)', function () {
  this.timeout(420_000);
  const fixture = gatewayRunFixture('hg-attest-');

  it('on the bearer passes; another egress or direct is broken (off-bearer); a leak through the bearer fails', async () => {
    const dir = await fixture.folder();
    // Healthy gateways strip a client-sent identity header (anti-spoofing).
    const strip = ['x-up-calling-line-id'];
    const onBearer = await fixture.gateway({ localAddress: '127.0.0.2', strip });
    const elsewhere = await fixture.gateway({ localAddress: '127.0.0.1', strip });
    const leaking = await fixture.gateway({
      localAddress: '127.0.0.2',
      strip,
      addHeaders: () => [['x-up-calling-line-id', '447700900124']],
    });
    const handset = (id: string, proxy: string, msisdn: string) => ({
      id,
      bearer: 'o2-attested',
      emulate: 'Pixel 7',
      proxy,
      identity: { msisdn },
    });
    const farmFile = path.join(dir, 'attest.json');
    await writeFile(
      farmFile,
      JSON.stringify({
        name: 'attested',
        bearers: [
          {
            id: 'o2-attested',
            name: 'O2 attested',
            country: 'GB',
            mccmnc: ['234-10'],
            allowInjected: ['via', 'x-forwarded-for'],
            partnerEnrichment: [],
            attest: { remoteCidrs: ['127.0.0.2/32'] },
          },
        ],
        handsets: [
          handset('on-bearer', onBearer.url, '447700900121'),
          handset('elsewhere', elsewhere.url, '447700900122'),
          handset('wifi', 'direct', '447700900123'),
          handset('leak', leaking.url, '447700900124'),
          // The project's own simulator, started by the run, its upstreams leaving from the NAT-pool stand-in.
          handset('sim-egress', 'sim:o2@127.0.0.2', '447700900125'),
        ],
      }),
    );
    const res = await runCli(['run', '--farm', farmFile, '--report-dir', dir], { timeoutMs: 400_000 });
    assert.equal(res.code, 1, res.stdout + res.stderr);
    const summary = await summaryIn(dir);
    const byId = new Map(summary.handsets.map((h) => [h.id, h]));
    const rules = (id: string) => [...new Set(byId.get(id)!.findings.map((f) => f.rule))];

    for (const id of ['on-bearer', 'sim-egress'])
      assert.equal(byId.get(id)!.verdict, 'pass', `${id}: ${JSON.stringify(byId.get(id)!.findings)}`);
    assert.equal(byId.get('on-bearer')!.checks.find((c) => c.rule === 'off-bearer')!.status, 'passed');
    assert.equal(byId.get('sim-egress')!.gateway, 'sim:o2@127.0.0.2');
    for (const id of ['elsewhere', 'wifi']) {
      const h = byId.get(id)!;
      assert.equal(h.verdict, 'broken', id);
      assert.deepEqual(rules(id), ['off-bearer'], `${id}: only off-bearer, the path rules are not judged`);
      assert.match(
        h.failure!,
        /not on the bearer: came from 127\.0\.0\.1, outside the bearer's ranges 127\.0\.0\.2\/32/,
      );
      assert.equal(h.checks.find((c) => c.rule === 'spoofable')!.status, 'skipped', id);
    }
    const leak = byId.get('leak')!;
    assert.equal(leak.verdict, 'fail');
    assert.ok(rules('leak').includes('identity-value'));
    assert.ok(!rules('leak').includes('off-bearer'));
    assert.match(res.stdout, /not on the bearer/);
    // Allure files the off-bearer handsets under their own category.
    const categories = (await filesBelow(dir)).find((f) => f.endsWith('categories.json'))!;
    assert.match(await readFile(categories, 'utf8'), /Broken: not on the bearer/);
  });
});

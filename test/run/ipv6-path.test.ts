import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli, summaryIn } from '../support/cli.ts';
import { gatewayRunFixture } from '../support/test-gateway.ts';

// End to end: the IPv6 path probed apart from IPv4. The embedded endpoint listens on 127.0.0.1 and ::1; the
// IPv6 probes go to http(s)://[::1]. One run: user gateways and simulators that leak on IPv6 only, healthy
// ones, and a gateway without an IPv6 path on a bearer where IPv6 is optional and on one where it is required.

describe('headerguard run: IPv4 and IPv6 probed apart (end to end)', function () {
  this.timeout(420_000);
  const fixture = gatewayRunFixture('hg-ipv6-');

  it('a leak on the IPv6 path alone fails while the same path healthy passes; no IPv6 path: optional passes, required is broken', async () => {
    const dir = await fixture.folder();
    const strip = ['x-up-calling-line-id'];
    const msisdn = '447700900131';
    const v6Leak = await fixture.gateway({
      strip,
      addHeaders: () => [['x-up-calling-line-id', msisdn]],
      addHeadersFamily: 6,
    });
    const healthy = await fixture.gateway({ strip });
    const noV6 = await fixture.gateway({ strip, ipv4Only: true });
    const handset = (id: string, bearer: string, proxy: string, number: string) => ({
      id,
      bearer,
      emulate: 'Pixel 7',
      proxy,
      identity: { msisdn: number },
    });
    const farmFile = path.join(dir, 'ipv6.json');
    const policy = {
      id: 'dual-stack',
      name: 'Dual stack',
      country: 'GB',
      mccmnc: ['234-10'],
      allowInjected: ['via', 'x-forwarded-for'],
      partnerEnrichment: [],
    };
    await writeFile(
      farmFile,
      JSON.stringify({
        name: 'ipv6',
        bearers: [policy, { id: 'dual-stack-v6', parent: 'dual-stack', ipv6: 'required' }],
        handsets: [
          handset('gw-v6-leak', 'dual-stack', v6Leak.url, msisdn),
          handset('gw-healthy', 'dual-stack', healthy.url, '447700900132'),
          handset('sim-v6-leak', 'o2', 'sim:o2:ipv6-only-leak', '447700900133'),
          handset('sim-healthy', 'o2', 'sim:o2', '447700900134'),
          handset('no-v6-optional', 'dual-stack', noV6.url, '447700900135'),
          handset('no-v6-required', 'dual-stack-v6', noV6.url, '447700900136'),
        ],
      }),
    );
    const res = await runCli(['run', '--farm', farmFile, '--report-dir', dir], { timeoutMs: 400_000 });
    assert.equal(res.code, 1, res.stdout + res.stderr);
    const summary = await summaryIn(dir);
    const byId = new Map(summary.handsets.map((h) => [h.id, h]));
    const h = (id: string) => byId.get(id)!;
    const show = (id: string) => `${id}: ${JSON.stringify(h(id).findings)} ${h(id).failure}`;

    // The contract: the subscriber number added to IPv6 destinations only is caught, on the IPv6 probes only.
    for (const id of ['gw-v6-leak', 'sim-v6-leak']) {
      assert.equal(h(id).verdict, 'fail', show(id));
      const leaks = h(id).findings.filter((f) => f.rule === 'identity-header');
      assert.ok(leaks.length > 0, show(id));
      assert.ok(
        h(id).findings.every((f) => f.probe.includes('-v6')),
        `${id}: only IPv6 probes fail: ${show(id)}`,
      );
      assert.ok(
        leaks.every((f) => f.evidence.includes('[IPv6 path]')),
        show(id),
      );
      assert.equal(h(id).ipv6Path, 'checked');
      // No full number anywhere in the evidence.
      assert.doesNotMatch(JSON.stringify(h(id).findings), /447700900131|447700900133/);
    }
    for (const id of ['gw-healthy', 'sim-healthy']) {
      assert.equal(h(id).verdict, 'pass', show(id));
      assert.equal(h(id).ipv6Path, 'checked', id);
    }
    assert.equal(h('no-v6-optional').verdict, 'pass', show('no-v6-optional'));
    assert.equal(h('no-v6-optional').ipv6Path, 'not-checked');
    assert.match(res.stdout, /^IPv6 path not checked: no-v6-optional, no-v6-required$/m);
    const required = h('no-v6-required');
    assert.equal(required.verdict, 'broken', show('no-v6-required'));
    assert.deepEqual(
      [...new Set(required.findings.map((f) => `${f.rule} ${f.probe}`))].sort(),
      ['nav-v6', 'img-v6', 'fetch-v6', 'nav-v6-tls', 'img-v6-tls', 'fetch-v6-tls']
        .map((p) => `incomplete ${p}`)
        .sort(),
    );
    assert.equal(required.ipv6Path, 'not-checked');
    assert.equal(summary.formatVersion, 3);
  });
});

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { filesBelow, runCli, summaryIn } from '../support/cli.ts';

// End to end: one bearer, two APNs (O2 UK's internet and WAP APNs, each with its own enrichment rules on the
// gateway), a fault on one of them only. Each APN's handset names its own simulator profile.

describe('headerguard run: one bearer, two APNs (end to end)', function () {
  this.timeout(420_000);
  let dir: string;
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("the faulty APN's handset fails, the other passes; reports and Allure name the APN", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-apn-'));
    const farmFile = path.join(dir, 'apn.json');
    await writeFile(
      farmFile,
      JSON.stringify({
        name: 'apns',
        bearers: [
          {
            id: 'o2-apns',
            parent: 'o2',
            apns: {
              'mobile.o2.co.uk': {},
              'wap.o2.co.uk': { partnerEnrichment: ['x-up-calling-line-id'] },
            },
          },
        ],
        handsets: [
          {
            id: 'web',
            bearer: 'o2-apns',
            apn: 'mobile.o2.co.uk',
            emulate: 'Pixel 7',
            proxy: 'sim:o2',
            identity: { msisdn: '447700900141' },
          },
          {
            id: 'wap',
            bearer: 'o2-apns',
            apn: 'wap.o2.co.uk',
            emulate: 'Pixel 7',
            proxy: 'sim:o2:o2-2012',
            identity: { msisdn: '447700900142' },
          },
        ],
      }),
    );
    const res = await runCli(['run', '--farm', farmFile, '--report-dir', dir], { timeoutMs: 400_000 });
    assert.equal(res.code, 1, res.stdout + res.stderr);
    const summary = await summaryIn(dir);
    const [web, wap] = summary.handsets;
    assert.equal(web!.apn, 'mobile.o2.co.uk');
    assert.equal(web!.verdict, 'pass', JSON.stringify(web!.findings));
    assert.deepEqual(web!.policy.partnerEnrichment, []);
    assert.equal(wap!.apn, 'wap.o2.co.uk');
    assert.equal(wap!.verdict, 'fail');
    assert.equal(wap!.policy.apn, 'wap.o2.co.uk');
    assert.deepEqual(wap!.policy.partnerEnrichment, ['x-up-calling-line-id']);
    assert.ok(wap!.findings.some((f) => f.rule === 'identity-header'));
    assert.match(res.stdout, /^web\s+o2-apns\s+mobile\.o2\.co\.uk\s+sim:o2\s+PASS/m);
    assert.match(res.stdout, /^wap\s+o2-apns\s+wap\.o2\.co\.uk\s+sim:o2:o2-2012\s+FAIL/m);
    // Allure: the APN is a parameter and a label.
    const results = (await filesBelow(dir)).filter((f) => f.endsWith('-result.json'));
    const parsed = await Promise.all(results.map(async (f) => JSON.parse(await readFile(f, 'utf8'))));
    for (const apn of ['mobile.o2.co.uk', 'wap.o2.co.uk']) {
      const mine = parsed.filter((r) =>
        r.parameters?.some((p: { name: string; value: string }) => p.name === 'APN' && p.value === apn),
      );
      assert.ok(mine.length > 0, `results with APN ${apn}`);
      assert.ok(
        mine.every((r) =>
          r.labels.some((l: { name: string; value: string }) => l.name === 'apn' && l.value === apn),
        ),
      );
    }
  });
});

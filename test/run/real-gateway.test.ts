/**
 * Through a real third-party gateway rather than our simulator: Debian's squid as the carrier's forward proxy,
 * configured three ways, one handset behind each, in one `headerguard run` on the embedded endpoint. A healthy
 * gateway (it strips what a client sends in the enrichment header) must pass with nothing found; one that adds
 * the subscriber's number to every request must fail naming it; a plain proxy that adds nothing but lets a
 * client's own enrichment header through fails as spoofable, and only that.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli, summaryIn } from '../support/cli.ts';
import { type RunningSquid, startSquid } from '../support/squid.ts';

// The embedded endpoint's names, which a gateway must resolve itself (squid reads them from its own hosts file).
const NAMES = { 'probe.localhost': '127.0.0.1', 'partner.localhost': '127.0.0.1' };
const MSISDN = '447700900121';

describe('headerguard run through a real gateway (squid, end to end)', function () {
  this.timeout(180_000);
  let dir: string;
  const squids: RunningSquid[] = [];
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-squid-run-'));
  });
  after(async () => {
    await Promise.all(squids.map((s) => s.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  it('healthy passes clean; leaking fails naming the header; pass-through fails as spoofable only', async () => {
    const [healthy, leaking, plain] = await Promise.all([
      startSquid(NAMES, ['request_header_access X-Up-Calling-Line-Id deny all']),
      startSquid(NAMES, [`request_header_add X-Up-Calling-Line-Id "${MSISDN}" all`]),
      startSquid(NAMES),
    ]);
    squids.push(healthy!, leaking!, plain!);
    const handset = (id: string, proxy: string) => ({
      id,
      bearer: 'o2',
      emulate: 'Pixel 7',
      proxy,
      identity: { msisdn: MSISDN },
    });
    const farm = path.join(dir, 'squid-farm.json');
    await writeFile(
      farm,
      JSON.stringify({
        name: 'squid',
        handsets: [
          handset('healthy', healthy!.url),
          handset('leaking', leaking!.url),
          handset('pass-through', plain!.url),
        ],
      }),
    );
    const res = await runCli(['run', '--farm', farm, '--report-dir', dir], { timeoutMs: 150_000 });
    const said = res.stdout + res.stderr;
    assert.equal(res.code, 1, said + squids.map((s) => s.output()).join('\n'));
    assert.ok(!said.includes(MSISDN), 'the number is masked on the console');
    const summary = await summaryIn(dir);
    const byId = new Map(summary.handsets.map((h) => [h.id, h]));
    const rules = (id: string) => [...new Set(byId.get(id)!.findings.map((f) => f.rule))].sort();

    assert.equal(byId.get('healthy')!.verdict, 'pass', said);
    assert.deepEqual(rules('healthy'), []);

    assert.equal(byId.get('leaking')!.verdict, 'fail');
    assert.ok(rules('leaking').includes('identity-header'), rules('leaking').join(', '));

    assert.equal(byId.get('pass-through')!.verdict, 'fail');
    assert.deepEqual(rules('pass-through'), ['spoofable']);
  });
});

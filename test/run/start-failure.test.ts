import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli, summaryIn } from '../support/cli.ts';

// End to end: what the run needs cannot start. The run stops at once, broken (exit 3), with one line naming
// what could not start - never a stack trace, never exit 1 (the leak code).
describe('headerguard run: what the run needs cannot start (end to end)', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-start-failure-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a chromedriver that cannot be spawned: broken, one line naming it, the summary says why', async () => {
    const farm = path.join(dir, 'farm.json');
    const handset = {
      id: 'h',
      bearer: 'o2',
      emulate: 'Pixel 7',
      proxy: 'sim:o2',
      identity: { msisdn: '447700900141' },
    };
    await writeFile(farm, JSON.stringify({ name: 'no-driver', handsets: [handset] }));
    const missing = path.join(dir, 'no-chromedriver');
    const res = await runCli(['run', '--farm', farm, '--report-dir', dir], {
      env: { CHROMEDRIVER_PATH: missing },
      timeoutMs: 110_000,
    });
    assert.equal(res.code, 3, res.stderr);
    assert.doesNotMatch(res.stderr, /^\s+at /m, 'no stack trace');
    assert.match(res.stderr, /chromedriver .*could not start: could not start .*no-chromedriver/);
    const summary = await summaryIn(dir);
    assert.equal(summary.verdict, 'broken');
    assert.match(summary.handsets[0]!.failure ?? '', /chromedriver/);
  });
});

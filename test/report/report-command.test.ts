import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../support/cli.ts';

// `headerguard report` on a run that was killed half-way (Allure results, no summary.json).

describe('headerguard report (CLI)', function () {
  this.timeout(90_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-report-'));
    const results = path.join(dir, '2026-12-01T10-00-00-000Z-abcdef', 'allure-results');
    await mkdir(results, { recursive: true });
    await writeFile(
      path.join(results, '00000000-0000-4000-8000-000000000000-result.json'),
      JSON.stringify({
        uuid: '00000000-0000-4000-8000-000000000000',
        historyId: 'h',
        name: 'incomplete: every planned probe was captured',
        status: 'passed',
        stage: 'finished',
        start: 1764583200000,
        stop: 1764583201000,
        labels: [],
      }),
    );
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('generates what was recorded, warns that the run did not finish, and exits 3 (broken), not 0', async () => {
    const res = await runCli(['report', '--report-dir', dir]);
    assert.equal(res.code, 3, res.stdout + res.stderr);
    assert.match(
      res.stderr,
      /^headerguard: warning: run 2026-12-01T10-00-00-000Z-abcdef did not finish \(no summary\.json: killed or still running\?\); the report shows only what it recorded$/m,
    );
    const report = path.join(dir, '2026-12-01T10-00-00-000Z-abcdef', 'allure-report', 'index.html');
    assert.ok((await stat(report)).size > 0);
  });
});

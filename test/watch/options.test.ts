import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { addRunOptions, optionArgs } from '../../src/cli/run-command.ts';
import { UserError } from '../../src/shared/errors.ts';
import { parseCount, parseEvery } from '../../src/watch/every.ts';
import { pruneRuns, runsToRemove } from '../../src/watch/keep.ts';

describe('watch: options', () => {
  it('--every takes 30s, 1m, 5m, 1h (whole s, m, h, d; at least 1 s); anything else is a usage error', () => {
    assert.equal(parseEvery('30s'), 30_000);
    assert.equal(parseEvery('1m'), 60_000);
    assert.equal(parseEvery('5m'), 300_000);
    assert.equal(parseEvery('1h'), 3_600_000);
    assert.equal(parseEvery('1s'), 1000);
    for (const bad of ['', '0s', '1', '1.5m', '500ms', 'm', '-1m', '1 week', undefined]) {
      assert.throws(
        () => parseEvery(bad),
        (e: unknown) => e instanceof UserError && e.exitCode === 2,
        String(bad),
      );
    }
    assert.equal(parseCount('--keep', '3'), 3);
    assert.equal(parseCount('--keep', undefined), undefined);
    for (const bad of ['0', '-1', '2.5', 'x']) assert.throws(() => parseCount('--keep', bad), UserError);
  });

  it('the run options given on the command line are passed on as they were given, defaults left out', () => {
    const cmd = new Command('watch').exitOverride();
    const keys = addRunOptions(cmd);
    cmd.option('--every <d>');
    cmd.parse(
      ['--every', '1m', '--bearer', 'o2', 'giffgaff', '--change', '-CHG 1', '--quiet', '--tag=nightly'],
      { from: 'user' },
    );
    assert.ok(keys.includes('farm') && keys.includes('maxParallel'));
    const args = optionArgs(cmd, keys);
    assert.deepEqual(args, [
      '--bearer=o2',
      '--bearer=giffgaff',
      '--tag=nightly',
      '--change=-CHG 1',
      '--quiet',
    ]);
    // What a run started with them parses back to the same values.
    const run = new Command('run').exitOverride();
    addRunOptions(run);
    run.parse(args, { from: 'user' });
    const given = (c: Command) =>
      Object.fromEntries(
        keys.filter((k) => c.getOptionValueSource(k) === 'cli').map((k) => [k, c.getOptionValue(k)]),
      );
    assert.deepEqual(given(run), given(cmd));
  });

  it('keeps the newest N run folders; other folders are left alone', async () => {
    const runs = [
      '2026-12-02T01-00-00-000Z-aaaaaa',
      '2026-12-02T01-01-00-000Z-bbbbbb',
      '2026-12-02T01-02-00-000Z-cccccc',
    ];
    assert.deepEqual(runsToRemove([runs[2]!, 'notes', runs[0]!, runs[1]!], 2), [runs[0]]);
    assert.deepEqual(runsToRemove(runs, 5), []);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hg-keep-'));
    try {
      for (const n of [...runs, 'baselines'])
        await mkdir(path.join(dir, n, 'allure-history'), { recursive: true });
      assert.deepEqual(await pruneRuns(dir, 1), runs.slice(0, 2));
      assert.deepEqual((await readdir(dir)).sort(), [runs[2], 'baselines']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

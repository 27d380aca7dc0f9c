import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { assertFailsNaming, runCli, runFarm } from '../support/cli.ts';
import { type RunningGrid, startGrid } from '../support/selenium-grid.ts';

// End to end through a real Selenium Grid 4 (test/support/selenium-grid.ts): a farm whose emulated handsets
// name the Grid as their hub runs several sessions on it in parallel, each Chromium reaching its bearer
// simulator through goog:chromeOptions --proxy-server; beside them a handset on the run's own chromedriver
// (a mixed farm): one run, one summary, one exit code.

describe('headerguard run: handsets on a Selenium Grid 4 hub (end to end)', function () {
  this.timeout(240_000);
  let grid: RunningGrid;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-grid-run-'));
    grid = await startGrid({ maxSessions: 4 });
  });
  after(async () => {
    await grid?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('two Grid sessions at once and one local: the healthy ones pass, the fault fails with its rule', async () => {
    const farmFile = path.join(dir, 'grid-farm.json');
    const hub = grid.farmGrid;
    await writeFile(
      farmFile,
      JSON.stringify({
        name: 'grid',
        handsets: [
          {
            id: 'grid-healthy',
            bearer: 'o2',
            emulate: 'Pixel 7',
            proxy: 'sim:o2',
            grid: hub,
            identity: { msisdn: '447700900161' },
          },
          {
            id: 'grid-o2-2012',
            bearer: 'o2',
            emulate: 'Galaxy S9+',
            proxy: 'sim:o2:o2-2012',
            grid: hub,
            identity: { msisdn: '447700900162' },
          },
          {
            id: 'local-healthy',
            bearer: 'o2',
            emulate: 'iPhone 14',
            proxy: 'sim:o2',
            identity: { msisdn: '447700900163' },
          },
        ],
      }),
    );
    const reportDir = path.join(dir, 'reports');
    const { res, byId } = await runFarm(farmFile, reportDir, { maxParallel: 3, code: 1 });
    assert.deepEqual(
      [...byId.keys()].sort(),
      ['grid-healthy', 'grid-o2-2012', 'local-healthy'],
      'one summary for the whole mixed farm',
    );
    assert.equal(byId.get('grid-healthy')!.verdict, 'pass', JSON.stringify(byId.get('grid-healthy')));
    assert.equal(byId.get('local-healthy')!.verdict, 'pass', JSON.stringify(byId.get('local-healthy')));
    assertFailsNaming(byId.get('grid-o2-2012'), 'x-up-calling-line-id');
    // The Grid's own log: both Grid handsets' sessions were created there (not on the local chromedriver).
    const created = grid.output().match(/Session created by the Node/g) ?? [];
    assert.equal(created.length, 2, grid.output());
    // Masked everywhere: the numbers never reach the console.
    assert.ok(!/44770090016\d/.test(res.stdout + res.stderr), res.stdout + res.stderr);
  });
  // doctor asks the same real Grid's /status: a slot per handset on it (an emulated one asks for Chrome; a real
  // one for its own capabilities). Both doctors start no browser: a few seconds each.
  const doctorOn = async (name: string, handsets: unknown[]) => {
    const farmFile = path.join(dir, `${name}.json`);
    await writeFile(farmFile, JSON.stringify({ name, handsets }));
    return runCli(['doctor', '--farm', farmFile], { timeoutMs: 60_000 });
  };

  it('doctor: the Grid is ready with a slot for each handset on it (exit 0)', async () => {
    const res = await doctorOn('grid-doctor', [
      { id: 'grid-emulated', bearer: 'o2', emulate: 'Pixel 7', grid: grid.farmGrid },
      {
        id: 'grid-chrome',
        bearer: 'o2',
        grid: grid.farmGrid,
        identity: { msisdn: '447700900164' },
        appium: { browserName: 'chrome', platformName: 'linux' },
      },
    ]);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const lines = res.stdout.split('\n');
    assert.ok(lines.includes(`ok   grid http://127.0.0.1:${grid.port} (ready, 4 slot(s))`), res.stdout);
    assert.ok(lines.includes('ok   grid slot for handset grid-emulated'), res.stdout);
    assert.ok(lines.includes('ok   grid slot for handset grid-chrome'), res.stdout);
    assert.ok(!/447700900164/.test(res.stdout + res.stderr), 'masked');
  });

  it('doctor: a handset asking for capabilities no slot offers is the problem line (exit 3)', async () => {
    const res = await doctorOn('grid-doctor-android', [
      { id: 'grid-emulated', bearer: 'o2', emulate: 'Pixel 7', grid: grid.farmGrid },
      {
        id: 'grid-android',
        bearer: 'o2',
        grid: grid.farmGrid,
        appium: { platformName: 'Android', browserName: 'chrome', 'appium:automationName': 'UiAutomator2' },
      },
    ]);
    assert.equal(res.code, 3, res.stdout + res.stderr);
    const lines = res.stdout.split('\n');
    assert.ok(lines.includes(`ok   grid http://127.0.0.1:${grid.port} (ready, 4 slot(s))`), res.stdout);
    assert.ok(lines.includes('ok   grid slot for handset grid-emulated'), res.stdout);
    const fails = lines.filter((l) => l.startsWith('FAIL'));
    assert.deepEqual(
      fails,
      [
        'FAIL grid slot for handset grid-android: no slot matches its capabilities (browserName=chrome, ' +
          'platformName=Android, appium:automationName=UiAutomator2) — register a node with that stereotype, ' +
          'or fix the handset capabilities',
      ],
      res.stdout,
    );
  });
});

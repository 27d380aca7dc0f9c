import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT, runCli, spawnCollected, summaryIn } from '../support/cli.ts';
import { gatewayRunFixture } from '../support/test-gateway.ts';

// End to end, fail closed: gateways that break in ways a real one does. One run; each handset broken (never
// pass) with its cause named. (Unreachable and silent gateways, and an unreachable endpoint, are in
// run-command.test.ts.)

describe('headerguard run: broken gateways (end to end)', function () {
  this.timeout(180_000);
  const fixture = gatewayRunFixture('hg-gwfault-');

  it('a gateway error page and a dropped probe are broken, each naming why; the console names the gateway', async () => {
    const dir = await fixture.folder();
    const strip = ['x-up-calling-line-id'];
    const errorPage = await fixture.gateway({ strip, answer: () => 502 });
    const dropper = await fixture.gateway({ strip, drop: (u) => u.pathname.endsWith('/img') });
    const farmFile = path.join(dir, 'faults.json');
    await writeFile(
      farmFile,
      JSON.stringify({
        name: 'broken-gateways',
        handsets: [
          {
            id: 'error-page',
            bearer: 'o2',
            emulate: 'Pixel 7',
            proxy: errorPage.url,
            identity: { msisdn: '447700900131' },
          },
          {
            id: 'dropper',
            bearer: 'o2',
            emulate: 'Pixel 7',
            proxy: dropper.url,
            identity: { msisdn: '447700900132' },
          },
        ],
      }),
    );
    const started = Date.now();
    const res = await runCli(['run', '--farm', farmFile, '--report-dir', dir]);
    assert.equal(res.code, 3, res.stdout + res.stderr);
    const summary = await summaryIn(dir);
    const byId = new Map(summary.handsets.map((h) => [h.id, h]));

    const page = byId.get('error-page')!;
    assert.equal(page.verdict, 'broken');
    assert.match(
      page.failure!,
      /^the probe page did not load: the browser shows another page \('gateway says 502'\)/,
    );
    // It stopped waiting at once rather than sitting out the 30 s page timeout.
    assert.ok(Date.now() - started < 60_000, 'did not wait out the page timeout');

    const dropped = byId.get('dropper')!;
    assert.equal(dropped.verdict, 'broken');
    assert.ok(
      dropped.findings.some((f) => f.rule === 'incomplete' && f.probe === 'img'),
      JSON.stringify(dropped.findings),
    );
    assert.match(dropped.failure!, /planned probe\(s\) not captured or not judged: img/);
    // No rule passes on a run with a probe missing.
    assert.ok(
      dropped.checks.every((c) => c.status !== 'passed'),
      JSON.stringify(dropped.checks),
    );

    assert.match(
      res.stdout,
      new RegExp(
        `error-page \\(${errorPage.url.replace(/[.]/g, '\\.')}\\):\\n {2}BROKEN: the probe page did not load`,
      ),
    );
  });
});

describe('headerguard run: stopped by a signal (end to end)', function () {
  this.timeout(120_000);
  const fixture = gatewayRunFixture('hg-sigterm-');

  it('SIGTERM mid-run: summary.json says the run was stopped, one stderr line, not "crashed", no browser left behind', async () => {
    const dir = await fixture.folder();
    // A gateway that hangs: the browser is certainly up, loading, when the signal comes.
    let held = false;
    const hanging = await fixture.gateway({
      hold: () => {
        held = true;
        return true;
      },
    });
    const farmFile = path.join(dir, 'hang.json');
    await writeFile(
      farmFile,
      JSON.stringify({
        name: 'hang',
        handsets: [
          {
            id: 'h',
            bearer: 'o2',
            emulate: 'Pixel 7',
            proxy: hanging.url,
            identity: { msisdn: '447700900161' },
          },
        ],
      }),
    );
    const run = spawnCollected(
      process.execPath,
      [path.join(ROOT, 'bin', 'headerguard.js'), 'run', '--farm', farmFile, '--report-dir', dir],
      { env: { ...process.env, HEADERGUARD_SESSION: '' } },
    );
    const deadline = Date.now() + 60_000;
    while (!held && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    assert.ok(held, run.stdout() + run.stderr());
    run.child.kill('SIGTERM');
    const code = await run.exit;
    assert.notEqual(code, 0);
    assert.equal(
      run.stderr().match(/^headerguard: stopped by SIGTERM: \d handset\(s\) not judged; the run is broken/gm)
        ?.length,
      1,
      run.stderr(),
    );
    const summary = await summaryIn(dir);
    assert.notEqual(summary.verdict, 'pass');
    const stopped = summary.handsets.filter(
      (h) => h.failure === 'the run was stopped by SIGTERM before this handset was judged',
    );
    assert.ok(stopped.length >= 1, JSON.stringify(summary.handsets.map((h) => h.failure)));
    assert.ok(!summary.handsets.some((h) => /crashed/.test(h.failure ?? '')));
    // The run's Chromium went with it (chromedriver's process group is killed on the way out).
    const browserLeft = () => {
      try {
        execFileSync('pgrep', ['-f', `proxy-server=http://127.0.0.1:${hanging.port}`]);
        return true;
      } catch {
        return false;
      }
    };
    const until = Date.now() + 5_000;
    while (browserLeft() && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    assert.equal(browserLeft(), false, 'no Chromium of the stopped run is left running');
  });
});

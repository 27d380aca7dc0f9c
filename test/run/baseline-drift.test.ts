import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { baselineFileSchema } from '../../src/report/baseline-file.ts';
import { filesContaining, runCli, summaryIn } from '../support/cli.ts';
import { startTestGateway, type TestGateway } from '../support/test-gateway.ts';

// End to end, the maintenance window: a pre-maintenance run saves a baseline, post-maintenance runs compare
// with it, through a user gateway (test-gateway.ts) that adds Via and X-Forwarded-For (both allowlisted for
// o2) until "maintenance" makes it stop adding X-Forwarded-For. One handset keeps each run short.

const MSISDN = '447700900151';

describe('headerguard run --save-baseline / --baseline, and headerguard diff (end to end)', function () {
  this.timeout(600_000);
  let dir: string;
  let gateway: TestGateway;
  /** What the gateway adds today: the Via host changes between runs (never drift); X-Forwarded-For may go. */
  let adds: [string, string][] = [];
  let farm: string;
  const runDir = async (reportDir: string) => path.join(reportDir, (await readdir(reportDir))[0]!);

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-drift-'));
    gateway = await startTestGateway({ strip: ['x-up-calling-line-id'], addHeaders: () => adds });
    farm = path.join(dir, 'farm.json');
    await writeFile(
      farm,
      JSON.stringify({
        name: 'drift',
        handsets: [
          { id: 'o2-a', bearer: 'o2', emulate: 'Pixel 7', proxy: gateway.url, identity: { msisdn: MSISDN } },
        ],
      }),
    );
  });
  after(async () => {
    await gateway?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('saves a baseline of names and verdicts; unchanged names pass whatever the values; a header gone fails (or warns) as drift; diff says what changed', async () => {
    const baseline = path.join(dir, 'B.json');

    // Before maintenance.
    adds = [
      ['Via', '1.1 gw-before.o2.example'],
      ['X-Forwarded-For', '10.64.0.7'],
    ];
    const pre = await runCli([
      'run',
      '--farm',
      farm,
      '--report-dir',
      path.join(dir, 'D'),
      '--save-baseline',
      baseline,
    ]);
    assert.equal(pre.code, 0, pre.stdout + pre.stderr);
    assert.match(pre.stdout, /baseline: .*B\.json \(1 handset\(s\), header names and verdicts only\)/);
    const saved = baselineFileSchema.parse(JSON.parse(await readFile(baseline, 'utf8')));
    const nav = saved.handsets[0]!.probes.find((p) => p.probe === 'nav')!;
    assert.deepEqual(nav.injected, ['via', 'x-forwarded-for']);
    assert.equal(saved.handsets[0]!.verdict, 'pass');
    assert.ok(saved.handsets[0]!.probes.some((p) => p.probe === 'nav-tls' && p.injected.length === 0));
    // Names only: no header value, no identifier.
    assert.deepEqual(
      await filesContaining(dir, ['10.64.0.7', 'gw-before', MSISDN]).then((f) =>
        f.filter((x) => x === 'B.json'),
      ),
      [],
    );

    // After maintenance, unchanged names with other values: no drift.
    adds = [
      ['Via', '1.1 gw-after-42.o2.example'],
      ['X-Forwarded-For', '10.64.9.9'],
    ];
    const same = await runCli([
      'run',
      '--farm',
      farm,
      '--report-dir',
      path.join(dir, 'D1'),
      '--baseline',
      baseline,
    ]);
    assert.equal(same.code, 0, same.stdout + same.stderr);
    const sameSummary = await summaryIn(path.join(dir, 'D1'));
    assert.equal(sameSummary.handsets[0]!.verdict, 'pass');
    assert.deepEqual(
      sameSummary.handsets[0]!.findings.filter((f) => f.rule === 'drift'),
      [],
    );
    assert.equal(sameSummary.handsets[0]!.checks.find((c) => c.rule === 'drift')?.status, 'passed');
    assert.equal(sameSummary.drift?.baselineRunId, saved.runId);

    // The gateway stopped adding X-Forwarded-For: drift, the handset fails.
    adds = [['Via', '1.1 gw-after-42.o2.example']];
    const gone = await runCli([
      'run',
      '--farm',
      farm,
      '--report-dir',
      path.join(dir, 'D2'),
      '--baseline',
      baseline,
    ]);
    assert.equal(gone.code, 1, gone.stdout + gone.stderr);
    const goneSummary = await summaryIn(path.join(dir, 'D2'));
    const h = goneSummary.handsets[0]!;
    assert.equal(h.verdict, 'fail');
    const drift = h.findings.filter((f) => f.rule === 'drift');
    assert.ok(drift.length > 0 && drift.every((f) => f.header === 'x-forwarded-for'), JSON.stringify(drift));
    assert.ok(
      drift.some(
        (f) => f.probe === 'nav' && /was injected on probe nav in the baseline, not now/.test(f.evidence),
      ),
    );
    assert.equal(drift[0]!.severity, 'normal');
    // Only drift: the allowlisted header's absence is no leak.
    assert.deepEqual([...new Set(h.findings.map((f) => f.rule))], ['drift']);
    assert.match(gone.stdout, /\[drift\] \d+ findings: x-forwarded-for on probes/);
    const junit = await readFile(path.join(await runDir(path.join(dir, 'D2')), 'junit.xml'), 'utf8');
    assert.match(junit, /<testcase name="drift" [^>]*><failure type="drift"/);
    const allure = await readFile(
      path.join(await runDir(path.join(dir, 'D2')), 'allure-report', 'index.html'),
      'utf8',
    ).catch(() => '');
    assert.ok(allure.length > 0, 'the Allure report was written');

    // --drift warn: listed, not failing.
    const warn = await runCli([
      'run',
      '--farm',
      farm,
      '--report-dir',
      path.join(dir, 'D3'),
      '--baseline',
      baseline,
      '--drift',
      'warn',
    ]);
    assert.equal(warn.code, 0, warn.stdout + warn.stderr);
    const warnSummary = await summaryIn(path.join(dir, 'D3'));
    assert.equal(warnSummary.verdict, 'pass');
    assert.equal(warnSummary.drift?.mode, 'warn');
    assert.ok(
      warnSummary.handsets[0]!.findings.some((f) => f.rule === 'drift' && f.header === 'x-forwarded-for'),
    );
    assert.equal(warnSummary.handsets[0]!.checks.find((c) => c.rule === 'drift')?.status, 'warned');
    assert.match(warn.stdout, /\[drift\].*x-forwarded-for.*\(--drift warn: not failing\)/);

    // diff: two run folders, a run against the baseline, and bad input.
    const d = await runCli(
      ['diff', path.join(dir, 'D'), path.join(dir, 'D2')].map((p, i) => (i === 0 ? p : p)),
      {},
    );
    assert.equal(d.code, 2, 'a report dir holding run folders is not a run folder');
    const changed = await runCli([
      'diff',
      await runDir(path.join(dir, 'D')),
      path.join(await runDir(path.join(dir, 'D2')), 'summary.json'),
    ]);
    assert.equal(changed.code, 1, changed.stdout + changed.stderr);
    assert.match(changed.stdout, /^o2-a \(o2\):$/m);
    assert.match(changed.stdout, /'x-forwarded-for' was injected on probe nav in the baseline, not now/);
    const unchanged = await runCli(['diff', baseline, await runDir(path.join(dir, 'D1'))]);
    assert.equal(unchanged.code, 0, unchanged.stdout + unchanged.stderr);
    assert.match(unchanged.stdout, /nothing changed \(1 handset\(s\) compared\)/);
  });
});

import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { baselineFileSchema } from '../../src/report/baseline-file.ts';
import { runCli, summaryIn } from '../support/cli.ts';
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

  /** `headerguard run` on the farm into report dir `name`, plus `args`: its output, summary and run folder. */
  async function run(name: string, args: string[], expectCode: number) {
    const reportDir = path.join(dir, name);
    const res = await runCli(['run', '--farm', farm, '--report-dir', reportDir, ...args]);
    assert.equal(res.code, expectCode, res.stdout + res.stderr);
    const summary = await summaryIn(reportDir);
    const folder = path.join(reportDir, (await readdir(reportDir))[0]!);
    return { stdout: res.stdout, summary, handset: summary.handsets[0]!, folder };
  }

  /** The drift test's Allure result in a run folder: its status and attachment names (its steps' too). */
  async function allureDrift(folder: string): Promise<{ status: string; attachments: string[] }> {
    type Step = { attachments?: { name: string }[]; steps?: Step[] };
    const names = (s: Step): string[] => [
      ...(s.attachments ?? []).map((a) => a.name),
      ...(s.steps ?? []).flatMap(names),
    ];
    const results = path.join(folder, 'allure-results');
    for (const f of (await readdir(results)).filter((x) => x.endsWith('-result.json'))) {
      const r = JSON.parse(await readFile(path.join(results, f), 'utf8'));
      if (String(r.name).startsWith('drift:')) return { status: r.status, attachments: names(r) };
    }
    throw new Error('no drift test in allure-results');
  }

  it('saves a baseline of names and verdicts; unchanged names pass whatever the values; a header gone fails (or warns) as drift; diff says what changed', async () => {
    const baseline = path.join(dir, 'B.json');
    const driftOf = (h: { findings: { rule: string }[] }) => h.findings.filter((f) => f.rule === 'drift');
    const driftCheck = (h: { checks: { rule: string; status: string }[] }) =>
      h.checks.find((c) => c.rule === 'drift')?.status;

    // Before maintenance.
    adds = [
      ['Via', '1.1 gw-before.o2.example'],
      ['X-Forwarded-For', '10.64.0.7'],
    ];
    const pre = await run('D', ['--save-baseline', baseline], 0);
    assert.match(pre.stdout, /baseline: .*B\.json \(1 handset\(s\), header names and verdicts only\)/);
    const text = await readFile(baseline, 'utf8');
    const saved = baselineFileSchema.parse(JSON.parse(text));
    assert.equal(saved.handsets[0]!.verdict, 'pass');
    assert.deepEqual(saved.handsets[0]!.probes.find((p) => p.probe === 'nav')!.injected, [
      'via',
      'x-forwarded-for',
    ]);
    assert.ok(saved.handsets[0]!.probes.some((p) => p.probe === 'nav-tls' && p.injected.length === 0));
    // Names only: no header value, no identifier.
    for (const value of ['10.64.0.7', 'gw-before', MSISDN]) assert.ok(!text.includes(value), value);

    // After maintenance, unchanged names with other values: no drift.
    adds = [
      ['Via', '1.1 gw-after-42.o2.example'],
      ['X-Forwarded-For', '10.64.9.9'],
    ];
    const same = await run('D1', ['--baseline', baseline], 0);
    assert.equal(same.handset.verdict, 'pass');
    assert.deepEqual(driftOf(same.handset), []);
    assert.equal(driftCheck(same.handset), 'passed');
    assert.equal(same.summary.drift?.baselineRunId, saved.runId);

    // The gateway stopped adding X-Forwarded-For: drift, the handset fails.
    adds = [['Via', '1.1 gw-after-42.o2.example']];
    const gone = await run('D2', ['--baseline', baseline], 1);
    assert.equal(gone.handset.verdict, 'fail');
    const drift = gone.handset.findings.filter((f) => f.rule === 'drift');
    assert.ok(drift.length > 0 && drift.every((f) => f.header === 'x-forwarded-for'), JSON.stringify(drift));
    assert.ok(
      drift.some(
        (f) => f.probe === 'nav' && /was injected on probe nav in the baseline, not now/.test(f.evidence),
      ),
    );
    assert.equal(drift[0]!.severity, 'normal');
    // Only drift: the allowlisted header's absence is no leak.
    assert.deepEqual([...new Set(gone.handset.findings.map((f) => f.rule))], ['drift']);
    assert.match(gone.stdout, /\[drift\] \d+ findings: x-forwarded-for on probes/);
    assert.match(
      await readFile(path.join(gone.folder, 'junit.xml'), 'utf8'),
      /<testcase name="drift" [^>]*><failure type="drift"/,
    );
    assert.equal((await allureDrift(gone.folder)).status, 'failed');

    // --drift warn: listed, not failing.
    const warn = await run('D3', ['--baseline', baseline, '--drift', 'warn'], 0);
    assert.equal(warn.summary.verdict, 'pass');
    assert.equal(warn.summary.drift?.mode, 'warn');
    assert.ok(driftOf(warn.handset).length > 0);
    assert.equal(driftCheck(warn.handset), 'warned');
    assert.match(warn.stdout, /\[drift\].*x-forwarded-for.*\(--drift warn: not failing\)/);
    const warnTest = await allureDrift(warn.folder);
    assert.equal(warnTest.status, 'passed');
    assert.ok(warnTest.attachments.includes('drift (--drift warn)'), warnTest.attachments.join());

    // diff: two runs (a folder and a summary.json), a baseline and a run, bad input.
    const changed = await runCli(['diff', pre.folder, path.join(gone.folder, 'summary.json')]);
    assert.equal(changed.code, 1, changed.stdout + changed.stderr);
    assert.match(changed.stdout, /^o2-a \(o2\):$/m);
    assert.match(changed.stdout, /'x-forwarded-for' was injected on probe nav in the baseline, not now/);
    const unchanged = await runCli(['diff', baseline, same.folder]);
    assert.equal(unchanged.code, 0, unchanged.stdout + unchanged.stderr);
    assert.match(unchanged.stdout, /nothing changed \(1 handset\(s\) compared\)/);
    const bad = await runCli(['diff', path.join(dir, 'D'), baseline]);
    assert.equal(bad.code, 2, 'a report dir of run folders is not a run');
    assert.match(bad.stderr, /^headerguard: .*summary\.json: cannot be read: /);
  });
});

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checksOf } from '../../src/detect/evaluate.ts';
import type { HandsetView } from '../../src/model/baseline.ts';
import { againstBaseline, handsetsGone } from '../../src/run/baseline-drift.ts';
import { notChecked } from '../../src/run/handset-result.ts';
import { runCli } from '../support/cli.ts';

const view = (id: string, bearer = 'o2'): HandsetView => ({
  id,
  bearer,
  apn: null,
  verdict: 'pass',
  probes: [{ probe: 'nav', injected: ['via'], enrichment: [] }],
});
const baselineView = { runId: 'r0', farm: 'lab', handsets: [view('a'), view('b'), view('g', 'giffgaff')] };

describe('run/baseline-drift: a handset against the run’s baseline', () => {
  const pass = { verdict: 'pass' as const, findings: [], checks: checksOf([], {}), failure: null };

  it('no baseline: the outcome is unchanged', () => {
    assert.deepEqual(againstBaseline(pass, { verdict: 'pass', probes: [] }, view('a'), {}), pass);
  });

  it('a handset the baseline lacks is drift; one that left no result is drift too (verdict changed), and stays broken', () => {
    const added = againstBaseline(pass, { verdict: 'pass', probes: view('new').probes }, view('new'), {
      baselineView,
    });
    assert.equal(added.verdict, 'fail');
    assert.match(added.findings[0]!.evidence, /^handset not in the baseline \(baseline r0\)$/);
    const crashed = againstBaseline(notChecked('crashed'), { verdict: 'broken', probes: [] }, view('a'), {
      baselineView,
      driftMode: 'fail',
    });
    assert.equal(crashed.verdict, 'broken');
    assert.deepEqual(
      crashed.findings.map((f) => f.evidence.replace(/ \(baseline r0\)$/, '')),
      ['verdict pass in the baseline, broken now', 'probe nav was captured in the baseline, missing now'],
    );
  });

  it('baseline handsets the run lacks, on the bearers it ran', () => {
    assert.deepEqual(
      handsetsGone({ baselineView, handsetIds: ['a'] }).map((h) => h.id),
      ['b', 'g'],
    );
    assert.deepEqual(
      handsetsGone({ baselineView, handsetIds: ['a'], bearers: ['o2'] }).map((h) => h.id),
      ['b'],
    );
    assert.deepEqual(handsetsGone({ handsetIds: ['a'] }), []);
  });
});

describe('headerguard run / diff: bad baseline options exit 2 in one line before anything starts', function () {
  this.timeout(240_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-baseline-opts-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('--drift without --baseline, a bad --drift, a bad baseline file, a --save-baseline folder that does not exist', async () => {
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ formatVersion: 1, kind: 'headerguard-baseline', handsets: 'x' }));
    const cases: [string[], RegExp][] = [
      [['--drift', 'warn'], /^headerguard: --drift needs --baseline FILE/],
      [['--baseline', bad, '--drift', 'loud'], /^headerguard: --drift: expected fail or warn, got "loud"/],
      [
        ['--baseline', bad],
        /^headerguard: --baseline .*bad\.json: (tool|runId|farm|createdAt|tag|change|handsets): /,
      ],
      [
        ['--baseline', path.join(dir, 'none.json')],
        /^headerguard: --baseline .*none\.json: cannot be read: /,
      ],
      [
        ['--save-baseline', path.join(dir, 'no', 'b.json')],
        /^headerguard: --save-baseline .*: folder .* does not exist/,
      ],
    ];
    for (const [args, message] of cases) {
      const res = await runCli(['run', '--report-dir', dir, ...args]);
      assert.equal(res.code, 2, `${args.join(' ')}: ${res.stdout}${res.stderr}`);
      assert.match(res.stderr, message);
      assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
      assert.doesNotMatch(res.stdout, /RUNNING/);
    }
  });

  it('diff: a missing input or a file that is neither a summary nor a baseline exits 2 in one line', async () => {
    const other = path.join(dir, 'other.json');
    await writeFile(other, '[1, 2]');
    for (const args of [
      [path.join(dir, 'none'), other],
      [other, other],
    ]) {
      const res = await runCli(['diff', ...args]);
      assert.equal(res.code, 2, res.stdout + res.stderr);
      assert.match(
        res.stderr,
        /^headerguard: .*(cannot be read|not a headerguard summary\.json or baseline file)/,
      );
      assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
    }
  });
});

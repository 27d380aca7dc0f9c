import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BUILTIN_POLICIES } from '../../bearers/index.ts';
import { checksOf } from '../../src/detect/evaluate.ts';
import { resolvePolicies, withDrift } from '../../src/detect/index.ts';
import { baselineFileSchema, baselineOf, viewOfSummary } from '../../src/report/baseline-file.ts';
import { readBaselineFile, readComparable, saveBaseline } from '../../src/report/baseline-io.ts';
import { formatSummaryTable } from '../../src/report/console-table.ts';
import { diffText } from '../../src/report/diff-text.ts';
import { toJunitXml } from '../../src/report/junit.ts';
import { buildSummary, type HandsetSummary, type RunMeta } from '../../src/report/summary.ts';
import { UserError } from '../../src/shared/errors.ts';

const o2 = resolvePolicies(BUILTIN_POLICIES).get('o2')!;
const meta: RunMeta = {
  runId: '2026-12-02T00-00-00-000Z-abcdef',
  startedAt: '2026-12-02T00:00:00.000Z',
  finishedAt: '2026-12-02T00:01:00.000Z',
  farm: 'lab',
};
const probes = [
  { probe: 'nav', injected: ['via', 'x-forwarded-for'], enrichment: [] },
  { probe: 'nav-tls', injected: [], enrichment: [] },
];

function handset(id: string, over: Partial<HandsetSummary> = {}): HandsetSummary {
  return {
    id,
    bearer: 'o2',
    apn: null,
    device: 'Pixel 7',
    verdict: 'pass',
    ipv6Path: 'checked',
    durationMs: 1000,
    attempts: 1,
    failure: null,
    policy: o2,
    gateway: 'sim:o2',
    checks: checksOf([], {}),
    findings: [],
    observed: { verdict: 'pass', probes },
    ...over,
  };
}

describe('report/baseline: the baseline file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-baseline-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('holds per handset its bearer, APN, verdict and per probe the header names; versioned; round-trips', async () => {
    const summary = buildSummary({ ...meta, tag: 'pre-maintenance' }, [handset('a')]);
    const file = path.join(dir, 'b.json');
    await saveBaseline(file, summary);
    const saved = JSON.parse(await readFile(file, 'utf8'));
    assert.equal(saved.formatVersion, 1);
    assert.equal(saved.kind, 'headerguard-baseline');
    assert.equal(saved.tag, 'pre-maintenance');
    assert.deepEqual(saved.handsets, [{ id: 'a', bearer: 'o2', apn: null, verdict: 'pass', probes }]);
    assert.ok(baselineFileSchema.safeParse(saved).success);
    assert.deepEqual(await readBaselineFile(file), viewOfSummary(summary));
    assert.deepEqual(await readComparable(file), viewOfSummary(summary));
  });

  it('records the verdict before drift: a run failed only by drift saves its judged verdict', () => {
    const drifted = withDrift(
      { verdict: 'pass' as const, findings: [], checks: checksOf([], {}), failure: null },
      [{ kind: 'injected-gone', probe: 'nav', header: 'x-forwarded-for' }],
      'fail',
      'r0',
    );
    const summary = buildSummary(meta, [handset('a', drifted)]);
    assert.equal(summary.verdict, 'fail');
    assert.equal(baselineOf(summary).handsets[0]!.verdict, 'pass');
  });

  it('a bad baseline is one line naming the file and the field (exit 2), never "nothing changed"', async () => {
    const file = path.join(dir, 'b.json');
    const good = baselineOf(buildSummary(meta, [handset('a')]));
    const cases: [unknown, RegExp][] = [
      [
        { ...good, handsets: [{ ...good.handsets[0], verdict: 'green' }] },
        /b\.json: handsets\[0\]\.verdict: /,
      ],
      [{ ...good, formatVersion: 9 }, /b\.json: formatVersion: /],
      [
        { ...good, handsets: [{ ...good.handsets[0], values: {} }] },
        /b\.json: handsets\[0\]\.values: unknown key/,
      ],
      [{ ...good, kind: undefined }, /b\.json: kind: not a headerguard baseline/],
    ];
    for (const [content, message] of cases) {
      await writeFile(file, JSON.stringify(content));
      await assert.rejects(readBaselineFile(file), (err: unknown) => {
        assert.ok(err instanceof UserError);
        assert.equal(err.exitCode, 2);
        assert.match(err.message, message);
        assert.ok(!err.message.includes('\n'));
        return true;
      });
    }
    await writeFile(file, '{not json');
    await assert.rejects(readBaselineFile(file), /--baseline .*b\.json: not JSON/);
    await assert.rejects(readBaselineFile(path.join(dir, 'none.json')), /none\.json: cannot be read/);
  });

  it('reads a run folder or its summary.json; a summary before format 3 is refused (no names to compare)', async () => {
    const summary = buildSummary(meta, [handset('a')]);
    await writeFile(path.join(dir, 'summary.json'), JSON.stringify(summary));
    assert.deepEqual(await readComparable(dir), viewOfSummary(summary));
    await writeFile(path.join(dir, 'summary.json'), JSON.stringify({ ...summary, formatVersion: 2 }));
    await assert.rejects(readComparable(dir), /summary\.json: formatVersion: expected 3, got 2/);
    await writeFile(path.join(dir, 'summary.json'), JSON.stringify({ hello: 1 }));
    await assert.rejects(readComparable(dir), /not a headerguard summary\.json or baseline file/);
  });
});

describe('report/diff-text', () => {
  const a = { label: 'A', view: viewOfSummary(buildSummary(meta, [handset('a'), handset('b')])) };

  it('nothing changed: says so (exit 0)', () => {
    const { text, changed } = diffText(a, a);
    assert.equal(changed, false);
    assert.match(text, /nothing changed \(2 handset\(s\) compared\)$/);
  });

  it('per handset and probe, what changed (exit 1)', () => {
    const after = viewOfSummary(
      buildSummary({ ...meta, runId: 'r2' }, [
        handset('a', {
          verdict: 'fail',
          observed: { verdict: 'fail', probes: [{ probe: 'nav', injected: ['via'], enrichment: [] }] },
        }),
      ]),
    );
    const { text, changed } = diffText(a, { label: 'B', view: after });
    assert.equal(changed, true);
    assert.deepEqual(text.split('\n'), [
      `A (run ${meta.runId}) -> B (run r2)`,
      'a (o2):',
      '  verdict pass in the baseline, fail now',
      "  'x-forwarded-for' was injected on probe nav in the baseline, not now",
      '  probe nav-tls was captured in the baseline, missing now',
      'b (o2):',
      '  handset in the baseline, not in this run',
      '4 change(s) on 2 of 2 handset(s)',
    ]);
  });
});

describe('report: drift in JUnit and on the console', () => {
  const drifted = (mode: 'fail' | 'warn') =>
    withDrift(
      { verdict: 'pass' as const, findings: [], checks: checksOf([], {}), failure: null },
      [{ kind: 'injected-gone', probe: 'nav', header: 'x-forwarded-for' }],
      mode,
      'r0',
    );
  const drift = (mode: 'fail' | 'warn') => ({
    baseline: 'B.json',
    baselineRunId: 'r0',
    mode,
    handsetsGone: [{ id: 'gone-1', bearer: 'o2', apn: null }],
  });

  it('--drift fail: a failed drift case, the baseline handset this run lacks failed too; the run fails', () => {
    const summary = buildSummary({ ...meta, drift: drift('fail') }, [handset('a', drifted('fail'))]);
    assert.equal(summary.verdict, 'fail');
    const xml = toJunitXml(summary);
    assert.match(xml, /<testcase name="drift" classname="headerguard\.o2\.a"><failure type="drift"/);
    assert.match(
      xml,
      /<testcase name="drift" classname="headerguard\.o2\.gone-1"><failure type="drift" message="\[drift\] handset gone-1 \(o2\) is in the baseline r0, not in this run"/,
    );
    const table = formatSummaryTable(summary);
    assert.match(table, /normal {3}\[drift\] 1 finding: x-forwarded-for on probe nav$/m);
    assert.match(table, /^drift: handset gone-1 \(o2\) is in the baseline r0, not in this run$/m);
  });

  it('--drift warn: listed in JUnit (system-out, no failure) and on the console, the run still passes', () => {
    const summary = buildSummary({ ...meta, drift: drift('warn') }, [handset('a', drifted('warn'))]);
    assert.equal(summary.verdict, 'pass');
    const xml = toJunitXml(summary);
    assert.doesNotMatch(xml, /<failure/);
    assert.match(
      xml,
      /<testcase name="drift" classname="headerguard\.o2\.a"><system-out>--drift warn: 1 change\(s\)/,
    );
    const table = formatSummaryTable(summary);
    assert.match(table, /\[drift\] 1 finding: x-forwarded-for on probe nav \(--drift warn: not failing\)/);
    assert.match(table, /gone-1 .* not in this run \(--drift warn: not failing\)/);
    assert.match(table, /verdict: PASS/);
  });

  it('no baseline: drift null in summary.json', () => {
    assert.equal(buildSummary(meta, [handset('a')]).drift, null);
  });
});

import assert from 'node:assert/strict';
import { checksOf, NO_BASELINE } from '../../src/detect/evaluate.ts';
import { compareHandset, compareViews, describeChange, evaluate, withDrift } from '../../src/detect/index.ts';
import type { HandsetView } from '../../src/model/baseline.ts';
import type { Finding, Judgement, Verdict } from '../../src/model/finding.ts';
import { O2, pair } from './helpers.ts';

function view(over: Partial<HandsetView> = {}): HandsetView {
  return {
    id: 'o2-a',
    bearer: 'o2',
    apn: null,
    verdict: 'pass',
    probes: [
      { probe: 'nav', injected: ['via', 'x-forwarded-for'], enrichment: [] },
      { probe: 'partner', injected: ['via'], enrichment: ['x-up-calling-line-id'] },
      { probe: 'nav-tls', injected: [], enrichment: [] },
    ],
    ...over,
  };
}

function judgement(verdict: Verdict, findings: Finding[] = []): Judgement & { failure: string | null } {
  return {
    verdict,
    findings,
    checks: checksOf(findings, { drift: NO_BASELINE }),
    failure: verdict === 'broken' ? 'x' : null,
  };
}

describe('detect/drift: what changed against a baseline', () => {
  it('nothing changed: no change', () => {
    assert.deepEqual(compareHandset(view(), view()), []);
    assert.deepEqual(compareViews([view()], [view()]), []);
  });

  it('an injected header gone or new, partner enrichment gone or new, each named with its probe', () => {
    const now = view({
      probes: [
        { probe: 'nav', injected: ['via', 'x-uidh'], enrichment: [] },
        { probe: 'partner', injected: ['via'], enrichment: ['x-msisdn'] },
        { probe: 'nav-tls', injected: [], enrichment: [] },
      ],
    });
    assert.deepEqual(compareHandset(view(), now), [
      { kind: 'injected-new', probe: 'nav', header: 'x-uidh' },
      { kind: 'injected-gone', probe: 'nav', header: 'x-forwarded-for' },
      { kind: 'enrichment-new', probe: 'partner', header: 'x-msisdn' },
      { kind: 'enrichment-gone', probe: 'partner', header: 'x-up-calling-line-id' },
    ]);
  });

  it('a header that moved from enrichment to injected is one change, not two', () => {
    const now = view({
      probes: [
        view().probes[0]!,
        { probe: 'partner', injected: ['via', 'x-up-calling-line-id'], enrichment: [] },
        view().probes[2]!,
      ],
    });
    assert.deepEqual(compareHandset(view(), now), [
      { kind: 'enrichment-gone', probe: 'partner', header: 'x-up-calling-line-id' },
    ]);
  });

  it('a verdict that changed, a probe newly missing or newly captured, a bearer that changed', () => {
    const now = view({
      verdict: 'broken',
      bearer: 'giffgaff',
      probes: [view().probes[0]!, view().probes[1]!],
    });
    assert.deepEqual(compareHandset(view(), now), [
      { kind: 'bearer', before: 'o2', after: 'giffgaff' },
      { kind: 'verdict', before: 'pass', after: 'broken' },
      { kind: 'probe-missing', probe: 'nav-tls' },
    ]);
    assert.deepEqual(compareHandset(now, { ...now, probes: view().probes }).at(-1), {
      kind: 'probe-new',
      probe: 'nav-tls',
    });
  });

  it('a handset on one side only', () => {
    assert.deepEqual(compareHandset(undefined, view()), [{ kind: 'handset-new' }]);
    assert.deepEqual(compareHandset(view(), undefined), [{ kind: 'handset-gone' }]);
    const b = view({ id: 'b' });
    assert.deepEqual(
      compareViews([view(), b], [view(), view({ id: 'c' })]).map((h) => [h.id, h.changes[0]!.kind]),
      [
        ['b', 'handset-gone'],
        ['c', 'handset-new'],
      ],
    );
  });

  it('describes every change in one line naming the header and probe', () => {
    assert.equal(
      describeChange({ kind: 'injected-gone', probe: 'nav', header: 'x-forwarded-for' }),
      "'x-forwarded-for' was injected on probe nav in the baseline, not now",
    );
    assert.equal(
      describeChange({ kind: 'verdict', before: 'pass', after: 'fail' }),
      'verdict pass in the baseline, fail now',
    );
  });
});

describe('detect/drift: withDrift', () => {
  const gone = compareHandset(
    view(),
    view({ probes: [{ probe: 'nav', injected: ['via'], enrichment: [] }, ...view().probes.slice(1)] }),
  );

  it('--drift fail: a pass becomes a fail with a normal-severity drift finding per change; the check failed', () => {
    const j = withDrift(judgement('pass'), gone, 'fail', 'run-1');
    assert.equal(j.verdict, 'fail');
    assert.deepEqual(
      j.findings.map((f) => [f.rule, f.severity, f.probe, f.header]),
      [['drift', 'normal', 'nav', 'x-forwarded-for']],
    );
    assert.match(j.findings[0]!.evidence, /\(baseline run-1\)$/);
    assert.deepEqual(
      j.checks.find((c) => c.rule === 'drift'),
      { rule: 'drift', status: 'failed', reason: null },
    );
    assert.equal(j.failure, null);
  });

  it('--drift warn: the findings are listed, the verdict kept, the check warned', () => {
    const j = withDrift(judgement('pass'), gone, 'warn', 'run-1');
    assert.equal(j.verdict, 'pass');
    assert.equal(j.findings.length, 1);
    assert.equal(j.checks.find((c) => c.rule === 'drift')?.status, 'warned');
  });

  it('a broken handset stays broken (its drift listed); a fail stays a fail; no change passes the drift check', () => {
    const broken = withDrift(
      judgement('broken'),
      [{ kind: 'verdict', before: 'pass', after: 'broken' }],
      'fail',
      'r',
    );
    assert.equal(broken.verdict, 'broken');
    assert.equal(broken.checks.find((c) => c.rule === 'drift')?.status, 'broken');
    assert.equal(withDrift(judgement('fail'), gone, 'fail', 'r').verdict, 'fail');
    const same = withDrift(judgement('pass'), [], 'fail', 'r');
    assert.equal(same.verdict, 'pass');
    assert.deepEqual(same.findings, []);
    assert.equal(same.checks.find((c) => c.rule === 'drift')?.status, 'passed');
  });

  it('without a baseline the verdict engine reports the drift check skipped, never passed', () => {
    const j = evaluate({ policy: O2, identity: {}, captures: pair([['Via', '1.1 gw']]) });
    assert.equal(j.verdict, 'pass');
    assert.deepEqual(
      j.checks.find((c) => c.rule === 'drift'),
      {
        rule: 'drift',
        status: 'skipped',
        reason: NO_BASELINE,
      },
    );
  });
});

import assert from 'node:assert/strict';
import type { Finding } from '../../src/model/finding.ts';
import type { HandsetCheck } from '../../src/run/check-handset.ts';
import { outcomeOf } from '../../src/run/spec-support.ts';

const noDetail = { identifier: null, form: null, encoding: [], sentBy: null };
const missing = (probe: string): Finding => ({
  rule: 'incomplete',
  severity: 'minor',
  probe,
  header: '(none)',
  evidence: 'planned probe was never captured',
  detail: noDetail,
});
const leak: Finding = {
  rule: 'identity-value',
  severity: 'blocker',
  probe: 'nav',
  header: 'X-MSISDN',
  evidence: 'MSISDN 4477******23',
  detail: { identifier: 'MSISDN', form: "E.164 without '+'", encoding: [], sentBy: 'network' },
};
const check = (findings: Finding[], verdict: 'pass' | 'fail' | 'broken'): HandsetCheck =>
  ({ judgement: { verdict, findings, checks: [] }, captures: [], captured: 0 }) as unknown as HandsetCheck;

describe('run/spec-support: a handset outcome', () => {
  it('a completed check is its judgement', () => {
    assert.deepEqual(outcomeOf(check([], 'pass'), undefined, undefined), {
      verdict: 'pass',
      findings: [],
      checks: [],
      failure: null,
    });
  });

  it('a browser failure after the run was created: the missing probes, and the failure that caused them', () => {
    const o = outcomeOf(undefined, check([missing('nav'), missing('img')], 'broken'), 'browser: ERR_PROXY');
    assert.equal(o.verdict, 'broken');
    assert.equal(o.findings.length, 2);
    assert.equal(o.failure, 'browser: ERR_PROXY');
  });

  it('a leak that arrived before the failure fails the handset', () => {
    const o = outcomeOf(undefined, check([leak, missing('img')], 'fail'), 'browser: crashed');
    assert.equal(o.verdict, 'fail');
    assert.equal(o.failure, null);
  });

  it('never checked: broken with the reason and no finding', () => {
    const o = outcomeOf(undefined, undefined, 'capture endpoint: could not connect');
    assert.deepEqual(
      [o.verdict, o.findings, o.failure],
      ['broken', [], 'capture endpoint: could not connect'],
    );
    assert.ok(o.checks.every((c) => c.status === 'broken'));
  });
});

describe('run/spec-support: a gateway page instead of the probe page', () => {
  it('names the page the browser showed before the missing probes', () => {
    const c = { ...check([missing('nav')], 'broken'), foreignPage: 'gateway says 502' } as HandsetCheck;
    const o = outcomeOf(c, undefined, undefined);
    assert.equal(o.verdict, 'broken');
    assert.match(
      o.failure!,
      /^the probe page did not load: the browser shows another page \('gateway says 502'\); 1 planned probe\(s\) not captured/,
    );
  });
});

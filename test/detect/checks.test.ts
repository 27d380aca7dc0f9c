import assert from 'node:assert/strict';
import { evaluate, type ScanCapture } from '../../src/detect/index.ts';
import { RULE_IDS } from '../../src/model/rules.ts';
import { IDENTITY, O2, pair } from './helpers.ts';

// Which rules had something to check: a rule with nothing to check is skipped (with the reason), never passed.

const CANARY = { header: 'x-up-calling-line-id', value: '2890012345678' };
const partner = (tls: boolean, extra: [string, string][] = []): ScanCapture => ({
  probe: tls ? 'partner-tls' : 'partner',
  role: 'partner',
  tls,
  host: 'partner.localhost',
  url: '/p/tok/partner',
  ...(tls ? {} : { twin: 'partner-tls' }),
  headers: [['Host', 'partner.localhost'], ...extra],
});
const statuses = (j: ReturnType<typeof evaluate>) =>
  Object.fromEntries(j.checks.map((c) => [c.rule, c.status]));

describe('detect/evaluate: checks per rule', () => {
  it('names every rule once, in rule-table order', () => {
    const j = evaluate({ policy: O2, identity: IDENTITY, captures: pair() });
    assert.deepEqual(
      j.checks.map((c) => c.rule),
      RULE_IDS,
    );
  });

  it('a healthy run on a bearer that expects no partner enrichment: that rule is skipped, not passed', () => {
    const j = evaluate({
      policy: O2,
      identity: IDENTITY,
      captures: [...pair([['Via', '1.1 gw']]), partner(false, [['Via', '1.1 gw']]), partner(true)],
      canary: CANARY,
    });
    assert.equal(j.verdict, 'pass');
    assert.deepEqual(statuses(j), {
      'identity-header': 'passed',
      'identity-value': 'passed',
      'identity-like-value': 'passed',
      'unexpected-injection': 'passed',
      'partner-enrichment-missing': 'skipped',
      spoofable: 'passed',
      'off-bearer': 'skipped',
      incomplete: 'passed',
      drift: 'skipped',
    });
    assert.match(
      j.checks.find((c) => c.rule === 'partner-enrichment-missing')!.reason!,
      /o2 policy expects no/,
    );
  });

  it('skips identity-value with no identifier known, spoofable with no canary, and the partner rules with no partner probe', () => {
    const j = evaluate({
      policy: { ...O2, partnerEnrichment: ['x-up-calling-line-id'] },
      identity: {},
      captures: pair(),
    });
    const s = statuses(j);
    assert.equal(s['identity-value'], 'skipped');
    assert.equal(s.spoofable, 'skipped');
    // Partner enrichment expected but never captured: not skipped, broken (the positive control did not run).
    assert.equal(s.incomplete, 'broken');
    assert.equal(j.verdict, 'broken');
  });

  it('a rule with findings is failed (or broken for incomplete)', () => {
    const j = evaluate({
      policy: O2,
      identity: IDENTITY,
      captures: pair([['x-up-calling-line-id', '447700900123']]),
      plan: ['nav', 'nav-tls', 'img'],
    });
    const s = statuses(j);
    assert.equal(s['identity-header'], 'failed');
    assert.equal(s['identity-value'], 'failed');
    assert.equal(s.incomplete, 'broken');
    assert.equal(j.checks.find((c) => c.rule === 'identity-value')!.reason, null);
  });

  it('nothing captured: the probe-host rules are skipped, coverage is broken', () => {
    const j = evaluate({ policy: O2, identity: IDENTITY, captures: [], plan: ['nav'] });
    const s = statuses(j);
    assert.equal(s['identity-header'], 'skipped');
    assert.equal(s['unexpected-injection'], 'skipped');
    assert.equal(s.incomplete, 'broken');
  });
});

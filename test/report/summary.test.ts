import assert from 'node:assert/strict';
import { BUILTIN_POLICIES } from '../../bearers/index.ts';
import { checksOf } from '../../src/detect/evaluate.ts';
import { resolvePolicies } from '../../src/detect/index.ts';
import type { Finding } from '../../src/model/finding.ts';
import { RULE_IDS } from '../../src/model/rules.ts';
import { formatSummaryTable } from '../../src/report/console-table.ts';
import { summariseFindings } from '../../src/report/format-finding.ts';
import { toJunitXml } from '../../src/report/junit.ts';
import { buildSummary, type HandsetSummary, overallVerdict } from '../../src/report/summary.ts';
import { runSummarySchema, SUMMARY_FORMAT_VERSION } from '../../src/report/summary-schema.ts';
import { notChecked } from '../../src/run/handset-result.ts';
import { exitCodeOf } from '../../src/shared/exit-codes.ts';

const noDetail = { identifier: null, form: null, encoding: [], sentBy: null };
const leak: Finding = {
  rule: 'identity-header',
  severity: 'critical',
  probe: 'nav',
  header: 'x-up-calling-line-id',
  evidence: 'x-up-calling-line-id: 4477******01',
  detail: { ...noDetail, sentBy: 'network' },
};
const missing: Finding = {
  rule: 'incomplete',
  severity: 'minor',
  probe: 'alt',
  header: '(none)',
  evidence: 'never captured',
  detail: noDetail,
};
const meta = {
  runId: '2026-11-25T00-00-00-000Z-abcdef',
  startedAt: '2026-11-25T00:00:00.000Z',
  finishedAt: '2026-11-25T00:01:00.000Z',
  farm: 'simulated',
};
const o2 = resolvePolicies(BUILTIN_POLICIES).get('o2')!;

/** A handset line with the fields every test leaves alone. */
function handset(
  h: Partial<HandsetSummary> & Pick<HandsetSummary, 'id' | 'verdict' | 'findings'>,
): HandsetSummary {
  return {
    bearer: 'o2',
    apn: null,
    device: 'Pixel 7',
    ipv6Path: 'checked',
    durationMs: 1200,
    attempts: 1,
    failure: h.verdict === 'broken' ? '1 planned probe(s) not captured or not judged: alt' : null,
    policy: o2,
    gateway: 'sim:o2',
    checks: checksOf(h.findings, {}),
    observed: { verdict: h.verdict, probes: [] },
    ...h,
  };
}

describe('report/summary', () => {
  it('carries the APN (an apn column in the table) and says plainly when the IPv6 path was not checked', () => {
    const s = buildSummary(meta, [
      handset({ id: 'web', apn: 'mobile.o2.co.uk', verdict: 'pass', findings: [] }),
      handset({ id: 'wap', apn: 'wap.o2.co.uk', verdict: 'pass', findings: [], ipv6Path: 'not-checked' }),
      handset({ id: 'plain', verdict: 'pass', findings: [], ipv6Path: 'off' }),
    ]);
    assert.deepEqual(
      s.handsets.map((h) => [h.id, h.apn, h.ipv6Path]),
      [
        ['web', 'mobile.o2.co.uk', 'checked'],
        ['wap', 'wap.o2.co.uk', 'not-checked'],
        ['plain', null, 'off'],
      ],
    );
    const table = formatSummaryTable(s);
    assert.match(table.split('\n')[0]!, /^handset\s+bearer\s+apn\s+gateway\s+verdict\s+findings$/);
    assert.match(table, /^wap\s+o2\s+wap\.o2\.co\.uk\s+sim:o2\s+PASS/m);
    assert.match(table, /^plain\s+o2\s+-\s+sim:o2/m);
    assert.match(table, /^IPv6 path not checked: wap$/m);
    const noApn = formatSummaryTable(
      buildSummary(meta, [handset({ id: 'a', verdict: 'pass', findings: [] })]),
    );
    assert.match(noApn.split('\n')[0]!, /^handset\s+bearer\s+gateway\s+verdict\s+findings$/);
    assert.doesNotMatch(noApn, /IPv6/);
  });

  it('fail wins over broken, broken over pass', () => {
    assert.equal(overallVerdict(['pass', 'broken', 'fail']), 'fail');
    assert.equal(overallVerdict(['pass', 'broken']), 'broken');
    assert.equal(overallVerdict(['pass', 'pass']), 'pass');
  });

  it('a run with no handset is broken, never green', () => {
    assert.equal(overallVerdict([]), 'broken');
  });

  it('maps verdicts to exit codes 0/1/3', () => {
    assert.deepEqual(
      ['pass', 'fail', 'broken'].map((v) => exitCodeOf(v as 'pass')),
      [0, 1, 3],
    );
  });

  it('writes the contract fields, tag and change null when absent, findings with exactly their six fields', () => {
    const s = buildSummary(meta, [
      handset({ id: 'a', verdict: 'fail', findings: [{ ...leak, extra: 1 } as Finding] }),
    ]);
    assert.deepEqual(Object.keys(s).sort(), [
      'change',
      'drift',
      'farm',
      'finishedAt',
      'formatVersion',
      'handsets',
      'runId',
      'simFault',
      'startedAt',
      'tag',
      'tool',
      'verdict',
    ]);
    assert.equal(s.formatVersion, SUMMARY_FORMAT_VERSION);
    assert.deepEqual(s.tool, { name: 'headerguard', version: '0.1.0' });
    assert.equal(s.runId, meta.runId);
    assert.equal(s.tag, null);
    assert.equal(s.change, null);
    assert.equal(s.verdict, 'fail');
    assert.deepEqual(Object.keys(s.handsets[0]!).sort(), [
      'apn',
      'attempts',
      'bearer',
      'checks',
      'device',
      'durationMs',
      'failure',
      'findings',
      'gateway',
      'id',
      'ipv6Path',
      'observed',
      'policy',
      'verdict',
    ]);
    assert.deepEqual(Object.keys(s.handsets[0]!.findings[0]!).sort(), [
      'detail',
      'evidence',
      'header',
      'probe',
      'rule',
      'severity',
    ]);
    assert.deepEqual(s.handsets[0]!.policy, o2);
  });

  it('refuses to build a summary the documented format does not allow', () => {
    // A broken handset must say why; a passing one must not claim a failure.
    assert.throws(() =>
      buildSummary(meta, [handset({ id: 'a', verdict: 'broken', findings: [], failure: null })]),
    );
    assert.throws(() =>
      buildSummary(meta, [handset({ id: 'a', verdict: 'pass', findings: [], failure: 'x' })]),
    );
    assert.throws(() =>
      buildSummary(meta, [
        handset({ id: 'a', verdict: 'fail', findings: [{ ...leak, rule: 'nope' as 'spoofable' }] }),
      ]),
    );
    assert.throws(() => buildSummary({ ...meta, startedAt: 'yesterday' }, []));
  });

  it('the schema refuses a version-1 summary (no formatVersion) and an unknown field', () => {
    const v2 = buildSummary(meta, [handset({ id: 'a', verdict: 'pass', findings: [] })]);
    assert.equal(runSummarySchema.safeParse(v2).success, true);
    const { formatVersion: _, ...v1 } = v2;
    assert.equal(runSummarySchema.safeParse(v1).success, false);
    assert.equal(runSummarySchema.safeParse({ ...v2, extra: 1 }).success, false);
  });
});

describe('report/junit', () => {
  it('has a suite per handset and a failure per failing rule, an error for incomplete', () => {
    const s = buildSummary(meta, [
      handset({ id: 'a', verdict: 'fail', findings: [leak] }),
      handset({ id: 'b', bearer: 'tesco', device: 'iPhone 14', verdict: 'broken', findings: [missing] }),
      handset({ id: 'c', ...notChecked('the run could not start: x') }),
      handset({
        id: 'd',
        verdict: 'pass',
        findings: [],
        checks: checksOf([], { 'partner-enrichment-missing': 'the o2 policy expects no partner enrichment' }),
      }),
    ]);
    const xml = toJunitXml(s);
    assert.equal((xml.match(/<testsuite /g) ?? []).length, 4);
    // Nothing to check is reported as skipped, never as a pass.
    const d = xml.slice(xml.indexOf('<testsuite name="d'));
    assert.match(d, /skipped="1"/);
    assert.match(
      d,
      /<testcase name="partner-enrichment-missing"[^>]*><skipped message="the o2 policy expects no partner enrichment"\/>/,
    );
    assert.match(xml, /<failure type="identity-header" message="\[identity-header\]/);
    assert.match(xml, /<error type="broken" message="\[incomplete\] 1 planned probe/);
    // A handset that was never checked: every rule is an error that says why, none a pass.
    const c = xml.slice(xml.indexOf('<testsuite name="c'));
    assert.equal(
      (c.match(/<error type="broken" message="not checked: the run could not start: x"/g) ?? []).length,
      RULE_IDS.length,
    );
    assert.doesNotMatch(xml, /447700900101/);
  });

  it('says in JUnit, the console table and the summary that a red run was a fault replay', () => {
    const s = buildSummary({ ...meta, simFault: 'o2-2012' }, [
      handset({ id: 'a', verdict: 'fail', findings: [leak], gateway: 'sim:o2:o2-2012' }),
    ]);
    assert.equal(s.simFault, 'o2-2012');
    assert.equal(s.handsets[0]!.gateway, 'sim:o2:o2-2012');
    assert.match(toJunitXml(s), /<property name="gateway" value="sim:o2:o2-2012"\/>/);
    assert.match(toJunitXml(s), /<property name="simFault" value="o2-2012"\/>/);
    const table = formatSummaryTable(s);
    assert.match(table, /a\s+o2\s+sim:o2:o2-2012\s+FAIL/);
    assert.match(table, /verdict: FAIL \(a replay of simulator fault o2-2012, not a real network\)/);
    // A fault named in the farm (no --sim-fault) is said too.
    const farmFault = buildSummary(meta, [
      handset({ id: 'a', verdict: 'fail', findings: [leak], gateway: 'sim:o2:tracking-id' }),
    ]);
    assert.match(formatSummaryTable(farmFault), /simulator fault replays: sim:o2:tracking-id/);
  });

  it('escapes markup in evidence', () => {
    const s = buildSummary(meta, [
      handset({ id: 'a', device: 'x', verdict: 'fail', findings: [{ ...leak, evidence: '<script>&"' }] }),
    ]);
    assert.match(toJunitXml(s), /&lt;script&gt;&amp;&quot;/);
  });
});

describe('report/console-table', () => {
  it('lists handset, bearer, verdict and rule counts', () => {
    const s = buildSummary(meta, [
      handset({ id: 'o2-pixel', verdict: 'fail', findings: [leak, leak] }),
      handset({ id: 'tesco', bearer: 'tesco', device: 'x', verdict: 'pass', findings: [] }),
    ]);
    const table = formatSummaryTable(s);
    assert.match(table, /o2-pixel\s+o2\s+sim:o2\s+FAIL\s+identity-header×2/);
    assert.match(table, /tesco\s+tesco\s+sim:o2\s+PASS\s+-/);
    assert.match(table, /verdict: FAIL/);
    assert.match(table, /critical \[identity-header\] 2 findings: x-up-calling-line-id on probe nav/);
    assert.match(table, /e\.g\. x-up-calling-line-id: 4477\*{6}01/);
  });

  it('groups findings by rule, most severe first, each rule once, however many findings', () => {
    const valueLeak: Finding = {
      ...leak,
      rule: 'identity-value',
      severity: 'blocker',
      evidence: 'MSISDN 4477******01',
    };
    const injected: Finding = { ...leak, rule: 'unexpected-injection', severity: 'normal', header: 'x-foo' };
    // 40 lower-severity findings first, as the verdict engine's order would put them: the blocker still shows.
    const findings = [
      ...Array.from({ length: 40 }, (_, i) => ({ ...leak, probe: `p${i}` })),
      injected,
      valueLeak,
    ];
    const table = formatSummaryTable(buildSummary(meta, [handset({ id: 'a', verdict: 'fail', findings })]));
    const ruleLines = table.split('\n').filter((l) => /^ {2}\w+ +\[/.test(l));
    assert.deepEqual(
      ruleLines.map((l) => /\[([a-z-]+)\]/.exec(l)![1]),
      ['identity-value', 'identity-header', 'unexpected-injection'],
    );
    assert.match(ruleLines[1]!, /\[identity-header\] 40 findings/);
    assert.ok(table.split('\n').length < 15, table);
  });

  it('says once per broken handset why it is broken, naming its gateway', () => {
    const table = formatSummaryTable(
      buildSummary(meta, [
        handset({
          id: 'dead',
          gateway: 'http://127.0.0.1:3128',
          ...notChecked('browser: net::ERR_PROXY_CONNECTION_FAILED'),
        }),
      ]),
    );
    assert.match(
      table,
      /^dead \(http:\/\/127\.0\.0\.1:3128\):\n {2}BROKEN: browser: net::ERR_PROXY_CONNECTION_FAILED$/m,
    );
    assert.equal(table.match(/ERR_PROXY/g)!.length, 1);
  });
});

describe('report/format-finding', () => {
  it('summarises a rule in one line: count, distinct headers and probes', () => {
    const line = summariseFindings([leak, { ...leak, probe: 'img' }, { ...leak, header: 'x-wap-3gpp-imsi' }]);
    assert.equal(
      line,
      '[identity-header] 3 findings: x-up-calling-line-id, x-wap-3gpp-imsi on probes img, nav',
    );
    assert.equal(summariseFindings([leak]), '[identity-header] 1 finding: x-up-calling-line-id on probe nav');
  });
});

import assert from 'node:assert/strict';
import type { Finding } from '../../src/model/finding.ts';
import { formatSummaryTable } from '../../src/report/console-table.ts';
import { summariseFindings } from '../../src/report/format-finding.ts';
import { toJunitXml } from '../../src/report/junit.ts';
import { buildSummary, overallVerdict } from '../../src/report/summary.ts';
import { exitCodeOf } from '../../src/shared/exit-codes.ts';

const leak: Finding = {
  rule: 'identity-header',
  severity: 'critical',
  probe: 'nav',
  header: 'x-up-calling-line-id',
  evidence: 'x-up-calling-line-id: 4477******01',
};
const missing: Finding = {
  rule: 'incomplete',
  severity: 'critical',
  probe: 'alt',
  header: '(none)',
  evidence: 'never captured',
};
const meta = {
  startedAt: '2026-11-25T00:00:00.000Z',
  finishedAt: '2026-11-25T00:01:00.000Z',
  farm: 'simulated',
};

describe('report/summary', () => {
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

  it('writes the contract fields, tag and change null when absent, findings with exactly five fields', () => {
    const s = buildSummary(meta, [
      {
        id: 'a',
        bearer: 'o2',
        device: 'Pixel 7',
        verdict: 'fail',
        findings: [{ ...leak, extra: 1 } as Finding],
      },
    ]);
    assert.deepEqual(Object.keys(s).sort(), [
      'change',
      'farm',
      'finishedAt',
      'handsets',
      'startedAt',
      'tag',
      'verdict',
    ]);
    assert.equal(s.tag, null);
    assert.equal(s.change, null);
    assert.equal(s.verdict, 'fail');
    assert.deepEqual(Object.keys(s.handsets[0]!.findings[0]!).sort(), [
      'evidence',
      'header',
      'probe',
      'rule',
      'severity',
    ]);
  });
});

describe('report/junit', () => {
  it('has a suite per handset and a failure per failing rule, an error for incomplete', () => {
    const s = buildSummary(meta, [
      { id: 'a', bearer: 'o2', device: 'Pixel 7', verdict: 'fail', findings: [leak] },
      { id: 'b', bearer: 'tesco', device: 'iPhone 14', verdict: 'broken', findings: [missing] },
    ]);
    const xml = toJunitXml(s);
    assert.equal((xml.match(/<testsuite /g) ?? []).length, 2);
    assert.match(xml, /<failure type="identity-header" message="\[identity-header\]/);
    assert.match(xml, /<error type="broken"/);
    assert.doesNotMatch(xml, /447700900101/);
  });

  it('escapes markup in evidence', () => {
    const s = buildSummary(meta, [
      {
        id: 'a',
        bearer: 'o2',
        device: 'x',
        verdict: 'fail',
        findings: [{ ...leak, evidence: '<script>&"' }],
      },
    ]);
    assert.match(toJunitXml(s), /&lt;script&gt;&amp;&quot;/);
  });
});

describe('report/console-table', () => {
  it('lists handset, bearer, verdict and rule counts', () => {
    const s = buildSummary(meta, [
      { id: 'o2-pixel', bearer: 'o2', device: 'Pixel 7', verdict: 'fail', findings: [leak, leak] },
      { id: 'tesco', bearer: 'tesco', device: 'x', verdict: 'pass', findings: [] },
    ]);
    const table = formatSummaryTable(s);
    assert.match(table, /o2-pixel\s+o2\s+FAIL\s+identity-header×2/);
    assert.match(table, /tesco\s+tesco\s+PASS\s+-/);
    assert.match(table, /verdict: FAIL/);
    assert.match(
      table,
      /\[identity-header\] critical: x-up-calling-line-id on probe nav: x-up-calling-line-id: 4477\*{6}01/,
    );
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

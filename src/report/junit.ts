import { RULE_IDS, ruleInfo } from '../model/rules.ts';
import { formatFinding } from './format-finding.ts';
import type { RunSummary } from './summary.ts';

const esc = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/**
 * JUnit XML for CI dashboards: a test suite per handset, a test case per rule. A rule with findings is a
 * <failure>; a broken handset's rules without findings are <error>s (they could not be checked).
 */
export function toJunitXml(summary: RunSummary): string {
  const suites = summary.handsets.map((h) => {
    const cases = RULE_IDS.map((rule) => {
      const findings = h.findings.filter((f) => f.rule === rule);
      const name = `${rule}`;
      const classname = `headerguard.${h.bearer}.${h.id}`;
      let body = '';
      const broken = ruleInfo(rule).outcome === 'broken';
      if (broken && findings.length) {
        body = `<error type="broken" message="${esc(`[${rule}] ${h.failure ?? `${findings.length} finding(s)`}`)}">${esc(findings.map(formatFinding).join('\n'))}</error>`;
      } else if (findings.length) {
        body = `<failure type="${rule}" message="${esc(formatFinding(findings[0]!))}">${esc(findings.map(formatFinding).join('\n'))}</failure>`;
      } else if (h.verdict === 'broken') {
        body = `<error type="broken" message="${esc(`not checked: ${h.failure ?? "the handset's run was broken"}`)}"/>`;
      }
      return `    <testcase name="${esc(name)}" classname="${esc(classname)}">${body}</testcase>`;
    });
    const failures = RULE_IDS.filter(
      (r) => ruleInfo(r).outcome === 'fail' && h.findings.some((f) => f.rule === r),
    ).length;
    const errors = cases.filter((c) => c.includes('<error')).length;
    return [
      `  <testsuite name="${esc(`${h.id} (${h.bearer}, ${h.device})`)}" tests="${RULE_IDS.length}" failures="${failures}" errors="${errors}">`,
      ...cases,
      '  </testsuite>',
    ].join('\n');
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="headerguard ${esc(summary.farm)}">\n${suites.join('\n')}\n</testsuites>\n`;
}

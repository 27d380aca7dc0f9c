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
 * JUnit XML for CI dashboards: a test suite per handset, a test case per rule, from the handset's checks: a
 * failed rule is a <failure> (its findings in the body), a broken one an <error> (could not be checked, or
 * checked on what arrived only), a skipped one <skipped> (nothing to check: never a pass). Each suite's
 * properties name the gateway the handset browsed through, so a fault replay never reads as a real leak.
 */
export function toJunitXml(summary: RunSummary): string {
  const suites = summary.handsets.map((h) => {
    const cases = h.checks.map((check) => {
      const { rule } = check;
      const findings = h.findings.filter((f) => f.rule === rule);
      const details = esc(findings.map(formatFinding).join('\n'));
      const classname = `headerguard.${h.bearer}.${h.id}`;
      let body = '';
      if (check.status === 'failed') {
        body = `<failure type="${rule}" message="${esc(formatFinding(findings[0]!))}">${details}</failure>`;
      } else if (check.status === 'broken' && findings.length) {
        body = `<error type="broken" message="${esc(`[${rule}] ${h.failure ?? `${findings.length} finding(s)`}`)}">${details}</error>`;
      } else if (check.status === 'broken') {
        body = `<error type="broken" message="${esc(check.reason ?? `not checked: ${h.failure ?? 'broken'}`)}"/>`;
      } else if (check.status === 'warned') {
        // `--drift warn`: a passing case that lists the drift.
        body = `<system-out>${esc(`--drift warn: ${findings.length} change(s), listed, not failing\n`)}${details}</system-out>`;
      } else if (check.status === 'skipped') {
        body = `<skipped message="${esc(check.reason ?? 'nothing to check')}"/>`;
      }
      return `    <testcase name="${esc(rule)}" classname="${esc(classname)}">${body}</testcase>`;
    });
    const count = (status: string) => h.checks.filter((c) => c.status === status).length;
    return [
      `  <testsuite name="${esc(`${h.id} (${h.bearer}, ${h.device})`)}" tests="${h.checks.length}" failures="${count('failed')}" errors="${count('broken')}" skipped="${count('skipped')}">`,
      '    <properties>',
      ...[
        ['bearer', h.bearer],
        ['device', h.device],
        ['gateway', h.gateway],
        ['simFault', summary.simFault ?? ''],
      ].map(([name, value]) => `      <property name="${name}" value="${esc(value!)}"/>`),
      '    </properties>',
      ...cases,
      '  </testsuite>',
    ].join('\n');
  });
  const gone = goneSuite(summary);
  if (gone) suites.push(gone);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="headerguard ${esc(summary.farm)}">\n${suites.join('\n')}\n</testsuites>\n`;
}

/** Baseline handsets this run lacks (`--baseline`): a case each, failed under `--drift fail`. */
function goneSuite(summary: RunSummary): string | undefined {
  const drift = summary.drift;
  if (!drift || drift.handsetsGone.length === 0) return undefined;
  const fail = drift.mode === 'fail';
  const cases = drift.handsetsGone.map((h) => {
    const message = esc(
      `[drift] handset ${h.id} (${h.bearer}) is in the baseline ${drift.baselineRunId}, not in this run`,
    );
    const body = fail
      ? `<failure type="drift" message="${message}"/>`
      : `<system-out>${message}</system-out>`;
    return `    <testcase name="drift" classname="${esc(`headerguard.${h.bearer}.${h.id}`)}">${body}</testcase>`;
  });
  return [
    `  <testsuite name="baseline ${esc(drift.baselineRunId)}: handsets not in this run" tests="${cases.length}" failures="${fail ? cases.length : 0}" errors="0" skipped="0">`,
    ...cases,
    '  </testsuite>',
  ].join('\n');
}

import type { Finding } from '../model/finding.ts';

/** One line for a finding (already masked by the verdict engine): the text of a failing test. */
export function formatFinding(f: Finding): string {
  return `[${f.rule}] ${f.severity}: ${f.header} on probe ${f.probe}: ${f.evidence}`;
}

/**
 * One short line for a rule's findings: what a report groups by (Allure files failures by message) before
 * the details. `[identity-header] 12 findings: x-up-calling-line-id, x-wap-3gpp-imsi on probes nav, img`.
 */
export function summariseFindings(findings: readonly Finding[]): string {
  if (findings.length === 0) return '';
  // Sorted, so the same failure on two handsets reads the same (reports group by this line).
  const distinct = (xs: string[]) => [...new Set(xs)].sort();
  const headers = distinct(findings.map((f) => f.header));
  const probes = distinct(findings.map((f) => f.probe));
  const n = findings.length;
  return `[${findings[0]!.rule}] ${n} finding${n === 1 ? '' : 's'}: ${headers.join(', ')} on probe${probes.length === 1 ? '' : 's'} ${probes.join(', ')}`;
}

import type { Finding, Judgement } from '../model/finding.ts';

/** A readable, fixed-width table of a judgement (pure: returns text). Evidence is already masked. */
export function renderTable(
  label: string,
  j: { verdict: Judgement['verdict']; findings: readonly Omit<Finding, 'detail'>[] },
): string {
  const head = `${label}: ${j.verdict.toUpperCase()}${
    j.findings.length
      ? ` (${j.findings.length} finding${j.findings.length > 1 ? 's' : ''})`
      : ' (no findings)'
  }`;
  if (j.findings.length === 0) return `${head}\n`;
  const cols = ['RULE', 'SEVERITY', 'PROBE', 'HEADER', 'EVIDENCE'];
  const rows = j.findings.map((f) => [f.rule, f.severity, f.probe, f.header, f.evidence]);
  const widths = cols.map((c, i) => Math.min(32, Math.max(c.length, ...rows.map((r) => r[i]!.length))));
  const line = (r: string[]) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${head}\n${[line(cols), ...rows.map(line)].map((l) => `  ${l}`).join('\n')}\n`;
}

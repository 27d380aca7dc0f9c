import type { Finding } from '../model/finding.ts';

/** One line for a finding (already masked by the verdict engine): the text of a failing test. */
export function formatFinding(f: Finding): string {
  return `[${f.rule}] ${f.severity}: ${f.header} on probe ${f.probe}: ${f.evidence}`;
}

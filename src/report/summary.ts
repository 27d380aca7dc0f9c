import type { Finding, Verdict } from '../model/finding.ts';

/** `<report-dir>/<run-id>/summary.json`: the contract release engineers script against. */
export interface RunSummary {
  verdict: Verdict;
  startedAt: string;
  finishedAt: string;
  farm: string;
  tag: string | null;
  change: string | null;
  handsets: HandsetSummary[];
}

export interface HandsetSummary {
  id: string;
  bearer: string;
  device: string;
  verdict: Verdict;
  findings: Finding[];
}

/** Fail wins over broken, broken over pass; no handset at all is broken (nothing was checked). */
export function overallVerdict(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.length === 0) return 'broken';
  if (verdicts.includes('fail')) return 'fail';
  if (verdicts.includes('broken')) return 'broken';
  return 'pass';
}

export function buildSummary(
  meta: { startedAt: string; finishedAt: string; farm: string; tag?: string; change?: string },
  handsets: readonly HandsetSummary[],
): RunSummary {
  return {
    verdict: overallVerdict(handsets.map((h) => h.verdict)),
    startedAt: meta.startedAt,
    finishedAt: meta.finishedAt,
    farm: meta.farm,
    tag: meta.tag ?? null,
    change: meta.change ?? null,
    handsets: handsets.map(({ id, bearer, device, verdict, findings }) => ({
      id,
      bearer,
      device,
      verdict,
      findings: findings.map(({ rule, severity, probe, header, evidence }) => ({
        rule,
        severity,
        probe,
        header,
        evidence,
      })),
    })),
  };
}

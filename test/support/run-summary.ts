import { checksOf } from '../../src/detect/evaluate.ts';
import type { Finding } from '../../src/model/finding.ts';
import { buildSummary, type HandsetSummary, type RunSummary } from '../../src/report/summary.ts';

/** A judged-policy stand-in (O2 UK, 234-10) for summaries built in tests. */
const POLICY = {
  id: 'o2',
  name: 'O2 UK',
  country: 'GB',
  mccmnc: ['234-10'],
  allowInjected: ['via', 'x-forwarded-for', 'forwarded'],
  partnerEnrichment: ['x-up-calling-line-id'],
  ipv6: 'optional' as const,
};

/** A finding of the number in `x-up-calling-line-id` at the navigation probe, masked as the verdict masks it. */
export function leakFinding(over: Partial<Finding> = {}): Finding {
  return {
    rule: 'identity-value',
    severity: 'blocker',
    probe: 'nav',
    header: 'x-up-calling-line-id',
    evidence: "MSISDN as E.164 without '+' (4477******01) in x-up-calling-line-id; sent by the network",
    detail: { identifier: 'MSISDN', form: "E.164 without '+'", encoding: [], sentBy: 'network' },
    ...over,
  };
}

/** One handset's line in summary.json: its verdict follows from its findings unless told (`broken` needs a failure). */
export function handsetLine(
  id: string,
  findings: Finding[] = [],
  over: Partial<HandsetSummary> = {},
): HandsetSummary {
  const line: Omit<HandsetSummary, 'observed'> = {
    id,
    bearer: 'o2',
    apn: null,
    device: 'Pixel 7',
    verdict: findings.length ? 'fail' : 'pass',
    ipv6Path: 'checked',
    durationMs: 2500,
    attempts: 1,
    failure: null,
    policy: POLICY,
    gateway: 'http://gw.example:8080',
    checks: checksOf(findings, {}),
    findings,
    ...over,
  };
  return { ...line, observed: over.observed ?? { verdict: line.verdict, probes: [] } };
}

/** A whole valid summary.json started at `startedAt` (ISO) with these handsets. */
export function runSummary(
  startedAt: string,
  handsets: HandsetSummary[],
  over: { tag?: string; simFault?: string } = {},
): RunSummary {
  const t = Date.parse(startedAt);
  const runId = `${new Date(t).toISOString().replace(/[:.]/g, '-')}-abc${String(t % 1000).padStart(3, '0')}`;
  return buildSummary(
    { runId, startedAt, finishedAt: new Date(t + 10_000).toISOString(), farm: 'lab', ...over },
    handsets,
  );
}

import type { Finding, Verdict } from '../model/finding.ts';
import { TOOL } from '../shared/tool.ts';
import {
  type DriftSummary,
  type HandsetSummary,
  type RunSummary,
  runSummarySchema,
  SUMMARY_FORMAT_VERSION,
} from './summary-schema.ts';

export type { HandsetSummary, RunSummary } from './summary-schema.ts';

/** Fail wins over broken, broken over pass; no handset at all is broken (nothing was checked). */
export function overallVerdict(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.length === 0) return 'broken';
  if (verdicts.includes('fail')) return 'fail';
  if (verdicts.includes('broken')) return 'broken';
  return 'pass';
}

export interface RunMeta {
  runId: string;
  startedAt: string;
  finishedAt: string;
  farm: string;
  tag?: string;
  change?: string;
  simFault?: string;
  /** `--baseline`: what the run was compared with. */
  drift?: DriftSummary;
}

/**
 * summary.json's content: exactly the documented fields (extra properties of the inputs are dropped), checked
 * against the one schema so that the writer can never produce what the documented format does not allow.
 */
export function buildSummary(meta: RunMeta, handsets: readonly HandsetSummary[]): RunSummary {
  return runSummarySchema.parse({
    formatVersion: SUMMARY_FORMAT_VERSION,
    tool: { name: TOOL.name, version: TOOL.version },
    runId: meta.runId,
    verdict: withHandsetsGone(overallVerdict(handsets.map((h) => h.verdict)), meta.drift),
    startedAt: meta.startedAt,
    finishedAt: meta.finishedAt,
    farm: meta.farm,
    tag: meta.tag ?? null,
    change: meta.change ?? null,
    simFault: meta.simFault ?? null,
    drift: meta.drift ?? null,
    handsets: handsets.map((h) => ({
      id: h.id,
      bearer: h.bearer,
      apn: h.apn,
      device: h.device,
      verdict: h.verdict,
      ipv6Path: h.ipv6Path,
      durationMs: h.durationMs,
      attempts: h.attempts,
      failure: h.failure,
      policy: h.policy,
      gateway: h.gateway,
      checks: h.checks.map(({ rule, status, reason }) => ({ rule, status, reason })),
      findings: h.findings.map(pickFinding),
      observed: {
        verdict: h.observed.verdict,
        probes: h.observed.probes.map(({ probe, injected, enrichment }) => ({ probe, injected, enrichment })),
      },
    })),
  });
}

/** A baseline handset this run lacks is drift: with `--drift fail` a passing run fails (broken stays broken). */
function withHandsetsGone(verdict: Verdict, drift: DriftSummary | undefined): Verdict {
  return verdict === 'pass' && drift?.mode === 'fail' && drift.handsetsGone.length > 0 ? 'fail' : verdict;
}

function pickFinding({ rule, severity, probe, header, evidence, detail }: Finding): Finding {
  const { identifier, form, encoding, sentBy } = detail;
  return { rule, severity, probe, header, evidence, detail: { identifier, form, encoding, sentBy } };
}

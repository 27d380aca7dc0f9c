import { readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Observed } from '../model/baseline.ts';
import type { Finding, Ipv6Path, Judgement, RuleCheck, Verdict } from '../model/finding.ts';
import { RULES, ruleInfo } from '../model/rules.ts';
import { writeFileAtomic } from '../shared/atomic-write.ts';
import type { HandsetCheck } from './check-handset.ts';

/**
 * What one handset's worker hands to the launcher: written by the spec, read by `onComplete`. A handset with
 * no result file never finished (crashed worker, session that never started): the launcher marks it broken.
 */
export interface HandsetResult {
  id: string;
  bearer: string;
  device: string;
  verdict: Verdict;
  findings: Finding[];
  checks: RuleCheck[];
  /** Whether the IPv6 path was checked (absent: not checked). */
  ipv6Path?: Ipv6Path;
  /** One masked line: why the handset is broken (endpoint unreachable, session crashed, probes missing…). */
  failure: string | null;
  probes: { planned: number; captured: number };
  /** The baseline view: header names per captured probe and the verdict before drift (names only). */
  observed: Observed;
  attempts: number;
  /** When the worker process started (before its browser session): the handset's whole cost starts here. */
  workerStartedAt: string;
  startedAt: string;
  finishedAt: string;
}

const DIR = '.handsets';

export function handsetResultPath(runDir: string, handsetId: string): string {
  return path.join(runDir, DIR, `${handsetId}.json`);
}

/** Write atomically (temp file + rename) so that a crash never leaves half a result behind. */
export async function writeHandsetResult(runDir: string, result: HandsetResult): Promise<void> {
  const file = handsetResultPath(runDir, result.id);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, `${JSON.stringify(result, null, 2)}\n`);
}

/** The handset's result, or undefined when it wrote none (or an unreadable one: fail closed). */
export async function readHandsetResult(
  runDir: string,
  handsetId: string,
): Promise<HandsetResult | undefined> {
  try {
    return asResult(JSON.parse(await readFile(handsetResultPath(runDir, handsetId), 'utf8')), handsetId);
  } catch {
    return undefined;
  }
}

/** The same, synchronously: for the last moment of a run stopped by a signal. */
export function readHandsetResultSync(runDir: string, handsetId: string): HandsetResult | undefined {
  try {
    return asResult(JSON.parse(readFileSync(handsetResultPath(runDir, handsetId), 'utf8')), handsetId);
  } catch {
    return undefined;
  }
}

function asResult(parsed: unknown, handsetId: string): HandsetResult | undefined {
  const r = parsed as HandsetResult | null;
  return r &&
    r.id === handsetId &&
    Array.isArray(r.findings) &&
    Array.isArray(r.checks) &&
    Array.isArray(r.observed?.probes)
    ? r
    : undefined;
}

/** A judgement with the reason it is broken, if it is: what a handset's result and summary.json carry. */
export interface HandsetOutcome extends Judgement {
  failure: string | null;
}

/**
 * A handset that could not be judged at all (no session, an endpoint that never answered, a crashed worker):
 * broken, with no finding (nothing was inspected) and the reason as its failure.
 */
export function notChecked(why: string): HandsetOutcome {
  return {
    verdict: 'broken',
    findings: [],
    checks: RULES.map((r) => ({ rule: r.id, status: 'broken', reason: `not checked: ${why}` })),
    failure: why,
  };
}

/**
 * A judged handset: a broken verdict's failure says what made it broken: not on the bearer (attestation),
 * or which planned probes were not captured.
 */
export function judged(judgement: Judgement): HandsetOutcome {
  if (judgement.verdict !== 'broken') return { ...judgement, failure: null };
  const list = (probes: string[]) =>
    probes.slice(0, 6).join(', ') + (probes.length > 6 ? `, … (${probes.length} in all)` : '');
  const probesOf = (rule: string) => [
    ...new Set(judgement.findings.filter((f) => f.rule === rule).map((f) => f.probe)),
  ];
  const reasons: string[] = [];
  const off = judgement.findings.find((f) => f.rule === 'off-bearer');
  if (off) reasons.push(`${off.evidence} (probes ${list(probesOf('off-bearer'))})`);
  const missing = probesOf('incomplete');
  if (missing.length)
    reasons.push(`${missing.length} planned probe(s) not captured or not judged: ${list(missing)}`);
  const other = judgement.findings.filter(
    (f) => ruleInfo(f.rule).outcome === 'broken' && f.rule !== 'off-bearer' && f.rule !== 'incomplete',
  );
  if (other.length || reasons.length === 0)
    reasons.push(`${other.length} finding(s) of rules that make a run broken`);
  return { ...judgement, failure: reasons.join('; ') };
}

/**
 * A handset's outcome: its check's judgement; or, when the browser failed after the run was created, the
 * judgement of what arrived anyway (broken because of that failure, unless a leak arrived: then fail); or not
 * checked at all.
 */
export function outcomeOf(
  check: HandsetCheck | undefined,
  partial: HandsetCheck | undefined,
  error: string | undefined,
): HandsetOutcome {
  if (check) {
    const outcome = judged(check.judgement);
    if (outcome.verdict !== 'broken' || check.foreignPage === undefined) return outcome;
    // Say first why the probes are missing: the gateway (or a portal) answered with a page of its own.
    const why = `the probe page did not load: the browser shows another page ('${check.foreignPage}')`;
    return { ...outcome, failure: `${why}; ${outcome.failure}` };
  }
  if (partial) {
    const outcome = judged(partial.judgement);
    return outcome.verdict === 'broken' ? { ...outcome, failure: error ?? outcome.failure } : outcome;
  }
  return notChecked(error ?? 'not checked');
}

/**
 * One preflight check's answer: ok, or the problem and what to do about it. A problem is either bad
 * configuration (exit 2) or something needed that is unreachable or missing (exit 3).
 */
import { EXIT } from '../shared/exit-codes.ts';
import { maskLongDigitRuns } from '../shared/mask.ts';

export type CheckResult =
  | { check: string; ok: true; note?: string }
  | { check: string; ok: false; problem: string; fix: string; kind: 'config' | 'missing' };

export function ok(check: string, note?: string): CheckResult {
  return { check, ok: true, ...(note ? { note } : {}) };
}

/** Something needed is unreachable or missing (exit 3). */
export function missing(check: string, problem: string, fix: string): CheckResult {
  return { check, ok: false, problem, fix, kind: 'missing' };
}

/** The configuration is wrong (exit 2). */
export function badConfig(check: string, problem: string, fix: string): CheckResult {
  return { check, ok: false, problem, fix, kind: 'config' };
}

/**
 * `ok   <check>[ (note)]` or `FAIL <check>: <problem> — <what to do>`, one line; long digit runs masked (versions
 * stay readable: lines that may quote subscriber data, the farm's, are masked where they are made).
 */
export function formatCheck(r: CheckResult): string {
  const line = r.ok
    ? `ok   ${r.check}${r.note ? ` (${r.note})` : ''}`
    : `FAIL ${r.check}: ${r.problem} — ${r.fix}`;
  return maskLongDigitRuns(line.replace(/\s*\n\s*/g, ' '));
}

/** 0 when every check is ok; 2 when any configuration is bad; else 3 when anything needed is missing. */
export function doctorExit(results: readonly CheckResult[]): number {
  if (results.some((r) => !r.ok && r.kind === 'config')) return EXIT.usage;
  if (results.some((r) => !r.ok)) return EXIT.broken;
  return EXIT.pass;
}

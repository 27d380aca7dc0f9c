import type { Verdict } from '../model/finding.ts';

/** Process exit codes shared by `run`, `scan` and every other subcommand. */
export const EXIT = {
  pass: 0,
  fail: 1,
  usage: 2,
  broken: 3,
} as const;

/** The worst of several exit codes: fail (1) over broken (3) over pass (0); usage (2) over all. */
export function worstExit(codes: readonly number[]): number {
  const rank = (c: number) =>
    c === EXIT.usage ? 4 : c === EXIT.fail ? 3 : c === EXIT.broken ? 2 : c === 0 ? 0 : 1;
  return codes.reduce((worst, c) => (rank(c) > rank(worst) ? c : worst), 0);
}

/** The exit code of a verdict: pass 0, fail 1, broken 3. */
export function exitCodeOf(verdict: Verdict): number {
  return verdict === 'pass' ? EXIT.pass : verdict === 'fail' ? EXIT.fail : EXIT.broken;
}

/**
 * The baseline view of a run: per handset, per captured probe, the *names* of the headers the network injected
 * and of the partner enrichment that arrived, and the handset's verdict. Names and verdicts only, never a
 * value: it is what `--save-baseline` writes, what `--baseline` compares a run with, and what `headerguard
 * diff` compares two runs or baselines by (docs/baselines.md).
 */
import type { Verdict } from './finding.ts';

/** What one captured probe showed, as names (lower-case, masked like finding headers, sorted, distinct). */
export interface ObservedProbe {
  probe: string;
  /** Headers the network added to or changed in the plain-HTTP request against its HTTPS twin (the verdict's diff). */
  injected: string[];
  /** Partner enrichment that arrived (the policy's enrichment names and catalogue identity headers injected on the partner host). */
  enrichment: string[];
}

/** One handset's observation: its verdict as judged (before any drift) and every probe captured. */
export interface Observed {
  verdict: Verdict;
  probes: ObservedProbe[];
}

/** One handset in a baseline view. */
export interface HandsetView extends Observed {
  id: string;
  bearer: string;
  /** The handset's APN when the farm names one (farm files do not yet: null). */
  apn: string | null;
}

/** The baseline view of a whole run. */
export interface RunView {
  /** Where it came from, for messages: the run id. */
  runId: string;
  farm: string;
  handsets: HandsetView[];
}

/** `--drift fail` (default: drift fails the run) or `--drift warn` (listed, verdict and exit code kept). */
export type DriftMode = 'fail' | 'warn';
export const DRIFT_MODES: readonly DriftMode[] = ['fail', 'warn'];

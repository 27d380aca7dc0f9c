/** Verdict data shared by the verdict engine, the console, Allure and summary.json. */

export const RULE_IDS = [
  'identity-header',
  'identity-value',
  'identity-like-value',
  'unexpected-injection',
  'partner-enrichment-missing',
  'spoofable',
  'incomplete',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

/** Allure's severity scale, so that reports can use it as it is. */
export type Severity = 'blocker' | 'critical' | 'normal' | 'minor' | 'trivial';

export interface Finding {
  rule: RuleId;
  severity: Severity;
  /** Probe id the finding was seen on. */
  probe: string;
  /** Header name as received (or `(url)` / `(none)` where no header applies). */
  header: string;
  /** Human-readable, masked: never a full identifier, never a full hash of one. */
  evidence: string;
}

export type Verdict = 'pass' | 'fail' | 'broken';

export interface Judgement {
  verdict: Verdict;
  findings: Finding[];
}

/** Subscriber identifiers known for a handset; any may be absent. */
export interface Identity {
  msisdn?: string;
  imsi?: string;
  imei?: string;
}

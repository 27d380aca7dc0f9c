/** Verdict data shared by the verdict engine, the console, Allure and summary.json. */
import type { RuleId, Severity } from './rules.ts';

export { RULE_IDS, type RuleId, type Severity } from './rules.ts';

/** Which subscriber identifier a finding is about. */
export type IdentifierKind = 'MSISDN' | 'IMSI' | 'IMEI';

/**
 * Who put the offending header or value on the wire: the `network` (absent from, or different on, the HTTPS
 * twin: a gateway injected it), the `device` (sent over TLS too, so the handset's browser or an app sent it),
 * or `unknown` (no HTTPS control to compare against).
 */
export type SentBy = 'network' | 'device' | 'unknown';

/** The structured side of a finding, beside its masked text; never a full identifier. */
export interface FindingDetail {
  /** The identifier the finding is about (identity-value, identity-like-value), else null. */
  identifier: IdentifierKind | null;
  /** The plain form it was found in (e.g. `E.164 with '+'`, `SHA-256 (hex) of national`), else null. */
  form: string | null;
  /** Encodings peeled off to find it, outermost first (e.g. `["URL-encoded", "base64"]`); empty if none. */
  encoding: string[];
  /** Who sent it; null where the rule is about something absent (a missing probe, lost enrichment). */
  sentBy: SentBy | null;
}

export interface Finding {
  rule: RuleId;
  severity: Severity;
  /** Probe id the finding was seen on. */
  probe: string;
  /** Header name as received (or `(url)` / `(none)` where no header applies). */
  header: string;
  /** Human-readable, masked: never a full identifier, never a full hash of one. */
  evidence: string;
  detail: FindingDetail;
}

export type Verdict = 'pass' | 'fail' | 'broken';

/**
 * What became of one rule for one handset: `passed` (checked, nothing found), `failed` (a finding of a rule
 * whose outcome is fail), `broken` (a finding of a rule whose outcome is broken, or the handset could not be
 * checked), `skipped` (the rule had nothing to check: never reported as a pass), `warned` (drift under
 * `--drift warn`: findings listed, the verdict kept).
 */
export type CheckStatus = 'passed' | 'failed' | 'skipped' | 'broken' | 'warned';

export interface RuleCheck {
  rule: RuleId;
  status: CheckStatus;
  /** Why it was skipped, broken or warned; null when it passed or failed (the findings say why). */
  reason: string | null;
}

/**
 * Whether the bearer's IPv6 path was checked: `checked` (IPv6 probes arrived and were judged), `not-checked`
 * (none planned, or none arrived where the policy says `ipv6: "optional"`), `off` (the policy says `ipv6: "off"`).
 */
export type Ipv6Path = 'checked' | 'not-checked' | 'off';

/** What the console and reports say for each IPv6 path state. */
export const IPV6_PATH_TEXT: Readonly<Record<Ipv6Path, string>> = {
  checked: 'IPv6 path checked',
  'not-checked': 'IPv6 path not checked',
  off: 'IPv6 off for this bearer',
};

export interface Judgement {
  verdict: Verdict;
  findings: Finding[];
  /** One entry per rule of the rule table, in its order. */
  checks: RuleCheck[];
  /** Whether the IPv6 path was checked (absent from judgements made before IPv6 probes existed). */
  ipv6Path?: Ipv6Path;
}

/** Subscriber identifiers known for a handset; any may be absent. */
export interface Identity {
  msisdn?: string;
  imsi?: string;
  imei?: string;
}

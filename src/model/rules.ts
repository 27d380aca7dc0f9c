/**
 * The one rule table: every rule the verdict can report, with everything each consumer needs to know about it
 * (the verdict engine, the WDIO spec, summary.json, JUnit, Allure, the console and docs/rules.md all read this).
 * A new rule is one row here plus its check in `src/detect/`.
 */

/** Allure's severity scale, so that reports can use it as it is. */
export type Severity = 'blocker' | 'critical' | 'normal' | 'minor' | 'trivial';

/** What a finding of the rule does to the handset's verdict. */
export type RuleOutcome = 'fail' | 'broken';

export interface RuleInfo {
  id: string;
  severity: Severity;
  /** A finding of this rule makes the handset `fail` (a leak or a policy failure) or `broken` (not checked). */
  outcome: RuleOutcome;
  /** The title of the rule's test, as a claim that holds when the rule passes. */
  title: string;
  /** The Allure feature the rule's test is filed under. */
  feature: string;
  /** The Allure category a failure of the rule is filed in. */
  category: string;
  /**
   * Whether the rule judges the network path the probes took (a gateway's behaviour), rather than a leak that
   * is a leak whatever the path. Off the bearer, path rules have nothing to say (used by attestation).
   */
  pathDependent: boolean;
  /** When it fires, in one line (docs/rules.md's table). */
  failsWhen: string;
}

/**
 * The rules in report order: the order of findings in a judgement (and so of `scan --json` and summary.json),
 * of tests in the WDIO spec, of test cases in JUnit and of the docs table. Leaks at the probe host first, then
 * the network-path rules, then coverage.
 */
export const RULES = [
  {
    id: 'identity-header',
    severity: 'critical',
    outcome: 'fail',
    title: 'no identity header reaches the probe host',
    feature: 'third-party probes',
    category: 'Identity leak',
    pathDependent: false,
    failsWhen: 'a catalogue header name (or identity cookie name) reaches the probe host, whatever its value',
  },
  {
    id: 'identity-value',
    severity: 'blocker',
    outcome: 'fail',
    title: 'no known identifier reaches the probe host, in any form',
    feature: 'third-party probes',
    category: 'Identity leak',
    pathDependent: false,
    failsWhen:
      'a known MSISDN, IMSI or IMEI reaches the probe (third-party) host in any header name or value or the URL, in any form below',
  },
  {
    id: 'identity-like-value',
    severity: 'critical',
    outcome: 'fail',
    title: 'no injected header carries an identifier-shaped value',
    feature: 'third-party probes',
    category: 'Identity leak',
    pathDependent: true,
    failsWhen:
      "a header the network injected, or the injected part of a header it rewrote, holds a value shaped like a mobile number of the bearer's country, an IMSI of one of its MCC-MNCs, or a Luhn-valid 15-digit IMEI",
  },
  {
    id: 'unexpected-injection',
    severity: 'normal',
    outcome: 'fail',
    title: 'no header injected beyond the bearer allowlist',
    feature: 'HTTP vs HTTPS diff',
    category: 'Unexpected injection',
    pathDependent: true,
    failsWhen:
      "a header is on an HTTP probe but not on its HTTPS control, or its value changed, and it is not in the bearer's allowlist",
  },
  {
    id: 'partner-enrichment-missing',
    severity: 'normal',
    outcome: 'fail',
    title: 'the partner host gets the enrichment the policy expects',
    feature: 'partner probes',
    category: 'Partner enrichment lost',
    pathDependent: true,
    failsWhen:
      'the policy names enrichment headers the partner host must receive, and a plain-HTTP partner capture lacks one (or has it empty)',
  },
  {
    id: 'spoofable',
    severity: 'critical',
    outcome: 'fail',
    title: 'a client-sent identity header does not reach the partner host',
    feature: 'partner probes',
    category: 'Spoofable',
    pathDependent: true,
    failsWhen:
      'the client-sent canary (`canary.header: canary.value`) reached the partner host unchanged over plain HTTP',
  },
  {
    id: 'off-bearer',
    severity: 'critical',
    outcome: 'broken',
    title: 'every probe went over the bearer',
    feature: 'bearer attestation',
    category: 'Broken: not on the bearer',
    pathDependent: false,
    failsWhen:
      "a capture came from outside the policy's `attest.remoteCidrs`, or a plain-HTTP probe lacks a `Via` matching `attest.viaPattern`: verdict **broken** (not on the bearer), and the network-path rules are not judged",
  },
  {
    id: 'incomplete',
    severity: 'minor',
    outcome: 'broken',
    title: 'every planned probe was captured',
    feature: 'probe coverage',
    category: 'Broken: capture missing',
    pathDependent: false,
    failsWhen:
      'a planned probe or a named twin was never captured; no captures at all; partner enrichment expected but no plain-HTTP partner capture',
  },
  {
    id: 'drift',
    severity: 'normal',
    outcome: 'fail',
    title: 'nothing changed against the baseline',
    feature: 'baseline drift',
    category: 'Drift from the baseline',
    pathDependent: false,
    failsWhen:
      'with `--baseline FILE`: an injected header name is new or gone, partner enrichment is new or gone, the verdict changed, a probe is newly missing, or a handset is on one side only (`--drift warn`: listed, the verdict kept)',
  },
] as const satisfies readonly RuleInfo[];

export type RuleId = (typeof RULES)[number]['id'];

/** Rule ids in report order. */
export const RULE_IDS: readonly RuleId[] = RULES.map((r) => r.id);

const BY_ID = new Map<string, RuleInfo>(RULES.map((r) => [r.id, r]));

/** The table row of a rule. */
export function ruleInfo(id: RuleId): RuleInfo {
  return BY_ID.get(id)!;
}

export function isRuleId(value: string): value is RuleId {
  return BY_ID.has(value);
}

/** Position of a rule in report order (for sorting findings). */
export function ruleRank(id: RuleId): number {
  return RULE_IDS.indexOf(id);
}

/** Allure's scale, least severe first. */
export const SEVERITY_SCALE: readonly Severity[] = ['trivial', 'minor', 'normal', 'critical', 'blocker'];

/** The more severe of two severities. */
export function worseSeverity(a: Severity, b: Severity): Severity {
  return SEVERITY_SCALE.indexOf(b) > SEVERITY_SCALE.indexOf(a) ? b : a;
}

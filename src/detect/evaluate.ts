import {
  type AddressFamily,
  type Canary,
  type HeaderPair,
  isIpv6Probe,
  type ProbeRole,
} from '../model/capture.ts';
import type {
  Finding,
  FindingDetail,
  IdentifierKind,
  Identity,
  Ipv6Path,
  Judgement,
  RuleCheck,
  SentBy,
  Verdict,
} from '../model/finding.ts';
import type { BearerPolicy } from '../model/policy.ts';
import { RULES, type RuleId, ruleInfo, ruleRank, type Severity } from '../model/rules.ts';
import { maskDigitRuns, maskKnown, maskOpaque } from '../shared/mask.ts';
import { type OffBearer, offBearer } from './attestation.ts';
import { matchIdentityCookie, matchIdentityHeader, mayHoldIdentityCookie } from './catalogue.ts';
import type { Hit } from './hit.ts';
import { buildControl, type Control, cookiePairsOf, diffAgainstControl, type Injected } from './injection.ts';
import { findLikeValues, type LikeHit } from './like-value.ts';
import { describeHit, findIdentifiers } from './match.ts';
import { type Needles, needlesFor } from './needles.ts';

/** One captured request, as the verdict engine needs it (the suite and `scan` both build these). */
export interface ScanCapture {
  probe: string;
  role: ProbeRole;
  tls: boolean;
  host: string;
  url: string;
  /** For a plain-HTTP capture: the probe id of its HTTPS control. */
  twin?: string;
  headers: HeaderPair[];
  /** The address the capture endpoint saw it come from (bearer attestation). */
  remoteAddress?: string;
  /** The IP family it came in on (from the remote address), when known. */
  family?: AddressFamily;
}

export interface EvaluationInput {
  policy: BearerPolicy;
  identity: Identity;
  captures: ScanCapture[];
  /** Probe ids that must have been captured; a missing one makes the verdict broken (never pass). */
  plan?: string[];
  /** The spoof canary the partner page sent itself. */
  canary?: Canary;
  /**
   * What the handset itself said about its connection (an Android phone's active transport and SIM, read over
   * adb): anything listed is off the bearer whatever the captures show.
   */
  device?: { offBearer: OffBearer[] };
}

/** Severity per rule, from the rule table (`src/model/rules.ts`). */
export const RULE_SEVERITY: Readonly<Record<RuleId, Severity>> = Object.fromEntries(
  RULES.map((r) => [r.id, r.severity]),
) as Record<RuleId, Severity>;

const DEVICE_SENT_TLS = 'sent over TLS, so the device itself sent it (a carrier-customised browser or app)';
const DEVICE_SENT_BOTH = 'also sent over HTTPS, so the device itself sent it';

/** The evidence's note on who sent it: said only when the device did (the network is the default suspect). */
function sentByNote(c: ScanCapture, sender: SentBy): string {
  if (sender !== 'device') return '';
  return `; ${c.tls ? DEVICE_SENT_TLS : DEVICE_SENT_BOTH}`;
}

/** Judge one run. Pure and deterministic; never throws on well-typed input. */
export function evaluate(input: EvaluationInput): Judgement {
  const { policy, captures, canary } = input;
  const needles = needlesFor(input.identity ?? {}, policy.country);
  const judge = new Judge(needles, captures);

  // incomplete: planned probes and named twins that never arrived. The IPv6 probes, when none arrived while
  // others did, only where the policy requires the IPv6 path (optional: "not checked"; off: not asked for);
  // a run where nothing arrived at all says nothing about one path: every probe is missing.
  const ipv6Path = ipv6PathOf(input, judge);
  const ipv6Excused = ipv6Path !== 'checked' && policy.ipv6 !== 'required' && captures.length > 0;
  for (const probe of input.plan ?? []) {
    if (ipv6Excused && isIpv6Probe(probe)) continue;
    if (!judge.byProbe.has(probe))
      judge.add('incomplete', probe, '(none)', 'planned probe was never captured');
  }
  for (const c of captures) {
    if (c.twin !== undefined && !judge.byProbe.has(c.twin) && !input.plan?.includes(c.twin)) {
      judge.add('incomplete', c.twin, '(none)', `HTTPS twin of probe '${c.probe}' was never captured`);
    }
  }
  if (captures.length === 0) judge.add('incomplete', '(none)', '(none)', 'no captures: nothing to judge');

  const isCanary = canaryTest(canary);
  const allow = new Set(policy.allowInjected);
  const enrichment = new Set(policy.partnerEnrichment);

  let partnerPlain = 0;
  for (const c of captures) {
    const { control, injected } = judge.injectedInto(c);
    const thirdParty = c.role === 'third-party';

    if (thirdParty) {
      identityHeaders(c, isCanary, control, judge);
      identityValues(c, needles, control, judge);
      for (const inj of injected) {
        if (isCanary(inj.name, c.headers[inj.index]![1])) continue;
        for (const like of findLikeValues(inj.part, policy.country, policy.mccmnc)) {
          // Both rules hold when the shaped value is the known identifier itself: say so, report both.
          const known = needles.known.some((k) => like.digits === k || k.endsWith(like.digits));
          const where =
            inj.kind === 'added'
              ? 'in a header the network added'
              : 'in the part of the header the network changed';
          judge.add(
            'identity-like-value',
            c.probe,
            inj.name,
            `${like.description} (${where}${known ? '; it is the known identifier, see identity-value' : ''})`,
            {
              identifier: LIKE_KIND[like.shape],
              form: 'shape only (not the known identifier)',
              sentBy: 'network',
            },
          );
        }
      }
    }

    for (const inj of injected) {
      if (allow.has(inj.lower)) continue;
      const value = c.headers[inj.index]![1];
      if (isCanary(inj.name, value)) continue;
      // On the partner host identity is expected (policy) or tolerated: only non-identity injections count.
      if (!thirdParty && (enrichment.has(inj.lower) || matchIdentityHeader(inj.name))) continue;
      const preview = inj.kind === 'cookie' ? '' : `; value ${safePreview(inj.part, needles)}`;
      judge.add(
        'unexpected-injection',
        c.probe,
        inj.name,
        `${inj.detail} (${control!.probes.join(', ')}); not in the ${policy.id} allowlist${preview}`,
        { sentBy: 'network' },
      );
    }

    if (c.role === 'partner' && !c.tls) {
      partnerPlain++;
      for (const want of policy.partnerEnrichment) {
        const got = c.headers.find(([n, v]) => n.toLowerCase() === want && v.trim() !== '');
        if (!got) {
          judge.add(
            'partner-enrichment-missing',
            c.probe,
            want,
            `policy ${policy.id} expects '${want}' on the partner host; not received`,
          );
        }
      }
      if (canary) {
        for (const [name, value] of c.headers) {
          if (isCanary(name, value)) {
            judge.add(
              'spoofable',
              c.probe,
              name,
              `client-sent canary ${maskOpaque(canary.value, 4)} reached the partner host unchanged: the gateway neither stripped nor overwrote it`,
              { sentBy: 'device' },
            );
          }
        }
      }
    }
  }
  if (policy.partnerEnrichment.length > 0 && partnerPlain === 0) {
    judge.add(
      'incomplete',
      '(partner)',
      '(none)',
      `policy ${policy.id} expects partner enrichment but no plain-HTTP partner capture was made`,
    );
  }

  // Attestation: off the bearer, the network-path rules would judge the wrong network: not judged. A leak at
  // the probe host (a known identifier, a catalogue header) is still a leak whatever the path.
  const offPath = [...(input.device?.offBearer ?? []), ...offBearer(captures, policy.attest)];
  for (const o of offPath) judge.add('off-bearer', o.probe, o.header, o.evidence, { sentBy: 'network' });
  const judged =
    offPath.length > 0 ? judge.findings.filter((f) => !ruleInfo(f.rule).pathDependent) : judge.findings;

  const sorted = judged
    .map((f, i) => ({ f, i }))
    .sort((a, b) => ruleRank(a.f.rule) - ruleRank(b.f.rule) || a.i - b.i)
    .map((x) => x.f);
  return {
    verdict: verdictOf(sorted),
    findings: sorted,
    checks: checksOf(sorted, nothingToCheck(input, needles, offPath.length > 0)),
    ipv6Path,
  };
}

/**
 * The IPv6 path: `off` when the policy says so; `checked` when an IPv6 probe arrived (then every planned one
 * must: a path that works but loses probes is incomplete); else `not-checked` (none planned, or none arrived).
 */
function ipv6PathOf(input: EvaluationInput, judge: Judge): Ipv6Path {
  if (input.policy.ipv6 === 'off') return 'off';
  for (const probe of judge.byProbe.keys()) if (isIpv6Probe(probe)) return 'checked';
  return 'not-checked';
}

/**
 * Rules that had nothing to check in this run, with the reason: reported as skipped, never as passed (a
 * vacuous green would read as a control that held).
 */
function nothingToCheck(
  input: EvaluationInput,
  needles: Needles,
  offPath: boolean,
): Partial<Record<RuleId, string>> {
  const { policy, captures, canary } = input;
  const thirdParty = captures.filter((c) => c.role === 'third-party');
  const plainThirdParty = thirdParty.filter((c) => !c.tls);
  const skip: Partial<Record<RuleId, string>> = {};
  if (thirdParty.length === 0) {
    skip['identity-header'] = 'no probe reached the third-party host';
    skip['identity-value'] = 'no probe reached the third-party host';
  } else if (needles.empty) {
    skip['identity-value'] = 'no identifier (MSISDN, IMSI, IMEI) is known for this handset';
  }
  if (plainThirdParty.length === 0) {
    skip['identity-like-value'] = 'no plain-HTTP probe reached the third-party host';
  }
  if (!captures.some((c) => !c.tls) || !captures.some((c) => c.tls)) {
    skip['unexpected-injection'] = 'no plain-HTTP probe with an HTTPS capture to compare it with';
  }
  if (policy.partnerEnrichment.length === 0) {
    skip['partner-enrichment-missing'] = `the ${policy.id} policy expects no partner enrichment`;
  }
  if (!canary) skip.spoofable = 'no spoof canary was sent';
  else if (!captures.some((c) => c.role === 'partner' && !c.tls)) {
    skip.spoofable = 'no plain-HTTP probe reached the partner host';
  }
  // Drift is judged against a baseline after the verdict (drift.ts), never by evaluate itself.
  skip.drift = NO_BASELINE;
  if (!policy.attest && !input.device)
    skip['off-bearer'] = `attestation is off for ${policy.id} (its policy has no attest)`;
  if (offPath) {
    for (const r of RULES) if (r.pathDependent) skip[r.id] = 'not judged: the traffic was not on the bearer';
  }
  return skip;
}

/**
 * Each rule's status from the findings: failed or broken when it has findings, else skipped when it had
 * nothing to check, else passed. A run that is missing probes passes no rule: what was not captured was not
 * checked, so a rule without findings is broken too (checked on what arrived only).
 */
export function checksOf(
  findings: readonly Finding[],
  skipped: Partial<Record<RuleId, string>>,
): RuleCheck[] {
  const probesOf = (rule: RuleId) => new Set(findings.filter((f) => f.rule === rule).map((f) => f.probe));
  const missing = probesOf('incomplete');
  const offPath = probesOf('off-bearer');
  // Why a rule without findings is no pass either, when the run is broken.
  const notAPass =
    missing.size > 0
      ? `checked on what arrived only: ${missing.size} planned probe(s) not captured`
      : offPath.size > 0
        ? 'not on the bearer: no finding here says nothing about the bearer'
        : undefined;
  return RULES.map((r): RuleCheck => {
    if (findings.some((f) => f.rule === r.id))
      return { rule: r.id, status: r.outcome === 'fail' ? 'failed' : 'broken', reason: null };
    const why = skipped[r.id];
    if (why) return { rule: r.id, status: 'skipped', reason: why };
    if (notAPass) return { rule: r.id, status: 'broken', reason: notAPass };
    return { rule: r.id, status: 'passed', reason: null };
  });
}

/**
 * fail if any finding of a rule whose outcome is `fail` (a leak, a policy failure); otherwise broken if any
 * finding at all (something could not be checked); otherwise pass.
 */
export function verdictOf(findings: readonly Finding[]): Verdict {
  if (findings.some((f) => ruleInfo(f.rule).outcome === 'fail')) return 'fail';
  if (findings.length > 0) return 'broken';
  return 'pass';
}

/**
 * The HTTPS control of each plain-HTTP capture of one run: its twin, else same-role HTTPS captures (same host
 * first). Shared by the verdict and the baseline view (observed.ts), so both see the same injections.
 */
export class ControlIndex {
  readonly byProbe = new Map<string, ScanCapture[]>();
  readonly tlsCaptures: ScanCapture[] = [];
  readonly controls = new Map<string, Control | undefined>();

  constructor(captures: readonly ScanCapture[]) {
    for (const c of captures) {
      const list = this.byProbe.get(c.probe);
      if (list) list.push(c);
      else this.byProbe.set(c.probe, [c]);
      if (c.tls) this.tlsCaptures.push(c);
    }
  }

  /** The HTTPS control of a plain-HTTP capture: its twin, else same-role HTTPS captures (same host first). */
  controlFor(c: ScanCapture): Control | undefined {
    if (c.twin !== undefined) {
      const key = `twin:${c.twin}`;
      if (this.controls.has(key)) return this.controls.get(key);
      const twins = this.byProbe.get(c.twin)?.filter((t) => t.tls) ?? [];
      if (twins.length > 0) {
        const control = buildControl(twins);
        this.controls.set(key, control);
        return control;
      }
    }
    const host = hostname(c.host);
    const key = `role:${c.role}:${host}`;
    if (this.controls.has(key)) return this.controls.get(key);
    const sameRole = this.tlsCaptures.filter((t) => t.role === c.role);
    const sameHost = sameRole.filter((t) => hostname(t.host) === host);
    const use = sameHost.length > 0 ? sameHost : sameRole;
    const control = use.length > 0 ? buildControl(use) : undefined;
    this.controls.set(key, control);
    return control;
  }

  /** What the network injected into a capture (nothing over TLS, nothing without a control). */
  injectedInto(c: ScanCapture): { control: Control | undefined; injected: Injected[] } {
    const control = c.tls ? undefined : this.controlFor(c);
    return { control, injected: control ? diffAgainstControl(c.headers, control) : [] };
  }
}

/**
 * The state of one evaluate() call. A class rather than closures: under tsx every named closure created per
 * call costs a defineProperty (keepNames), which showed up in profiles.
 */
class Judge extends ControlIndex {
  readonly findings: Finding[] = [];
  readonly seen = new Set<string>();
  /** Browser headers repeat across a run's captures and their twins: scan each distinct value once per call. */
  readonly valueMemo = new Map<string, Hit[]>();

  constructor(
    readonly needles: Needles,
    captures: readonly ScanCapture[],
  ) {
    super(captures);
  }

  /**
   * Record a finding. Last line of defence: header names and probe ids are masked like evidence, and every
   * digit run in a finding is masked, so no finding field can carry a whole identifier.
   */
  add(
    rule: RuleId,
    probe: string,
    rawHeader: string,
    rawEvidence: string,
    detail: Partial<FindingDetail> = {},
  ): void {
    const header = displayName(rawHeader, this.needles);
    // The IPv6 probes' evidence names their path: a gateway's rules may differ per IP family.
    const evidence = maskDigitRuns(isIpv6Probe(probe) ? `${rawEvidence} [IPv6 path]` : rawEvidence);
    const safeProbe = displayName(probe, this.needles);
    const key = `${rule}\u0000${safeProbe}\u0000${header}\u0000${evidence}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.findings.push({
      rule,
      severity: RULE_SEVERITY[rule],
      probe: safeProbe,
      header,
      evidence,
      detail: { identifier: null, form: null, encoding: [], sentBy: null, ...detail },
    });
  }
}

const NEVER = () => false;

/** The drift check's reason when no baseline was given. */
export const NO_BASELINE = 'no baseline to compare with (--baseline FILE)';

/** A test for the exact client-sent canary pair (header name case-insensitive, value trimmed). */
function canaryTest(canary: Canary | undefined): (name: string, value: string) => boolean {
  if (!canary) return NEVER;
  const header = canary.header.toLowerCase();
  const value = canary.value.trim();
  return (n, v) => n.length === header.length && n.toLowerCase() === header && v.trim() === value;
}

function identityHeaders(
  c: ScanCapture,
  isCanary: (n: string, v: string) => boolean,
  control: Control | undefined,
  judge: Judge,
): void {
  for (const [name, value] of c.headers) {
    if (isCanary(name, value)) continue;
    const m = matchIdentityHeader(name);
    if (m) {
      const sender = sentBy(c, control, name, value);
      judge.add(
        'identity-header',
        c.probe,
        name,
        `identity header at the third-party host (${m.why})${sentByNote(c, sender)}`,
        { sentBy: sender },
      );
    }
    if (name.length === 6 && name.toLowerCase() === 'cookie' && mayHoldIdentityCookie(value)) {
      for (const pair of cookiePairsOf(value)) {
        const cookieName = pair.split('=')[0]!;
        const cm = matchIdentityCookie(cookieName);
        if (cm) {
          judge.add(
            'identity-header',
            c.probe,
            name,
            `identity cookie '${cookieName.trim()}' at the third-party host (${cm.why})`,
            { sentBy: sentBy(c, control, name, value) },
          );
        }
      }
    }
  }
}

function identityValues(c: ScanCapture, needles: Needles, control: Control | undefined, judge: Judge): void {
  const memo = judge.valueMemo;
  if (needles.empty) return;
  for (const [name, value] of c.headers) {
    const inName = findInName(name, needles);
    let inValue = memo.get(value);
    if (inValue === undefined) {
      inValue = findIdentifiers(value, needles);
      memo.set(value, inValue);
    }
    if (inName.length === 0 && inValue.length === 0) continue;
    const sender = sentBy(c, control, name, value);
    for (const [hits, where] of [
      [inName, 'in the header name'],
      [inValue, 'in the header value'],
    ] as const) {
      for (const { evidence, best } of summarise(hits)) {
        judge.add('identity-value', c.probe, name, `${evidence} ${where}${sentByNote(c, sender)}`, {
          ...hitDetail(best),
          sentBy: sender,
        });
      }
    }
  }
  const inUrl = findIdentifiers(c.url, needles);
  for (const { evidence, best } of summarise(inUrl)) {
    // Over TLS only the device could have put it in the URL; over plain HTTP a gateway may rewrite URLs too.
    judge.add(
      'identity-value',
      c.probe,
      '(url)',
      `${evidence} in the URL${c.tls ? `; ${DEVICE_SENT_TLS}` : ''}`,
      {
        ...hitDetail(best),
        sentBy: c.tls ? 'device' : 'unknown',
      },
    );
  }
}

/** A header name (or probe id) fit for a finding: unchanged unless it holds an identifier or a digit run. */
export function displayName(name: string, needles: Needles): string {
  if (name.startsWith('(')) return name;
  if (!needles.empty && findInName(name, needles).length > 0) {
    const known = maskKnown(name, needles.secrets);
    return maskDigitRuns(
      known.replace(/[A-Za-z0-9+/_=-]{12}[A-Za-z0-9+/_=-]*/g, (t) => (/[*…]/.test(t) ? t : maskOpaque(t, 4))),
    );
  }
  return maskDigitRuns(name);
}

/** Header names repeat across runs: their scan is memoised per identity (on its needles), bounded. */
function findInName(name: string, needles: Needles): Hit[] {
  const cached = needles.nameMemo.get(name);
  if (cached) return cached;
  const hits = findIdentifiers(name, needles);
  if (needles.nameMemo.size > 2048) needles.nameMemo.clear();
  needles.nameMemo.set(name, hits);
  return hits;
}

/** One evidence line per identifier kind: the most-decoded hit first, then how many other forms were seen. */
function summarise(hits: readonly Hit[]): { evidence: string; best: Hit }[] {
  const byKind = new Map<string, Hit[]>();
  for (const h of hits) {
    const list = byKind.get(h.kind);
    if (list) list.push(h);
    else byKind.set(h.kind, [h]);
  }
  const out: { evidence: string; best: Hit }[] = [];
  for (const list of byKind.values()) {
    const best = [...list].sort((a, b) => b.chain.length - a.chain.length)[0]!;
    const others = new Set(list.map(describeHit));
    others.delete(describeHit(best));
    out.push({
      evidence: `${describeHit(best)}${others.size ? ` (+${others.size} other form${others.size > 1 ? 's' : ''})` : ''}`,
      best,
    });
  }
  return out;
}

/** Who sent a header: the device when it came over TLS or also over the HTTPS control, else the network. */
function sentBy(c: ScanCapture, control: Control | undefined, name: string, value: string): SentBy {
  if (c.tls) return 'device';
  if (control?.values.get(name.toLowerCase())?.includes(value)) return 'device';
  return control ? 'network' : 'unknown';
}

function hitDetail(h: Hit): Partial<FindingDetail> {
  return { identifier: h.kind, form: h.form, encoding: [...h.chain] };
}

const LIKE_KIND: Record<LikeHit['shape'], IdentifierKind> = {
  'mobile number': 'MSISDN',
  IMSI: 'IMSI',
  IMEI: 'IMEI',
};

/** A short, masked preview of a header value for evidence: tokens and digit runs masked, length bounded. */
export function safePreview(value: string, needles: Needles): string {
  const known = maskKnown(value, needles.secrets);
  const tokens = known.replace(/[A-Za-z0-9+/_=-]{16}[A-Za-z0-9+/_=-]*/g, (t) => maskOpaque(t, 4));
  const masked = maskDigitRuns(tokens).trim();
  const short = masked.length > 48 ? `${masked.slice(0, 45)}…` : masked;
  return `'${short}' (${value.length} chars)`;
}

function hostname(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const i = h.lastIndexOf(':');
  return i === -1 ? h : h.slice(0, i);
}

export type { Injected };

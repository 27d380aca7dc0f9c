/**
 * The incident record (`headerguard incident`) as data: a pure function over parsed run summaries. What leaked,
 * where (bearer, APN, IP family), when it was first and last seen, who and what was affected, and the first green
 * run after it. Evidence is taken from the summaries' findings (already masked) and never widened.
 */
import { probePlacement } from '../capture/plan/probe-plan.ts';
import { isIpv6Probe } from '../model/capture.ts';
import type { Finding, IdentifierKind, SentBy, Verdict } from '../model/finding.ts';
import {
  type RuleId,
  ruleInfo,
  ruleRank,
  SEVERITY_SCALE,
  type Severity,
  worseSeverity,
} from '../model/rules.ts';
import type { HandsetSummary, RunSummary } from './summary-schema.ts';

/** Where a handset's traffic went, when the summary records it (APN and IP family work is optional input). */
export interface NetworkPath {
  apn: string | null;
  family: string | null;
}

/** One run folder given to `incident`: where it came from, its summary, and per handset id its network path. */
export interface IncidentRun {
  source: string;
  summary: RunSummary;
  paths: Readonly<Record<string, NetworkPath>>;
}

/** A run, as the record names it. */
export interface RunRef {
  runId: string;
  source: string;
  startedAt: string;
  finishedAt: string;
  verdict: Verdict;
  farm: string;
  tag: string | null;
  change: string | null;
  simFault: string | null;
}

/** A run in which something was (or was not) seen: its id and start. */
export interface Sighting {
  runId: string;
  startedAt: string;
}

/** What kind of identifier was exposed and in which form, as the verdict found it. */
export interface Exposure {
  identifier: IdentifierKind | null;
  form: string | null;
  encoding: string[];
  sentBy: SentBy | null;
  /** One masked evidence line for this kind and form, from the first run it was seen in. */
  example: string;
}

/** One header leaking (or failing a rule) on one bearer, APN and IP family, over the runs. */
export interface LeakRecord {
  /** The header as first received (`(url)` when the identifier was in the URL). */
  header: string;
  bearer: string;
  apn: string | null;
  family: string | null;
  rules: RuleId[];
  severity: Severity;
  firstSeen: Sighting;
  lastSeen: Sighting;
  /** Runs it was seen in. */
  runsSeen: number;
  handsets: { id: string; device: string }[];
  /** Probe ids and their kinds (`navigation`, `image`, …; `… over HTTPS` for a TLS twin). */
  probes: string[];
  probeKinds: string[];
  exposures: Exposure[];
  /**
   * The first run after the last sighting in which every handset of this bearer, APN and family was judged
   * `pass` (a broken handset is not green); null when there is none yet.
   */
  firstGreenAfter: Sighting | null;
  /** Seen only through the simulator (a fault replay), not a real network. */
  simulatedOnly: boolean;
}

export interface Incident {
  /** The runs it is built from, oldest first. */
  runs: RunRef[];
  /**
   * Identifier exposures: headers with a finding of a rule filed under the `Identity leak` category (with every
   * other failing finding on the same header, handset and run).
   */
  leaks: LeakRecord[];
  /** Every other failing rule (injections, lost enrichment, spoofable, drift, …), grouped the same way. */
  otherFailures: LeakRecord[];
  /** The first and last run with an exposure; null when none of the runs has one. */
  firstSeen: Sighting | null;
  lastSeen: Sighting | null;
  /** The first run judged `pass` as a whole after the last exposure; null when none (still leaking, or unknown). */
  firstGreenAfter: Sighting | null;
  /** Runs judged broken: times when the network was not (fully) observed. */
  brokenRuns: Sighting[];
  /** Distinct test handsets and bearers with an exposure. */
  handsetsAffected: string[];
  bearersAffected: string[];
}

export const NOT_RECORDED = 'not recorded';

/** The incident record of these runs (any order; a run id given twice is the caller's error to report). */
export function buildIncident(input: readonly IncidentRun[]): Incident {
  const runs = [...input].sort(
    (a, b) =>
      Date.parse(a.summary.startedAt) - Date.parse(b.summary.startedAt) ||
      a.summary.runId.localeCompare(b.summary.runId),
  );
  const leaks = new Groups();
  const others = new Groups();
  for (const run of runs) {
    for (const h of run.summary.handsets) {
      const path = pathOf(run, h);
      // A header that carried an identifier is one exposure, whatever else its findings say (an injection too).
      const exposedHeaders = new Set(
        h.findings.filter((f) => isExposure(f.rule)).map((f) => f.header.toLowerCase()),
      );
      for (const f of h.findings) {
        if (ruleInfo(f.rule).outcome !== 'fail') continue;
        (exposedHeaders.has(f.header.toLowerCase()) ? leaks : others).add(run, h, findingPath(path, h, f), f);
      }
    }
  }
  const leakRecords = leaks.records(runs);
  const exposed = runs.filter((r) =>
    r.summary.handsets.some((h) => h.findings.some((f) => isExposure(f.rule))),
  );
  const first = exposed[0];
  const last = exposed.at(-1);
  const lastIndex = last ? runs.indexOf(last) : -1;
  const green = last ? runs.slice(lastIndex + 1).find((r) => r.summary.verdict === 'pass') : undefined;
  return {
    runs: runs.map(runRef),
    leaks: leakRecords,
    otherFailures: others.records(runs),
    firstSeen: first ? sighting(first) : null,
    lastSeen: last ? sighting(last) : null,
    firstGreenAfter: green ? sighting(green) : null,
    brokenRuns: runs.filter((r) => r.summary.verdict === 'broken').map(sighting),
    handsetsAffected: distinct(leakRecords.flatMap((l) => l.handsets.map((h) => h.id))),
    bearersAffected: distinct(leakRecords.map((l) => l.bearer)),
  };
}

/** Whether a rule's findings are an exposure of subscriber data (the rule table's `Identity leak` category). */
export function isExposure(rule: RuleId): boolean {
  return ruleInfo(rule).category === 'Identity leak';
}

/** A probe's kind in words: `navigation`, `image over HTTPS`; the probe id itself when it is not a planned one. */
export function probeKind(probe: string): string {
  const placement = probePlacement(probe);
  if (!placement) return probe;
  return placement.tls ? `${placement.kind} over HTTPS` : placement.kind;
}

function pathOf(run: IncidentRun, h: HandsetSummary): NetworkPath {
  const recorded = run.paths[h.id] ?? { apn: null, family: null };
  return { apn: h.apn ?? recorded.apn, family: recorded.family };
}

/**
 * The IP family a finding was seen on: its probe says (the `-v6` probes go to the IPv6-only host) once the
 * summary records the IPv6 path (`ipv6Path`, format 3); before that, what the run folder recorded, if anything.
 */
function findingPath(path: NetworkPath, h: HandsetSummary, f: Finding): NetworkPath {
  if (h.ipv6Path === undefined) return path;
  return { ...path, family: isIpv6Probe(f.probe) ? 'IPv6' : 'IPv4' };
}

function runRef(r: IncidentRun): RunRef {
  const s = r.summary;
  return {
    runId: s.runId,
    source: r.source,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    verdict: s.verdict,
    farm: s.farm,
    tag: s.tag,
    change: s.change,
    simFault: s.simFault,
  };
}

function sighting(r: IncidentRun): Sighting {
  return { runId: r.summary.runId, startedAt: r.summary.startedAt };
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/**
 * Per identifier kind, only the exposures of the most severe rule that named it: an MSISDN found as itself
 * (identity-value) makes its `shape only` sighting (identity-like-value) redundant. Header-name exposures stay.
 */
function strongestPerIdentifier(exposures: readonly (Exposure & { rule: RuleId })[]): Exposure[] {
  const best = new Map<string, number>();
  for (const e of exposures) {
    if (e.identifier === null) continue;
    const rank = SEVERITY_SCALE.indexOf(ruleInfo(e.rule).severity);
    best.set(e.identifier, Math.max(best.get(e.identifier) ?? -1, rank));
  }
  return exposures
    .filter(
      (e) =>
        e.identifier === null || SEVERITY_SCALE.indexOf(ruleInfo(e.rule).severity) === best.get(e.identifier),
    )
    .map(({ rule: _rule, ...e }) => e);
}

interface Group {
  header: string;
  bearer: string;
  path: NetworkPath;
  rules: Set<RuleId>;
  severity: Severity;
  /** Runs seen in, by id, in the order met (the runs are walked oldest first). */
  runIds: string[];
  seenIn: IncidentRun[];
  handsets: Map<string, string>;
  probes: Set<string>;
  exposures: Map<string, Exposure & { rule: RuleId }>;
  simulatedOnly: boolean;
}

class Groups {
  private readonly byKey = new Map<string, Group>();

  add(run: IncidentRun, h: HandsetSummary, path: NetworkPath, f: Finding): void {
    const key = [f.header.toLowerCase(), h.bearer, path.apn ?? '', path.family ?? ''].join('\u0000');
    let g = this.byKey.get(key);
    if (!g) {
      g = {
        header: f.header,
        bearer: h.bearer,
        path,
        rules: new Set(),
        severity: f.severity,
        runIds: [],
        seenIn: [],
        handsets: new Map(),
        probes: new Set(),
        exposures: new Map(),
        simulatedOnly: true,
      };
      this.byKey.set(key, g);
    }
    g.rules.add(f.rule);
    g.severity = worseSeverity(g.severity, f.severity);
    if (g.runIds.at(-1) !== run.summary.runId) {
      g.runIds.push(run.summary.runId);
      g.seenIn.push(run);
    }
    g.handsets.set(h.id, h.device);
    g.probes.add(f.probe);
    const { identifier, form, encoding, sentBy } = f.detail;
    const exposureKey = JSON.stringify([identifier, form, encoding, sentBy]);
    if (isExposure(f.rule) && !g.exposures.has(exposureKey))
      g.exposures.set(exposureKey, {
        rule: f.rule,
        identifier,
        form,
        encoding: [...encoding],
        sentBy,
        example: f.evidence,
      });
    if (!(run.summary.simFault !== null || h.gateway.startsWith('sim:'))) g.simulatedOnly = false;
  }

  /** The groups as records, most severe first, then by first sighting and header. */
  records(runs: readonly IncidentRun[]): LeakRecord[] {
    const out = [...this.byKey.values()].map((g): LeakRecord => {
      const first = g.seenIn[0]!;
      const last = g.seenIn.at(-1)!;
      const after = runs.slice(runs.indexOf(last) + 1);
      const green = after.find((r) => greenFor(r, g));
      const probes = [...g.probes];
      return {
        header: g.header,
        bearer: g.bearer,
        apn: g.path.apn,
        family: g.path.family,
        rules: [...g.rules].sort((a, b) => ruleRank(a) - ruleRank(b)),
        severity: g.severity,
        firstSeen: sighting(first),
        lastSeen: sighting(last),
        runsSeen: g.seenIn.length,
        handsets: [...g.handsets].map(([id, device]) => ({ id, device })),
        probes,
        probeKinds: distinct(probes.map(probeKind)),
        exposures: strongestPerIdentifier([...g.exposures.values()]),
        firstGreenAfter: green ? sighting(green) : null,
        simulatedOnly: g.simulatedOnly,
      };
    });
    return out.sort(
      (a, b) =>
        SEVERITY_SCALE.indexOf(b.severity) - SEVERITY_SCALE.indexOf(a.severity) ||
        Date.parse(a.firstSeen.startedAt) - Date.parse(b.firstSeen.startedAt) ||
        a.header.localeCompare(b.header) ||
        a.bearer.localeCompare(b.bearer),
    );
  }
}

/** Green for a group: its bearer, APN and family were checked in this run, and every such handset passed. */
function greenFor(run: IncidentRun, g: Group): boolean {
  const same = run.summary.handsets.filter((h) => {
    const p = pathOf(run, h);
    if (h.bearer !== g.bearer || p.apn !== g.path.apn) return false;
    if (h.ipv6Path === undefined) return p.family === g.path.family;
    // A handset checks IPv4 always, IPv6 only when its IPv6 path was checked.
    return g.path.family !== 'IPv6' || h.ipv6Path === 'checked';
  });
  return same.length > 0 && same.every((h) => h.verdict === 'pass');
}

import type { DriftMode, HandsetView } from '../model/baseline.ts';
import type { Finding, Judgement } from '../model/finding.ts';
import { ruleInfo } from '../model/rules.ts';
import { maskDigitRuns } from '../shared/mask.ts';

/**
 * Drift: what changed between two baseline views of a handset (names and verdicts in, changes and findings
 * out). Pure. Header values never enter: a different `Via` host is no change, a new header name is.
 */
export type Change =
  | { kind: 'handset-new' }
  | { kind: 'handset-gone' }
  | { kind: 'bearer'; before: string; after: string }
  | { kind: 'verdict'; before: string; after: string }
  | { kind: 'probe-missing' | 'probe-new'; probe: string }
  | {
      kind: 'injected-new' | 'injected-gone' | 'enrichment-new' | 'enrichment-gone';
      probe: string;
      header: string;
    };

/** Every change from `before` (the baseline) to `after` (now) of one handset; [] when nothing changed. */
export function compareHandset(before: HandsetView | undefined, after: HandsetView | undefined): Change[] {
  if (!before && !after) return [];
  if (!before) return [{ kind: 'handset-new' }];
  if (!after) return [{ kind: 'handset-gone' }];
  const out: Change[] = [];
  if (before.bearer !== after.bearer)
    out.push({ kind: 'bearer', before: before.bearer, after: after.bearer });
  if (before.verdict !== after.verdict)
    out.push({ kind: 'verdict', before: before.verdict, after: after.verdict });
  const now = new Map(after.probes.map((p) => [p.probe, p]));
  const then = new Map(before.probes.map((p) => [p.probe, p]));
  for (const b of before.probes) {
    const a = now.get(b.probe);
    if (!a) {
      out.push({ kind: 'probe-missing', probe: b.probe });
      continue;
    }
    const probe = b.probe;
    // A header that moved between injected and enrichment is reported once, as enrichment.
    const enrichBefore = new Set(b.enrichment);
    const enrichAfter = new Set(a.enrichment);
    for (const header of setMinus(a.enrichment, b.enrichment))
      out.push({ kind: 'enrichment-new', probe, header });
    for (const header of setMinus(b.enrichment, a.enrichment))
      out.push({ kind: 'enrichment-gone', probe, header });
    for (const header of setMinus(a.injected, b.injected))
      if (!enrichBefore.has(header)) out.push({ kind: 'injected-new', probe, header });
    for (const header of setMinus(b.injected, a.injected))
      if (!enrichAfter.has(header)) out.push({ kind: 'injected-gone', probe, header });
  }
  for (const a of after.probes) if (!then.has(a.probe)) out.push({ kind: 'probe-new', probe: a.probe });
  return out;
}

/** Per handset id (baseline order, then handsets only in `after`), the changes of those that changed. */
export function compareViews(
  before: readonly HandsetView[],
  after: readonly HandsetView[],
): { id: string; bearer: string; changes: Change[] }[] {
  const b = new Map(before.map((h) => [h.id, h]));
  const a = new Map(after.map((h) => [h.id, h]));
  const ids = [...new Set([...b.keys(), ...a.keys()])];
  return ids
    .map((id) => {
      const h = (a.get(id) ?? b.get(id))!;
      return { id, bearer: h.bearer, changes: compareHandset(b.get(id), a.get(id)) };
    })
    .filter((h) => h.changes.length > 0);
}

/** One line per change, as `diff` prints it and a drift finding explains it. */
export function describeChange(c: Change): string {
  switch (c.kind) {
    case 'handset-new':
      return 'handset not in the baseline';
    case 'handset-gone':
      return 'handset in the baseline, not in this run';
    case 'bearer':
      return `bearer ${c.before} in the baseline, ${c.after} now`;
    case 'verdict':
      return `verdict ${c.before} in the baseline, ${c.after} now`;
    case 'probe-missing':
      return `probe ${c.probe} was captured in the baseline, missing now`;
    case 'probe-new':
      return `probe ${c.probe} is captured now, missing in the baseline`;
    case 'injected-new':
      return `'${c.header}' is injected on probe ${c.probe} now, not in the baseline`;
    case 'injected-gone':
      return `'${c.header}' was injected on probe ${c.probe} in the baseline, not now`;
    case 'enrichment-new':
      return `partner enrichment '${c.header}' arrives on probe ${c.probe} now, not in the baseline`;
    case 'enrichment-gone':
      return `partner enrichment '${c.header}' arrived on probe ${c.probe} in the baseline, not now`;
  }
}

/** A change as a `drift` finding (severity from the rule table); `baseline` names it in the evidence. */
export function driftFinding(c: Change, baseline: string): Finding {
  return {
    rule: 'drift',
    severity: ruleInfo('drift').severity,
    probe: 'probe' in c ? c.probe : '(none)',
    header: 'header' in c ? c.header : '(none)',
    evidence: maskDigitRuns(`${describeChange(c)} (baseline ${baseline})`),
    detail: { identifier: null, form: null, encoding: [], sentBy: null },
  };
}

/**
 * A judged handset with its drift: the findings appended (drift is last in the rule table) and the drift
 * check set. With `fail`, drift turns a pass into a fail; a fail stays a fail and a broken handset stays
 * broken (its drift is listed: the run is broken anyway). With `warn`, the verdict is kept and the check
 * reads `warned`. No change: the check passes.
 */
export function withDrift<J extends Judgement>(
  judgement: J,
  changes: readonly Change[],
  mode: DriftMode,
  baseline: string,
): J {
  const findings = changes.map((c) => driftFinding(c, baseline));
  const status =
    findings.length === 0
      ? 'passed'
      : mode === 'warn'
        ? 'warned'
        : judgement.verdict === 'broken'
          ? 'broken'
          : 'failed';
  const reason =
    status === 'warned'
      ? '--drift warn: listed, the verdict is kept'
      : status === 'broken'
        ? 'the handset is broken: its drift is listed, the verdict stays broken'
        : null;
  const verdict = judgement.verdict === 'pass' && status === 'failed' ? 'fail' : judgement.verdict;
  return {
    ...judgement,
    verdict,
    findings: [...judgement.findings, ...findings],
    checks: judgement.checks.map((c) => (c.rule === 'drift' ? { rule: 'drift', status, reason } : c)),
  };
}

function setMinus(xs: readonly string[], ys: readonly string[]): string[] {
  const y = new Set(ys);
  return xs.filter((x) => !y.has(x));
}

import { type Finding, IPV6_PATH_TEXT } from '../model/finding.ts';
import { ruleInfo, ruleRank, SEVERITY_SCALE } from '../model/rules.ts';
import { summariseFindings } from './format-finding.ts';
import type { HandsetSummary, RunSummary } from './summary.ts';

const EVIDENCE_CHARS = 110;

/**
 * One handset's lines under the table: why it is broken (once), then its findings grouped by rule, most severe
 * first, each rule once with one example of its evidence (every finding is in summary.json).
 */
function handsetLines(h: HandsetSummary): string[] {
  const lines = h.verdict === 'broken' && h.failure ? [`  BROKEN: ${h.failure}`] : [];
  const byRule = new Map<Finding['rule'], Finding[]>();
  for (const f of h.findings) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
  const rules = [...byRule.keys()].sort(
    (a, b) =>
      SEVERITY_SCALE.indexOf(ruleInfo(b).severity) - SEVERITY_SCALE.indexOf(ruleInfo(a).severity) ||
      ruleRank(a) - ruleRank(b),
  );
  for (const rule of rules) {
    const findings = byRule.get(rule)!;
    const example = findings[0]!.evidence;
    const shown = example.length > EVIDENCE_CHARS ? `${example.slice(0, EVIDENCE_CHARS - 1)}…` : example;
    const warned =
      h.checks.find((c) => c.rule === rule)?.status === 'warned' ? ' (--drift warn: not failing)' : '';
    lines.push(`  ${ruleInfo(rule).severity.padEnd(8)} ${summariseFindings(findings)}${warned}`);
    lines.push(`           e.g. ${shown}`);
  }
  return lines;
}

/**
 * The end-of-run table: handset, bearer, gateway, verdict, findings (rule × count), then per handset why it is
 * broken and its findings by rule, most severe first. Already masked data only.
 */
export function formatSummaryTable(summary: RunSummary): string {
  // The APN column only when a handset names one: one bearer's APNs are told apart.
  const withApn = summary.handsets.some((h) => h.apn !== null);
  const rows = summary.handsets.map((h) => {
    const counts = new Map<string, number>();
    for (const f of h.findings) counts.set(f.rule, (counts.get(f.rule) ?? 0) + 1);
    const findings = counts.size ? [...counts].map(([rule, n]) => `${rule}×${n}`).join(', ') : '-';
    const apn = withApn ? [h.apn ?? '-'] : [];
    return [h.id, h.bearer, ...apn, h.gateway, h.verdict.toUpperCase(), findings];
  });
  const header = ['handset', 'bearer', ...(withApn ? ['apn'] : []), 'gateway', 'verdict', 'findings'];
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const details = summary.handsets
    .filter((h) => h.findings.length || h.failure)
    .flatMap((h) => [`${h.id} (${h.gateway}):`, ...handsetLines(h)]);
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    ...(details.length ? ['', ...details] : []),
    ...goneLines(summary),
    ...ipv6Lines(summary),
    '',
    `verdict: ${summary.verdict.toUpperCase()}${replayNote(summary)}`,
  ].join('\n');
}

/** Baseline handsets this run lacks (`--baseline`). */
function goneLines(summary: RunSummary): string[] {
  const drift = summary.drift;
  if (!drift || drift.handsetsGone.length === 0) return [];
  const how = drift.mode === 'warn' ? ' (--drift warn: not failing)' : '';
  return [
    '',
    ...drift.handsetsGone.map(
      (h) =>
        `drift: handset ${h.id} (${h.bearer}) is in the baseline ${drift.baselineRunId}, not in this run${how}`,
    ),
  ];
}

/** Handsets whose IPv6 path was not checked, said plainly (an optional IPv6 path that never answered). */
function ipv6Lines(summary: RunSummary): string[] {
  const unchecked = summary.handsets.filter((h) => h.ipv6Path === 'not-checked').map((h) => h.id);
  return unchecked.length ? ['', `${IPV6_PATH_TEXT['not-checked']}: ${unchecked.join(', ')}`] : [];
}

/** A red fault replay must never read like a real leak: say which gateways replayed a fault. */
function replayNote(summary: RunSummary): string {
  if (summary.simFault) return ` (a replay of simulator fault ${summary.simFault}, not a real network)`;
  const replays = summary.handsets.filter((h) => /^sim:[^:]+:/.test(h.gateway)).map((h) => h.gateway);
  return replays.length ? ` (simulator fault replays: ${[...new Set(replays)].join(', ')})` : '';
}

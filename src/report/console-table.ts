import { formatFinding } from './format-finding.ts';
import type { RunSummary } from './summary.ts';

const DETAIL_LINES = 8;

/** The end-of-run table: handset, bearer, verdict, findings (rule × count). Already masked data only. */
export function formatSummaryTable(summary: RunSummary): string {
  const rows = summary.handsets.map((h) => {
    const counts = new Map<string, number>();
    for (const f of h.findings) counts.set(f.rule, (counts.get(f.rule) ?? 0) + 1);
    const findings = counts.size ? [...counts].map(([rule, n]) => `${rule}×${n}`).join(', ') : '-';
    return [h.id, h.bearer, h.gateway, h.verdict.toUpperCase(), findings];
  });
  const header = ['handset', 'bearer', 'gateway', 'verdict', 'findings'];
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const details = summary.handsets
    .filter((h) => h.findings.length)
    .flatMap((h) => [
      `${h.id}:`,
      ...h.findings.slice(0, DETAIL_LINES).map((f) => `  ${formatFinding(f)}`),
      ...(h.findings.length > DETAIL_LINES
        ? [`  … and ${h.findings.length - DETAIL_LINES} more (summary.json)`]
        : []),
    ]);
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    ...(details.length ? ['', ...details] : []),
    '',
    `verdict: ${summary.verdict.toUpperCase()}${replayNote(summary)}`,
  ].join('\n');
}

/** A red fault replay must never read like a real leak: say which gateways replayed a fault. */
function replayNote(summary: RunSummary): string {
  if (summary.simFault) return ` (a replay of simulator fault ${summary.simFault}, not a real network)`;
  const replays = summary.handsets.filter((h) => /^sim:[^:]+:/.test(h.gateway)).map((h) => h.gateway);
  return replays.length ? ` (simulator fault replays: ${[...new Set(replays)].join(', ')})` : '';
}

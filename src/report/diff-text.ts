import { compareViews, describeChange } from '../detect/index.ts';
import type { RunView } from '../model/baseline.ts';
import { maskDigitRuns } from '../shared/mask.ts';

/**
 * `headerguard diff`'s text: per handset that changed, one line per change (names and verdicts only, as the
 * views hold), then a total. `changed` says whether anything did (exit 1) or not (exit 0).
 */
export function diffText(
  a: { label: string; view: RunView },
  b: { label: string; view: RunView },
): { text: string; changed: boolean } {
  const handsets = compareViews(a.view.handsets, b.view.handsets);
  const lines = [`${a.label} (run ${a.view.runId}) -> ${b.label} (run ${b.view.runId})`];
  for (const h of handsets) {
    lines.push(`${h.id} (${h.bearer}):`);
    for (const c of h.changes) lines.push(`  ${describeChange(c)}`);
  }
  const n = handsets.reduce((sum, h) => sum + h.changes.length, 0);
  const compared = new Set([...a.view.handsets, ...b.view.handsets].map((h) => h.id)).size;
  lines.push(
    n === 0
      ? `nothing changed (${compared} handset(s) compared)`
      : `${n} change(s) on ${handsets.length} of ${compared} handset(s)`,
  );
  return { text: maskDigitRuns(lines.join('\n')), changed: n > 0 };
}

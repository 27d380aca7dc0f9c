import type { NotifiableHandset, NotifiableSummary } from '../../src/notify/run-facts.ts';

/** A handset as summary.json has it (the fields notifications read): a pass unless `over` says else. */
export function handset(id: string, over: Partial<NotifiableHandset> = {}): NotifiableHandset {
  return { id, bearer: 'o2', verdict: 'pass', failure: null, findings: [], ...over };
}

/** A failing handset whose findings name these headers (identity-header). */
export function leaking(id: string, ...headers: string[]): NotifiableHandset {
  return handset(id, {
    verdict: 'fail',
    findings: headers.map((header) => ({ rule: 'identity-header', header, evidence: `4477******01` })),
  });
}

/** A run summary over these handsets, its verdict the worst of theirs. */
export function summary(
  handsets: NotifiableHandset[],
  over: Partial<NotifiableSummary> = {},
): NotifiableSummary {
  const verdicts = handsets.map((h) => h.verdict);
  const verdict = verdicts.includes('fail')
    ? 'fail'
    : verdicts.includes('broken') || !verdicts.length
      ? 'broken'
      : 'pass';
  return {
    runId: '2026-12-02T01-00-00-000Z-abc123',
    verdict,
    startedAt: '2026-12-02T01:00:00.000Z',
    finishedAt: '2026-12-02T01:00:30.000Z',
    farm: 'o2',
    tag: null,
    change: null,
    handsets,
    ...over,
  };
}

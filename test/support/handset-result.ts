import { checksOf } from '../../src/detect/evaluate.ts';
import type { HandsetResult } from '../../src/run/handset-result.ts';

/** A worker's result for one handset: a pass judged 2.5 s after its worker started, unless `over` says else. */
export function handsetResult(id: string, over: Partial<HandsetResult> = {}): HandsetResult {
  return {
    id,
    bearer: 'o2',
    device: 'Pixel 7',
    verdict: 'pass',
    findings: [],
    checks: checksOf([], {}),
    failure: null,
    probes: { planned: 16, captured: 16 },
    observed: { verdict: over.verdict ?? 'pass', probes: [] },
    attempts: 1,
    workerStartedAt: '2026-12-01T10:00:00.000Z',
    startedAt: '2026-12-01T10:00:01.000Z',
    finishedAt: '2026-12-01T10:00:02.500Z',
    ...over,
  };
}

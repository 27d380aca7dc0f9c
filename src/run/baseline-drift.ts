import { compareHandset, withDrift } from '../detect/index.ts';
import type { Observed } from '../model/baseline.ts';
import type { HandsetOutcome } from './handset-result.ts';
import type { SessionPlan } from './session.ts';

/**
 * A handset's outcome against the run's baseline (`--baseline`): its drift findings added, by `--drift`. The
 * worker calls it before its rule tests (so Allure and JUnit show the drift test like any other), the launcher
 * for a handset that left no result. Without a baseline the outcome is unchanged (the drift check skipped).
 */
export function againstBaseline(
  outcome: HandsetOutcome,
  observed: Observed,
  handset: { id: string; bearer: string; apn?: string | null | undefined },
  plan: Pick<SessionPlan, 'baselineView' | 'driftMode'>,
): HandsetOutcome {
  const view = plan.baselineView;
  if (!view) return outcome;
  const before = view.handsets.find((h) => h.id === handset.id);
  const changes = compareHandset(before, {
    id: handset.id,
    bearer: handset.bearer,
    apn: handset.apn ?? null,
    ...observed,
  });
  return withDrift(outcome, changes, plan.driftMode ?? 'fail', view.runId);
}

/** The baseline's handsets this run lacks (on the bearers it ran: `--bearer` narrows the comparison too). */
export function handsetsGone(
  plan: Pick<SessionPlan, 'baselineView' | 'bearers' | 'handsetIds'>,
): { id: string; bearer: string; apn: string | null }[] {
  const view = plan.baselineView;
  if (!view) return [];
  const ran = new Set(plan.handsetIds);
  return view.handsets
    .filter((h) => !ran.has(h.id) && (!plan.bearers?.length || plan.bearers.includes(h.bearer)))
    .map(({ id, bearer, apn }) => ({ id, bearer, apn }));
}

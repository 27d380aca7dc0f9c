import { existsSync } from 'node:fs';
import { buildPayload, type NotifyEvent, type RunFacts } from './payload.ts';
import { readSummary } from './run-facts.ts';
import { type Delivery, notifyAll, type WebhookOptions } from './webhook.ts';

/** What is known of a run when its summary.json is missing: its farm, when it started, why it left none. */
export interface RunFallback {
  farm: string;
  startedAt: string;
  reason: string;
}

/** The facts a notification about the run in `runDir` is built from (no summary: the fallback, broken). */
export async function runFacts(runDir: string | undefined, fallback: RunFallback): Promise<RunFacts> {
  const summary = runDir ? await readSummary(runDir) : undefined;
  return {
    ...(summary ? { summary } : {}),
    ...(runDir && existsSync(runDir) ? { report: runDir } : {}),
    fallback: { ...fallback, finishedAt: new Date().toISOString() },
  };
}

/** Notify every webhook of `event` about the run in `runDir`. Never throws; failures are logged. */
export async function notifyRunDir(
  webhooks: readonly URL[],
  event: NotifyEvent,
  runDir: string | undefined,
  fallback: RunFallback,
  options?: WebhookOptions,
): Promise<Delivery[]> {
  return notifyAll(webhooks, buildPayload(event, await runFacts(runDir, fallback)), options);
}

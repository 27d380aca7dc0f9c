import { mkdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Handset } from '../farm/index.ts';
import { nextBuildOrder, writeAllureMetadata } from '../report/allure-files.ts';
import { generateAllureReport, previousHistoryDir } from '../report/allure-generate.ts';
import { saveBaseline } from '../report/baseline-io.ts';
import { formatSummaryTable } from '../report/console-table.ts';
import { toJunitXml } from '../report/junit.ts';
import { buildSummary, type HandsetSummary, type RunSummary } from '../report/summary.ts';
import { writeFileAtomic, writeFileAtomicSync } from '../shared/atomic-write.ts';
import { describeError } from '../shared/errors.ts';
import { maskDigitRuns } from '../shared/mask.ts';
import { say } from '../shared/say.ts';
import { againstBaseline, handsetsGone } from './baseline-drift.ts';
import { gatewayLabel } from './gateway-label.ts';
import {
  type HandsetResult,
  notChecked,
  readHandsetResult,
  readHandsetResultSync,
} from './handset-result.ts';
import type { Session, SessionPlan } from './session.ts';
import { mark } from './timing.ts';

/** Why a handset that left no result is broken, when the launcher knows no better reason. */
export const NO_RESULT =
  'no result from this handset: its browser session did not start or crashed before judging';

/** A handset's line in summary.json, from its worker's result; none (a crashed worker) is broken. */
export function handsetSummary(
  h: Handset,
  r: HandsetResult | undefined,
  gateway: string,
  whyMissing: string = NO_RESULT,
  plan: Pick<SessionPlan, 'baselineView' | 'driftMode'> = {},
): HandsetSummary {
  const base = {
    id: h.id,
    bearer: h.bearer,
    apn: h.apn ?? null,
    device: h.device,
    policy: h.policy,
    gateway,
  };
  if (!r) {
    const observed = { verdict: 'broken' as const, probes: [] };
    const { ipv6Path: _, ...outcome } = againstBaseline(notChecked(whyMissing), observed, h, plan);
    return { ...base, ...outcome, ipv6Path: 'not-checked', observed, durationMs: null, attempts: 0 };
  }
  const durationMs = Math.max(0, Date.parse(r.finishedAt) - Date.parse(r.workerStartedAt));
  return {
    ...base,
    verdict: r.verdict,
    findings: r.findings,
    checks: r.checks,
    ipv6Path: h.policy.ipv6 === 'off' ? 'off' : (r.ipv6Path ?? 'not-checked'),
    failure: r.failure,
    observed: r.observed,
    durationMs: Number.isFinite(durationMs) ? durationMs : null,
    attempts: r.attempts,
  };
}

/** summary.json's content for a session, from its handsets' results (missing ones broken with `whyMissing`). */
export function summaryOf(
  session: Session,
  results: readonly (HandsetResult | undefined)[],
  whyMissing?: string,
): RunSummary {
  const { plan, farm, handsets } = session;
  return buildSummary(
    {
      runId: plan.runId,
      startedAt: plan.startedAt,
      finishedAt: new Date().toISOString(),
      farm: farm.name,
      ...(plan.tag ? { tag: plan.tag } : {}),
      ...(plan.change ? { change: plan.change } : {}),
      ...(plan.simFault ? { simFault: plan.simFault } : {}),
      ...(plan.baselineView
        ? {
            drift: {
              baseline: plan.baselinePath ?? plan.baselineView.runId,
              baselineRunId: plan.baselineView.runId,
              mode: plan.driftMode ?? 'fail',
              handsetsGone: handsetsGone(plan),
            },
          }
        : {}),
    },
    handsets.map((h, i) => handsetSummary(h, results[i], gatewayLabel(h, plan.simFault), whyMissing, plan)),
  );
}

/** summary.json and junit.xml of a run, each path with its text. */
function verdictFiles(runDir: string, summary: RunSummary): [file: string, text: string][] {
  return [
    [path.join(runDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`],
    [path.join(runDir, 'junit.xml'), toJunitXml(summary)],
  ];
}

/**
 * A run stopped by a signal: WebdriverIO's exit hook ends the process once its workers are stopped, before
 * onComplete could run, so the summary and JUnit are written here, synchronously, saying why. No Allure report.
 */
export function writeStoppedSummary(session: Session, why: string): RunSummary {
  const { plan, handsets } = session;
  mkdirSync(plan.runDir, { recursive: true });
  const summary = summaryOf(
    session,
    handsets.map((h) => readHandsetResultSync(plan.runDir, h.id)),
    why,
  );
  for (const [file, text] of verdictFiles(plan.runDir, summary)) writeFileAtomicSync(file, text);
  return summary;
}

/** `--save-baseline`: write it, and say so (or why not) in one line. */
async function writeBaseline(file: string, summary: RunSummary): Promise<string> {
  try {
    await saveBaseline(file, summary);
  } catch (err) {
    return `headerguard: --save-baseline ${file}: not written: ${maskDigitRuns(describeError(err))}`;
  }
  const note =
    summary.verdict === 'pass'
      ? ''
      : `; the run is ${summary.verdict.toUpperCase()}, and the baseline records it`;
  return `baseline: ${file} (${summary.handsets.length} handset(s), header names and verdicts only${note})`;
}

export interface FinishOptions {
  log?: (line: string) => void;
  /** Why every handset without a result is broken (e.g. the launcher could not start what the run needs). */
  whyMissing?: string;
  /** Generates the HTML report; returns a warning or undefined (a seam for tests). */
  generateReport?: typeof generateAllureReport;
}

/**
 * The launcher's last step: the verdict (writeVerdict), then the HTML report (writeHtmlReport). Returns the
 * summary.
 */
export async function finishRun(session: Session, options: FinishOptions = {}): Promise<RunSummary> {
  const summary = await writeVerdict(session, options);
  await writeHtmlReport(session, options);
  return summary;
}

/**
 * Gather every handset's result (missing → broken), write summary.json and junit.xml (and `--save-baseline`),
 * and print the verdict table. Returns the summary.
 */
export async function writeVerdict(session: Session, options: FinishOptions = {}): Promise<RunSummary> {
  const log = options.log ?? say;
  const { plan, handsets } = session;
  await mkdir(plan.runDir, { recursive: true });
  const results = await Promise.all(handsets.map((h) => readHandsetResult(plan.runDir, h.id)));
  const summary = summaryOf(session, results, options.whyMissing);
  // Whole or not at all: a run stopped by a signal writes them again, synchronously, maybe meanwhile.
  for (const [file, text] of verdictFiles(plan.runDir, summary)) await writeFileAtomic(file, text);
  const baselineLine = plan.saveBaselinePath
    ? await writeBaseline(plan.saveBaselinePath, summary)
    : undefined;
  log('');
  log(formatSummaryTable(summary));
  mark('table-printed');
  const shown = path.relative(process.cwd(), plan.runDir);
  log(
    `report: ${shown.startsWith('..') || !shown ? plan.runDir : shown}/ (summary.json, junit.xml, allure-report/index.html)`,
  );
  if (baselineLine) log(baselineLine);
  return summary;
}

/**
 * Allure's metadata (environment, executor, categories) and the HTML report from the workers' Allure results
 * (seconds of Java): after the verdict is on screen, and once every worker has ended (each writes its Allure
 * files last).
 */
export async function writeHtmlReport(session: Session, options: FinishOptions = {}): Promise<void> {
  const log = options.log ?? say;
  const { plan, farm, handsets } = session;
  if (plan.output !== 'quiet') log('headerguard: writing the Allure report…');
  mark('allure-start');
  await writeAllureMetadata(path.join(plan.runDir, 'allure-results'), {
    runId: plan.runId,
    startedAt: plan.startedAt,
    buildOrder: await nextBuildOrder(await previousHistoryDir(plan.reportDir, plan.runId)),
    farm: farm.name,
    ...(plan.tag ? { tag: plan.tag } : {}),
    ...(plan.change ? { change: plan.change } : {}),
    ...(plan.simFault ? { simFault: plan.simFault } : {}),
    handsets: handsets.map((h) => ({
      id: h.id,
      bearer: h.bearer,
      device: h.device,
      mccmnc: h.policy.mccmnc,
      gateway: gatewayLabel(h, plan.simFault),
    })),
  });
  const allureError = await (options.generateReport ?? generateAllureReport)(
    plan.runDir,
    plan.reportDir,
    plan.runId,
  );
  mark('allure-done');
  if (allureError) log(`warning: ${allureError}`);
}

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Handset } from '../farm/index.ts';
import { writeAllureMetadata } from '../report/allure-files.ts';
import { generateAllureReport } from '../report/allure-generate.ts';
import { formatSummaryTable } from '../report/console-table.ts';
import { toJunitXml } from '../report/junit.ts';
import { buildSummary, type HandsetSummary, type RunSummary } from '../report/summary.ts';
import { brokenJudgement, type HandsetResult, readHandsetResult } from './handset-result.ts';
import type { Session } from './session.ts';
import { mark } from './timing.ts';

/** A handset that left no result: its worker or session died before judging. Fail closed. */
export function missingResult(h: Handset): HandsetSummary {
  const { verdict, findings } = brokenJudgement(
    'no result from this handset: its browser session did not start or crashed before judging',
  );
  return { id: h.id, bearer: h.bearer, device: h.device, verdict, findings };
}

function toSummary(h: Handset, r: HandsetResult | undefined): HandsetSummary {
  if (!r) return missingResult(h);
  return { id: h.id, bearer: h.bearer, device: h.device, verdict: r.verdict, findings: r.findings };
}

/**
 * WDIO's `onComplete`: gather every handset's result (missing → broken), write summary.json, junit.xml and
 * Allure's metadata, print the table, then generate the HTML report. Returns the summary.
 */
export async function finishRun(
  session: Session,
  log: (line: string) => void = console.log,
): Promise<RunSummary> {
  const { plan, farm, handsets } = session;
  await mkdir(plan.runDir, { recursive: true });
  const results = await Promise.all(handsets.map((h) => readHandsetResult(plan.runDir, h.id)));
  const summary = buildSummary(
    {
      startedAt: plan.startedAt,
      finishedAt: new Date().toISOString(),
      farm: farm.name,
      tag: plan.tag,
      change: plan.change,
    },
    handsets.map((h, i) => toSummary(h, results[i])),
  );
  await writeFile(path.join(plan.runDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeFile(path.join(plan.runDir, 'junit.xml'), toJunitXml(summary));
  await writeAllureMetadata(path.join(plan.runDir, 'allure-results'), {
    runId: plan.runId,
    farm: farm.name,
    tag: plan.tag,
    change: plan.change,
    handsets: handsets.map((h) => ({
      id: h.id,
      bearer: h.bearer,
      device: h.device,
      mccmnc: h.policy.mccmnc,
    })),
  });
  mark('metadata-written');
  log('');
  log(formatSummaryTable(summary));
  mark('table-printed');
  const shown = path.relative(process.cwd(), plan.runDir);
  log(
    `report: ${shown.startsWith('..') || !shown ? plan.runDir : shown}/ (summary.json, junit.xml, allure-report/index.html)`,
  );
  // The verdict is known and written: print it first, then build the HTML report (seconds of Java).
  mark('allure-start');
  const allureError = await generateAllureReport(plan.runDir, plan.reportDir, plan.runId);
  mark('allure-done');
  if (allureError) log(`warning: ${allureError}`);
  return summary;
}

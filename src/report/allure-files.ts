import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RULES } from '../model/rules.ts';

/**
 * Allure's categories: how a failed or broken test is filed, one per category of the rule table. Failure
 * messages start with `[<rule>]` (see format-finding.ts); a broken test with no rule in its message is one
 * whose session could not run at all.
 */
export interface AllureCategory {
  name: string;
  matchedStatuses: ('failed' | 'broken')[];
  messageRegex?: string;
}

export const ALLURE_CATEGORIES: readonly AllureCategory[] = [
  ...[...new Set(RULES.map((r) => r.category))].map((name) => {
    const rules = RULES.filter((r) => r.category === name);
    return {
      name,
      matchedStatuses: [...new Set(rules.map((r) => (r.outcome === 'fail' ? 'failed' : 'broken')))],
      messageRegex: `.*\\[(${rules.map((r) => r.id).join('|')})\\].*`,
    };
  }),
  { name: 'Broken: device or session', matchedStatuses: ['broken'] },
];

export interface AllureRunInfo {
  runId: string;
  /** When the run started (ISO-8601): the trend's label for it. */
  startedAt: string;
  /** This run's place in the report dir's Allure trend (see nextBuildOrder). */
  buildOrder: number;
  farm: string;
  tag?: string;
  change?: string;
  simFault?: string;
  reportUrl?: string;
  handsets: { id: string; bearer: string; device: string; mccmnc: string[]; gateway: string }[];
}

/** categories.json, executor.json and environment.properties: what @wdio/allure-reporter does not write. */
export async function writeAllureMetadata(resultsDir: string, info: AllureRunInfo): Promise<void> {
  await mkdir(resultsDir, { recursive: true });
  await writeFile(
    path.join(resultsDir, 'categories.json'),
    `${JSON.stringify(ALLURE_CATEGORIES, null, 2)}\n`,
  );
  const executor = {
    name: 'headerguard',
    type: 'headerguard',
    buildName: `${info.farm} ${info.startedAt.slice(0, 16).replace('T', ' ')}${info.tag ? ` ${info.tag}` : ''}`,
    buildOrder: info.buildOrder,
    reportName: `headerguard: ${info.farm}${info.change ? ` — change ${info.change}` : ''}`,
    ...(info.reportUrl ? { reportUrl: info.reportUrl } : {}),
  };
  await writeFile(path.join(resultsDir, 'executor.json'), `${JSON.stringify(executor, null, 2)}\n`);
  const env: [string, string][] = [
    ['farm', info.farm],
    ['run', info.runId],
    ['tag', info.tag ?? '-'],
    ['change', info.change ?? '-'],
    ['simulator fault', info.simFault ? `${info.simFault} (a replay, not a real network)` : '-'],
    ['host', os.hostname()],
    ['node', process.version],
    ...info.handsets.map((h): [string, string] => [
      `handset.${h.id}`,
      `${h.device} on ${h.bearer} (${h.mccmnc.join(', ')}) through ${h.gateway}`,
    ]),
  ];
  const props = env.map(([k, v]) => `${k.replace(/[=:\s]/g, '_')}=${v.replace(/\n/g, ' ')}`).join('\n');
  await writeFile(path.join(resultsDir, 'environment.properties'), `${props}\n`);
}

/**
 * The next build order of a report dir's Allure trend: one more than the newest earlier run's (from its
 * carried history-trend.json), or 1. Allure orders and labels trend points by it, so each run gets its own
 * point (a date-derived number put every run of a day on one point, labelled "...3200000").
 */
export async function nextBuildOrder(historyDir: string | undefined): Promise<number> {
  if (!historyDir) return 1;
  try {
    const trend = JSON.parse(await readFile(path.join(historyDir, 'history-trend.json'), 'utf8')) as unknown;
    const orders = Array.isArray(trend)
      ? trend
          .map((t) => Number((t as { buildOrder?: unknown }).buildOrder))
          .filter((n) => Number.isSafeInteger(n))
      : [];
    // Orders from before this numbering were epoch milliseconds: start again from 1 after them.
    const max = Math.max(0, ...orders.filter((n) => n < 1e9));
    return max + 1;
  } catch {
    return 1;
  }
}

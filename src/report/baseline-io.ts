import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { RunView } from '../model/baseline.ts';
import { writeFileAtomic } from '../shared/atomic-write.ts';
import { zodErrorLine } from '../shared/config-error.ts';
import { describeError, UserError } from '../shared/errors.ts';
import { BASELINE_KIND, BaselineError, baselineOf, parseBaseline, viewOfSummary } from './baseline-file.ts';
import { type RunSummary, runSummarySchema, SUMMARY_FORMAT_VERSION } from './summary-schema.ts';

/** Write a run's baseline file (`--save-baseline`), atomically: a crash never leaves half a baseline. */
export async function saveBaseline(file: string, summary: RunSummary): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(baselineOf(summary), null, 2)}\n`);
}

/**
 * Reading what `--baseline` and `headerguard diff` compare: a baseline file, a summary.json, or a report folder
 * holding one. Every problem is one line naming the file (and the field), exit 2: a baseline that cannot be
 * read must never compare as "nothing changed".
 */

/** A baseline file (`--baseline FILE`). */
export async function readBaselineFile(file: string, flag = '--baseline'): Promise<RunView> {
  const value = await readJson(file, flag);
  if (!isObject(value) || value.kind !== BASELINE_KIND) {
    throw new UserError(
      `${flag} ${file}: kind: not a headerguard baseline (write one with headerguard run --save-baseline FILE)`,
    );
  }
  return baselineView(value, `${flag} ${file}`);
}

/** A baseline file, a summary.json, or a report folder with a summary.json (`headerguard diff A B`). */
export async function readComparable(where: string): Promise<RunView> {
  let file = where;
  try {
    if ((await stat(where)).isDirectory()) file = path.join(where, 'summary.json');
  } catch (err) {
    throw new UserError(`${where}: cannot be read: ${describeError(err)}`);
  }
  const value = await readJson(file);
  if (isObject(value) && value.kind === BASELINE_KIND) return baselineView(value, file);
  if (!isObject(value) || !Array.isArray(value.handsets)) {
    throw new UserError(`${file}: (top level): not a headerguard summary.json or baseline file`);
  }
  if (value.formatVersion !== SUMMARY_FORMAT_VERSION) {
    throw new UserError(
      `${file}: formatVersion: expected ${SUMMARY_FORMAT_VERSION}, got ${JSON.stringify(value.formatVersion ?? null)} (summaries before format ${SUMMARY_FORMAT_VERSION} carry no header names to compare)`,
    );
  }
  const r = runSummarySchema.safeParse(value);
  if (!r.success) throw new UserError(zodErrorLine(file, r.error, runSummarySchema));
  return viewOfSummary(r.data);
}

function baselineView(value: unknown, file: string): RunView {
  try {
    return parseBaseline(value, file);
  } catch (err) {
    if (err instanceof BaselineError) throw new UserError(err.message);
    throw err;
  }
}

async function readJson(file: string, flag?: string): Promise<unknown> {
  const where = flag ? `${flag} ${file}` : file;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(`${where}: cannot be read: ${describeError(err)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UserError(`${where}: not JSON: ${describeError(err)}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

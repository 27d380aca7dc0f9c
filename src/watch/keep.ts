import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { RUN_ID_STAMP } from '../shared/run-id.ts';

/** A run folder's name: the run id, an ISO timestamp with dashes and a random suffix (src/run/session.ts). */
export const RUN_DIR_NAME = new RegExp(`^${RUN_ID_STAMP}[0-9a-f]+$`);

/** Which run folders to remove so that the newest `keep` stay (names sort by time). */
export function runsToRemove(names: readonly string[], keep: number): string[] {
  const runs = names.filter((n) => RUN_DIR_NAME.test(n)).sort();
  return runs.slice(0, Math.max(0, runs.length - keep));
}

/**
 * Keep the newest `keep` run folders of a report dir; anything not named like a run folder is left alone. The
 * newest kept run holds the Allure history the next run carries forward. Returns the names removed.
 */
export async function pruneRuns(reportDir: string, keep: number): Promise<string[]> {
  let entries: string[];
  try {
    entries = (await readdir(reportDir, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
  const remove = runsToRemove(entries, keep);
  await Promise.all(remove.map((n) => rm(path.join(reportDir, n), { recursive: true, force: true })));
  return remove;
}

import { execFile } from 'node:child_process';
import { cp, readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { describeError } from '../shared/errors.ts';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/** The Allure 2 CLI shipped by allure-commandline (needs a Java runtime; scripts/install-system-deps.sh). */
export function allureBin(): string {
  return path.join(path.dirname(require.resolve('allure-commandline/package.json')), 'dist', 'bin', 'allure');
}

/**
 * The newest earlier run in the same report dir that has an Allure history, so trends carry over. Run ids
 * start with an ISO timestamp, so names sort by time.
 */
export async function previousHistoryDir(
  reportDir: string,
  currentRunId: string,
): Promise<string | undefined> {
  let names: string[];
  try {
    names = await readdir(reportDir);
  } catch {
    return undefined;
  }
  const earlier = names
    .filter((n) => n < currentRunId)
    .sort()
    .reverse();
  for (const name of earlier) {
    const dir = path.join(reportDir, name, 'allure-report', 'history');
    if (
      await stat(dir).then(
        (s) => s.isDirectory(),
        () => false,
      )
    )
      return dir;
  }
  return undefined;
}

/**
 * Generate the HTML report of one run: `allure-report/` (a folder, keeps `history/` for the next run) and
 * `allure-report.html` (one file that opens from file://). Returns an error line instead of throwing.
 */
export async function generateAllureReport(
  runDir: string,
  reportDir: string,
  runId: string,
): Promise<string | undefined> {
  const results = path.join(runDir, 'allure-results');
  const history = await previousHistoryDir(reportDir, runId);
  try {
    if (history) await cp(history, path.join(results, 'history'), { recursive: true });
    const bin = allureBin();
    await run(bin, ['generate', results, '-o', path.join(runDir, 'allure-report'), '--clean'], {
      timeout: 120_000,
    });
    const single = path.join(runDir, '.allure-single');
    await run(bin, ['generate', results, '-o', single, '--clean', '--single-file'], { timeout: 120_000 });
    await cp(path.join(single, 'index.html'), path.join(runDir, 'allure-report.html'));
    await import('node:fs/promises').then((fs) => fs.rm(single, { recursive: true, force: true }));
    return undefined;
  } catch (err) {
    return `allure report not generated: ${describeError(err)}`;
  }
}

import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describeError } from '../shared/errors.ts';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/** Where a run keeps the Allure history that the next run in the same report dir carries forward. */
export const HISTORY_DIR = 'allure-history';

/** The Allure 2 CLI shipped by allure-commandline (needs a Java runtime; scripts/install-system-deps.sh). */
export function allureBin(): string {
  return path.join(path.dirname(require.resolve('allure-commandline/package.json')), 'dist', 'bin', 'allure');
}

/**
 * The newest earlier run in the same report dir that kept an Allure history, so trends carry over. Run ids
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
    const dir = path.join(reportDir, name, HISTORY_DIR);
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
 * JVM options for Allure's generator, a short-lived batch job: the client JIT and the serial collector start
 * faster (measured ~1.3 s -> ~1.05 s per generation on this project's 2-core machine). `ALLURE_OPTS` set by the
 * user wins. The run's session (HEADERGUARD_*) is none of Java's business.
 */
function allureEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('HEADERGUARD_')) delete env[key];
  env.ALLURE_OPTS ??= '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto';
  return env;
}

/**
 * Generate one run's HTML report as a single file, `allure-report/index.html` (opens from file://), and keep
 * the run's Allure history in `allure-history/` for the next run. Allure's own report folder is built in a
 * temporary dir and not kept: its `widgets/summary.json` would sit beside ours and confuse scripts that look
 * for `**\/summary.json`. Returns an error line instead of throwing.
 */
export async function generateAllureReport(
  runDir: string,
  reportDir: string,
  runId: string,
): Promise<string | undefined> {
  const results = path.join(runDir, 'allure-results');
  const history = await previousHistoryDir(reportDir, runId);
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'headerguard-allure-'));
  try {
    if (history) await cp(history, path.join(results, 'history'), { recursive: true });
    const bin = allureBin();
    const env = allureEnv();
    // The two generations read the same results and write to different places: run them side by side.
    await Promise.all([
      run(bin, ['generate', results, '-o', scratch, '--clean'], { timeout: 120_000, env }).then(() =>
        cp(path.join(scratch, 'history'), path.join(runDir, HISTORY_DIR), { recursive: true }),
      ),
      run(bin, ['generate', results, '-o', path.join(runDir, 'allure-report'), '--clean', '--single-file'], {
        timeout: 120_000,
        env,
      }),
    ]);
    return undefined;
  } catch (err) {
    return `allure report not generated: ${describeError(err)}`;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

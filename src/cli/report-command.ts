import { spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { allureBin, generateAllureReport } from '../report/allure-generate.ts';
import { runSummarySchema } from '../report/summary-schema.ts';
import { UserError } from '../shared/errors.ts';
import { EXIT } from '../shared/exit-codes.ts';

/** `headerguard report`: (re)generate a run's Allure report, or serve it. */
export function registerReport(program: Command): Command {
  return program
    .command('report')
    .description("Generate a run's Allure HTML report again, or serve it with --open")
    .argument('[run]', 'run id (a folder of the report dir); default: the newest run')
    .option('--report-dir <dir>', 'report dir', 'reports')
    .option('--open', 'serve the report on localhost and open it (allure open)')
    .action(async (runArg: string | undefined, opts: { reportDir: string; open?: boolean }) => {
      const reportDir = path.resolve(opts.reportDir);
      const runId = runArg ?? (await newestRun(reportDir));
      const runDir = path.join(reportDir, runId);
      if (!(await isDir(path.join(runDir, 'allure-results')))) {
        throw new UserError(
          `report: ${path.join(opts.reportDir, runId)} has no allure-results/ (not a headerguard run?)`,
        );
      }
      if (opts.open) {
        await new Promise<void>((resolve) => {
          const child = spawn(allureBin(), ['open', path.join(runDir, 'allure-report')], {
            stdio: 'inherit',
          });
          child.on('exit', () => resolve());
        });
        return;
      }
      const unfinished = await unfinishedBecause(runDir);
      const error = await generateAllureReport(runDir, reportDir, runId);
      if (error) throw new UserError(error, EXIT.broken);
      console.log(`report: ${path.join(opts.reportDir, runId, 'allure-report', 'index.html')} (one file)`);
      if (unfinished) {
        // A report of a half-done run must not read as a finished one: say so and exit broken.
        console.error(
          `headerguard: warning: run ${runId} ${unfinished}; the report shows only what it recorded`,
        );
        process.exitCode = EXIT.broken;
      }
    });
}

/** Why a run folder is not a finished run (no or unreadable summary.json), or undefined when it is. */
async function unfinishedBecause(runDir: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(runDir, 'summary.json'), 'utf8');
  } catch {
    return 'did not finish (no summary.json: killed or still running?)';
  }
  try {
    if (runSummarySchema.safeParse(JSON.parse(text)).success) return undefined;
  } catch {
    // not JSON: below
  }
  return 'has an unreadable summary.json (not this version of headerguard, or damaged)';
}

async function newestRun(reportDir: string): Promise<string> {
  let names: string[];
  try {
    names = await readdir(reportDir);
  } catch {
    throw new UserError(`report: no report dir ${reportDir}`);
  }
  const runs: string[] = [];
  for (const n of names.sort().reverse())
    if (await isDir(path.join(reportDir, n, 'allure-results'))) runs.push(n);
  if (!runs[0]) throw new UserError(`report: no run in ${reportDir}`);
  return runs[0];
}

const isDir = (p: string) =>
  stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );

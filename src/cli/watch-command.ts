import path from 'node:path';
import type { Command } from 'commander';
import { formatDuration } from '../capture/config/duration.ts';
import { notifyAll, parseWebhookUrl, redactUrl } from '../notify/webhook.ts';
import { parseHandsetTimeout, parseMaxParallel } from '../run/limits.ts';
import { UserError } from '../shared/errors.ts';
import { type ChildRun, startChildRun } from '../watch/child-run.ts';
import { parseCount, parseEvery } from '../watch/every.ts';
import { pruneRuns } from '../watch/keep.ts';
import { watchLoop } from '../watch/loop.ts';
import { addNotifyOption, addRunOptions, optionArgs } from './run-command.ts';

/** Run folders kept by default. */
export const DEFAULT_KEEP = 50;

/** `headerguard watch`: the continuous canary. */
export function registerWatch(program: Command): Command {
  const command = program
    .command('watch')
    .description(
      'Run the farm again and again (a continuous canary): one line per run, a notification on each change of state',
    )
    .option('--every <duration>', 'start a run this long after the previous one started: 30s, 1m, 5m, 1h')
    .option('--keep <n>', `keep the newest N run folders in --report-dir (default: ${DEFAULT_KEEP})`)
    .option('--max-runs <n>', 'stop after N runs (exit code: that of the last run)');
  addNotifyOption(command, 'on each change of state (events "red", "broken", "recovered")');
  const runKeys = addRunOptions(command);
  return command
    .addHelpText(
      'after',
      '\nEvery run option is passed on to each run. Runs never overlap; one that overruns --every starts the next at once.' +
        '\nSIGINT/SIGTERM: stop after the current run (a second one ends it now), exit 0.' +
        '\nExit codes: with --max-runs, that of the last run (0 pass, 1 fail, 3 broken); 2 bad usage or config.',
    )
    .action(async (opts, cmd: Command) => {
      // Checked before the first run: a bad value is one line and exit 2.
      const everyMs = parseEvery(opts.every);
      const keep = parseCount('--keep', opts.keep) ?? DEFAULT_KEEP;
      const maxRuns = parseCount('--max-runs', opts.maxRuns);
      const webhooks = ((opts.notify as string[] | undefined) ?? []).map(parseWebhookUrl);
      parseMaxParallel(opts.maxParallel);
      parseHandsetTimeout(opts.handsetTimeout);
      if (opts.quiet && opts.verbose) throw new UserError('--quiet and --verbose: choose one');
      const reportDir = path.resolve(opts.reportDir as string);
      const runArgs = optionArgs(
        cmd,
        runKeys.filter((k) => k !== 'reportDir'),
      );
      const farm = path.basename(opts.farm as string).replace(/\.(ts|json)$/, '');

      const stop = new AbortController();
      let current: ChildRun | undefined;
      const onSignal = (signal: NodeJS.Signals) => {
        if (!stop.signal.aborted) {
          stop.abort(signal);
          console.log(`headerguard: ${signal}: stopping after the current run (again to stop it now)`);
        } else current?.stop();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      console.log(
        `headerguard: watching ${farm} every ${formatDuration(everyMs)}${maxRuns ? ` for ${maxRuns} run(s)` : ''}; ` +
          `newest ${keep} run(s) kept in ${reportDir}` +
          (webhooks.length ? `; notifying ${webhooks.map((u) => redactUrl(u)).join(', ')}` : ''),
      );
      try {
        process.exitCode = await watchLoop(
          { everyMs, farm, stop: stop.signal, ...(maxRuns ? { maxRuns } : {}) },
          {
            runOnce: () => {
              current = startChildRun(runArgs, reportDir, opts.verbose === true);
              return current.done;
            },
            ...(webhooks.length ? { notify: (payload) => notifyAll(webhooks, payload) } : {}),
            prune: () => pruneRuns(reportDir, keep),
            print: (line) => console.log(line),
          },
        );
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}

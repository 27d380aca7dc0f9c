import type { Command } from 'commander';
import { notifyRunDir } from '../notify/notify-run.ts';
import { parseWebhookUrl } from '../notify/webhook.ts';
import { runFarm } from '../run/launch.ts';
import { DEFAULT_HANDSET_TIMEOUT_S, parseHandsetTimeout, parseMaxParallel } from '../run/limits.ts';
import { currentSession, DEFAULT_FARM, TAGS } from '../run/session.ts';
import { UserError } from '../shared/errors.ts';

/**
 * The options of one run, shared by `run` and `watch` (which passes them on to each run it starts): register a
 * new run option here and `watch` takes it too. Returns the attribute names of the options it added.
 */
export function addRunOptions(command: Command): string[] {
  const before = command.options.length;
  command
    .option('--farm <file>', 'farm file (.ts or .json)', DEFAULT_FARM)
    .option('--bearer <id...>', 'only the handsets on these bearers')
    .option('--report-dir <dir>', 'where reports go (one folder per run)', 'reports')
    .option('--sim-fault <name>', 'apply this bearer-simulator fault to every sim: handset')
    .option(
      '--tag <tag>',
      `why this run happens, e.g. ${TAGS.join(', ')} (lower-case letters, digits, . _ -)`,
    )
    .option('--change <id>', 'the change or maintenance ticket this run checks')
    .option(
      '--max-parallel <n>',
      'handsets checked at once (default: what this machine can hold: min(handsets, 2 x cores, (free memory - 1 GiB) / 512 MiB))',
    )
    .option(
      '--handset-timeout <seconds>',
      `a handset not judged this long after its worker started is broken (default: ${DEFAULT_HANDSET_TIMEOUT_S})`,
    )
    .option('--baseline <file>', 'compare with this baseline: what changed is a drift finding')
    .option('--drift <mode>', 'with --baseline: fail (default: drift fails the run) or warn (listed only)')
    .option('--save-baseline <file>', "write this run's baseline (header names and verdicts, never a value)")
    .option('--quiet', 'print only the verdict table (no live progress)')
    .option('--verbose', "also print WebdriverIO's test output and every handset's steps");
  return command.options.slice(before).map((o) => o.attributeName());
}

/** `--notify <url...>`, on `run` and `watch`. */
export function addNotifyOption(command: Command, what: string): Command {
  return command.option(
    '--notify <url...>',
    `POST a JSON notification to these webhooks ${what} (repeatable; Slack/Teams incoming webhooks show its text)`,
  );
}

/**
 * The command line that gives another `run` the same values of `keys` as this command got on its own command
 * line (defaults left out): `--flag=value`, a variadic option's values one `--flag=value` each.
 */
export function optionArgs(command: Command, keys: readonly string[]): string[] {
  const args: string[] = [];
  for (const option of command.options) {
    const key = option.attributeName();
    if (!keys.includes(key) || command.getOptionValueSource(key) !== 'cli' || !option.long) continue;
    const value: unknown = command.getOptionValue(key);
    if (typeof value === 'boolean') {
      if (value !== option.negate) args.push(option.long);
    } else if (Array.isArray(value)) for (const v of value) args.push(`${option.long}=${String(v)}`);
    else if (value !== undefined) args.push(`${option.long}=${String(value)}`);
  }
  return args;
}

/** `headerguard run`: the suite, on a farm of handsets. */
export function registerRun(program: Command): Command {
  const command = program
    .command('run')
    .description(
      'Browse the probe plan on every handset of a farm through its bearer, judge, and write the report',
    );
  addRunOptions(command);
  addNotifyOption(command, 'when the run has finished (event "finished")');
  return command
    .addHelpText(
      'after',
      '\nExit codes: 0 all pass, 1 a leak or policy failure, 2 bad usage or config, 3 broken (something could not be checked and no leak was seen).',
    )
    .action(async (opts) => {
      // Checked before anything starts: a bad value is one line and exit 2.
      const maxParallel = parseMaxParallel(opts.maxParallel);
      const handsetTimeoutS = parseHandsetTimeout(opts.handsetTimeout);
      if (opts.quiet && opts.verbose) throw new UserError('--quiet and --verbose: choose one');
      const webhooks = ((opts.notify as string[] | undefined) ?? []).map(parseWebhookUrl);
      const startedAt = new Date().toISOString();
      process.exitCode = await runFarm({
        farmPath: opts.farm,
        bearers: opts.bearer,
        simFault: opts.simFault,
        reportDir: opts.reportDir,
        tag: opts.tag,
        change: opts.change,
        ...(maxParallel !== undefined ? { maxParallel } : {}),
        ...(handsetTimeoutS !== undefined ? { handsetTimeoutS } : {}),
        output: opts.quiet ? 'quiet' : opts.verbose ? 'verbose' : 'normal',
        ...(opts.baseline !== undefined ? { baselinePath: opts.baseline } : {}),
        ...(opts.drift !== undefined ? { driftMode: opts.drift } : {}),
        ...(opts.saveBaseline !== undefined ? { saveBaselinePath: opts.saveBaseline } : {}),
      });
      if (webhooks.length > 0) {
        const { plan, farm } = await currentSession();
        await notifyRunDir(webhooks, 'finished', plan.runDir, {
          farm: farm.name,
          startedAt,
          reason: 'the run left no summary.json',
        });
      }
    });
}

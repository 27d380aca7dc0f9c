import type { Command } from 'commander';
import { runFarm } from '../run/launch.ts';
import { DEFAULT_HANDSET_TIMEOUT_S, parseHandsetTimeout, parseMaxParallel } from '../run/limits.ts';
import { DEFAULT_FARM, TAGS } from '../run/session.ts';
import { UserError } from '../shared/errors.ts';

/** `headerguard run`: the suite, on a farm of handsets. */
export function registerRun(program: Command): Command {
  return program
    .command('run')
    .description(
      'Browse the probe plan on every handset of a farm through its bearer, judge, and write the report',
    )
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
    .option('--verbose', "also print WebdriverIO's test output and every handset's steps")
    .addHelpText(
      'after',
      '\nExit codes: 0 all pass, 1 a leak or policy failure, 2 bad usage or config, 3 broken (something could not be checked and no leak was seen).',
    )
    .action(async (opts) => {
      // Checked before anything starts: a bad value is one line and exit 2.
      const maxParallel = parseMaxParallel(opts.maxParallel);
      const handsetTimeoutS = parseHandsetTimeout(opts.handsetTimeout);
      if (opts.quiet && opts.verbose) throw new UserError('--quiet and --verbose: choose one');
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
    });
}

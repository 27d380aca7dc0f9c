import { Command, CommanderError } from 'commander';
import { registerDiff } from './cli/diff-command.ts';
import { registerDoctor } from './cli/doctor-command.ts';
import { registerIncident } from './cli/incident-command.ts';
import { registerProbe } from './cli/probe-command.ts';
import { registerReport } from './cli/report-command.ts';
import { registerRun } from './cli/run-command.ts';
import { registerScan } from './cli/scan-command.ts';
import { registerServe } from './cli/serve-command.ts';
import { registerSim } from './cli/sim-command.ts';
import { registerWatch } from './cli/watch-command.ts';
import { describeError, UserError } from './shared/errors.ts';
import { EXIT } from './shared/exit-codes.ts';
import { maskDigitRuns } from './shared/mask.ts';
import { TOOL } from './shared/tool.ts';

const HELP_HINT = '(run with --help for usage)';

/**
 * Commander's own usage errors in headerguard's style: one line, `headerguard: <what is wrong> (run with
 * --help for usage)`, masked like every other message.
 */
export function usageErrorLine(commanderOutput: string): string {
  const text = commanderOutput
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== HELP_HINT)
    .join(' ')
    .replace(/^error: /, '');
  return `headerguard: ${maskDigitRuns(text)} ${HELP_HINT}\n`;
}

/** Build the `headerguard` program. Each subcommand lives in `src/cli/<name>-command.ts`. */
export function buildProgram(): Command {
  const program = new Command('headerguard')
    .description('Fails whenever a mobile carrier gateway leaks a subscriber identifier or injects a header.')
    .version(TOOL.version)
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(usageErrorLine(str)) });
  for (const register of [
    registerRun,
    registerServe,
    registerSim,
    registerScan,
    registerReport,
    registerIncident,
    registerProbe,
    registerDoctor,
    registerWatch,
    registerDiff,
  ]) {
    const sub = register(program);
    sub.exitOverride().configureOutput({ outputError: (str, write) => write(usageErrorLine(str)) });
  }
  // No "(Did you mean probe?)" after an unknown command: the line stays the documented one (a subcommand
  // still suggests its own options).
  program.showSuggestionAfterError(false);
  return program;
}

/** Run the CLI; resolves to the process exit code. Never throws, never prints a stack trace. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      ) {
        return 0;
      }
      // commander has already printed its one-line message.
      return EXIT.usage;
    }
    if (err instanceof UserError) {
      // Usually one line; a farm file with several mistakes lists them all, a line each.
      for (const line of err.message.split('\n'))
        process.stderr.write(`headerguard: ${maskDigitRuns(line)}\n`);
      return err.exitCode;
    }
    process.stderr.write(`headerguard: internal error: ${maskDigitRuns(describeError(err))}\n`);
    return EXIT.broken;
  }
}

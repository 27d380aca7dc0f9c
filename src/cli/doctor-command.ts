import type { Command } from 'commander';
import { runDoctor } from '../doctor/doctor.ts';
import { doctorExit } from '../doctor/doctor-check.ts';
import { DEFAULT_FARM } from '../run/session.ts';

/** `headerguard doctor`: the preflight before a run; exit 0 all good, 2 bad config, 3 something missing. */
export function registerDoctor(program: Command): Command {
  return program
    .command('doctor')
    .description(
      'check, before a run, everything a farm needs: the farm, the capture endpoint, Chromium, Java, Appium, the Grid, adb',
    )
    .option('--farm <file>', 'farm file (.ts or .json)', DEFAULT_FARM)
    .addHelpText(
      'after',
      '\nOne line per check: "ok   <check>" or "FAIL <check>: <problem> — <what to do>".\nExit codes: 0 all good, 2 bad configuration, 3 something needed is unreachable or missing.',
    )
    .action(async (opts: { farm: string }) => {
      const results = await runDoctor({ farmPath: opts.farm, print: (line) => console.log(line) });
      process.exitCode = doctorExit(results);
    });
}

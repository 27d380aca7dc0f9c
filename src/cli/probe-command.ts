import type { Command } from 'commander';
import { formatSummaryTable } from '../report/console-table.ts';
import { formatFinding } from '../report/format-finding.ts';
import { buildSummary } from '../report/summary.ts';
import { probeFarm, runProbe } from '../run/probe.ts';
import { exitCodeOf } from '../shared/exit-codes.ts';
import { maskDigitRuns } from '../shared/mask.ts';

/** `headerguard probe`: one phone or one gateway, checked outside WebdriverIO; exit codes as `run`. */
export function registerProbe(program: Command): Command {
  return program
    .command('probe')
    .description(
      'check one gateway or one phone quickly: browse the probe plan with Playwright, judge, print the verdict',
    )
    .requiredOption('--bearer <id>', 'the bearer the subscriber is on (o2, giffgaff, tesco or a farm bearer)')
    .requiredOption('--msisdn <number>', "the subscriber's number (or env:VAR)")
    .option('--imsi <number>', "the SIM's IMSI (or env:VAR)")
    .option(
      '--proxy <url>',
      'the gateway to browse through: http://host:port, sim:<bearer>[:<fault>] (the bearer simulator) or direct',
    )
    .option('--emulate <device>', 'a Playwright device name for the emulated handset (default: Pixel 7)')
    .option('--android <serial>', 'Chrome on this ADB-attached Android phone (its own bearer; no --proxy)')
    .option('--capture <url>', 'a deployed capture endpoint (default: an embedded one on loopback)')
    .option('--api-key <key>', "the deployed endpoint's API key (or env:VAR)")
    .option(
      '--accept-insecure-certs',
      "don't check the deployed endpoint's certificate (a lab endpoint's self-signed one)",
    )
    .option('--json', "print the result as JSON (summary.json's handset shape)")
    .addHelpText(
      'after',
      '\nExit codes: 0 pass, 1 a leak or policy failure, 2 bad usage, 3 broken (something could not be checked and no leak was seen).',
    )
    .action(async (opts) => {
      process.env.HEADERGUARD_LOG_LEVEL ??= 'warn'; // the endpoint's and simulator's info lines, as for run
      const farm = probeFarm(opts); // bad flags: one line each, exit 2, before anything starts
      const handset = await runProbe(farm);
      const startedAt = new Date(Date.now() - (handset.durationMs ?? 0)).toISOString();
      const summary = buildSummary(
        { runId: 'probe', startedAt, finishedAt: new Date().toISOString(), farm: 'probe' },
        [handset],
      );
      const judged = summary.handsets[0]!;
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(judged, null, 2)}\n`);
      } else {
        const lines = [formatSummaryTable(summary)];
        // Every finding, a line each; probes that never arrived are named once, on the BROKEN line above.
        const findings = judged.findings.filter((f) => f.rule !== 'incomplete');
        if (findings.length) lines.push('', 'findings:', ...findings.map((f) => `  ${formatFinding(f)}`));
        // Findings are masked by the verdict; the failure lines were masked where they were made. Once more,
        // for any number that reached this output some other way.
        process.stdout.write(`${maskDigitRuns(lines.join('\n'))}\n`);
      }
      process.exitCode = exitCodeOf(summary.verdict);
    });
}

import type { Command } from 'commander';
import { readComparable } from '../report/baseline-io.ts';
import { diffText } from '../report/diff-text.ts';
import { EXIT } from '../shared/exit-codes.ts';

/** `headerguard diff A B`: what changed between two runs or baselines, per handset and probe. */
export function registerDiff(program: Command): Command {
  return program
    .command('diff')
    .description(
      'What changed between two runs (report folders or summary.json files) or baselines: injected and enrichment header names, probes, verdicts, handsets',
    )
    .argument('<a>', 'the earlier run: a report folder, its summary.json, or a baseline file')
    .argument('<b>', 'the later run: a report folder, its summary.json, or a baseline file')
    .addHelpText('after', '\nExit codes: 0 nothing changed, 1 something changed, 2 bad input.')
    .action(async (a: string, b: string) => {
      const [before, after] = await Promise.all([readComparable(a), readComparable(b)]);
      const { text, changed } = diffText({ label: a, view: before }, { label: b, view: after });
      console.log(text);
      process.exitCode = changed ? EXIT.fail : EXIT.pass;
    });
}

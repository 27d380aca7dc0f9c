import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { BUILTIN_POLICIES } from '../../bearers/index.ts';
import { evaluate, parseScanInput, renderTable } from '../detect/index.ts';
import type { Finding, Verdict } from '../model/finding.ts';
import { describeError, UserError } from '../shared/errors.ts';
import { EXIT, exitCodeOf, worstExit } from '../shared/exit-codes.ts';
import { maskDigitRuns } from '../shared/mask.ts';

/** `scan --json` keeps its documented five fields per finding; summary.json also carries `detail`. */
type ScanFinding = Omit<Finding, 'detail'>;
type FileResult =
  | { file: string; verdict: Verdict; findings: ScanFinding[] }
  | { file: string; error: string };

/** Judge one scan file. Bad input becomes `{error}` (one line, masked); nothing here throws. */
export function scanFile(file: string): FileResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? 'unreadable');
    return { file, error: `${file}: cannot read: ${why}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    // V8's message may quote the file's content: keep only the reason before any quotation, and the position.
    const message = describeError(err);
    const pos = /position (\d+)/.exec(message)?.[1];
    const reason = message.split(/, "|, \.\.\.| in JSON|\s+\(line/)[0]!.trim();
    const why = reason && !reason.includes('"') && reason.length < 80 ? `: ${reason}` : '';
    const at = pos === undefined ? '' : ` at ${lineCol(text, Number(pos))}`;
    return { file, error: maskDigitRuns(`${file}: not valid JSON${why}${at}`) };
  }
  try {
    const judgement = evaluate(parseScanInput(json, file, BUILTIN_POLICIES));
    const findings = judgement.findings.map(({ rule, severity, probe, header, evidence }) => ({
      rule,
      severity,
      probe,
      header,
      evidence,
    }));
    return { file, verdict: judgement.verdict, findings };
  } catch (err) {
    // Bad input names its file already; anything else (a defect of the engine) is named here, still one line.
    const message = describeError(err);
    const named = err instanceof UserError ? message : `${file}: could not be judged: ${message}`;
    return { file, error: maskDigitRuns(named) };
  }
}

function lineCol(text: string, pos: number): string {
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  return `line ${line}, column ${pos - before.lastIndexOf('\n')}`;
}

/** `headerguard scan FILE…`: verdicts on saved captures; exit 0 pass, 1 fail, 2 bad input, 3 broken. */
export function registerScan(program: Command): Command {
  return program
    .command('scan')
    .description(
      'judge saved captures: exit 0 pass, 1 fail (a leak or policy failure), 2 bad input, 3 broken (incomplete)',
    )
    .argument('<file...>', 'scan input JSON: {bearer, identity, captures, plan?, canary?}')
    .option('--json', 'print {verdict, findings} (an array of {file, verdict, findings} for several files)')
    .action((files: string[], opts: { json?: boolean }) => {
      // A file's name may hold a subscriber's number (captures saved per subscriber): shown masked.
      const results = files.map((f) => ({ ...scanFile(f), file: maskDigitRuns(f) }));
      const codes: number[] = [];
      for (const r of results) {
        if ('error' in r) {
          process.stderr.write(`headerguard: ${r.error}\n`);
          codes.push(EXIT.usage);
        } else codes.push(exitCodeOf(r.verdict));
      }
      if (opts.json) {
        if (results.length === 1) {
          const r = results[0]!;
          if (!('error' in r))
            process.stdout.write(
              `${JSON.stringify({ verdict: r.verdict, findings: r.findings }, null, 2)}\n`,
            );
        } else {
          process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
        }
      } else {
        for (const r of results) if (!('error' in r)) process.stdout.write(renderTable(r.file, r));
      }
      process.exitCode = worstExit(codes);
    });
}

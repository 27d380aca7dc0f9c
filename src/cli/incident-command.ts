import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { buildIncident, type IncidentRun } from '../report/incident.ts';
import { incidentDocument } from '../report/incident-document.ts';
import { renderIncidentHtml, renderIncidentMarkdown } from '../report/incident-render.ts';
import { readRunFolder, runFoldersOf } from '../report/read-run-folder.ts';
import { UserError } from '../shared/errors.ts';
import { maskDigitRuns } from '../shared/mask.ts';
import { TOOL } from '../shared/tool.ts';

interface IncidentOptions {
  out?: string;
  html?: boolean;
}

/** Where each form goes: Markdown to `--out`, HTML beside it (`.html`); without `--out`, one form on stdout. */
export function incidentOutputs(opts: IncidentOptions): { markdown?: string; html?: string } {
  if (!opts.out) return {};
  const ext = path.extname(opts.out).toLowerCase();
  const base = ext === '.md' || ext === '.html' || ext === '.htm' ? opts.out.slice(0, -ext.length) : opts.out;
  if (ext === '.html' || ext === '.htm')
    return opts.html ? { markdown: `${base}.md`, html: opts.out } : { markdown: opts.out };
  return opts.html ? { markdown: opts.out, html: `${base}.html` } : { markdown: opts.out };
}

/** `headerguard incident DIR... [--out FILE.md] [--html]`: a masked incident record from run folders. */
export function registerIncident(program: Command): Command {
  return program
    .command('incident')
    .description('A masked incident record (first/last seen, affected, first green run) from run folders')
    .argument(
      '<dir...>',
      'run folders (each with summary.json), or report dirs holding them (what watch kept)',
    )
    .option('--out <file>', 'write the Markdown record to FILE.md (default: print it)')
    .option('--html', 'also write a self-contained HTML form beside it (FILE.html; printed without --out)')
    .action(async (dirs: string[], opts: IncidentOptions) => {
      const runs: IncidentRun[] = [];
      const seen = new Map<string, string>();
      const folders = (await Promise.all(dirs.map(runFoldersOf))).flat();
      for (const dir of folders) {
        const run = await readRunFolder(dir, 'incident');
        const earlier = seen.get(run.summary.runId);
        if (earlier !== undefined)
          throw new UserError(`incident: run ${run.summary.runId} given twice (${earlier} and ${dir})`);
        seen.set(run.summary.runId, dir);
        runs.push(run);
      }
      const incident = buildIncident(runs);
      const doc = incidentDocument(incident, { generatedAt: new Date().toISOString(), tool: TOOL });
      const outputs = incidentOutputs(opts);
      if (!outputs.markdown) {
        process.stdout.write(opts.html ? renderIncidentHtml(doc) : renderIncidentMarkdown(doc));
        return;
      }
      const written: string[] = [];
      for (const [file, text] of [
        [outputs.markdown, renderIncidentMarkdown(doc)],
        [outputs.html, outputs.html ? renderIncidentHtml(doc) : undefined],
      ] as const) {
        if (!file || text === undefined) continue;
        try {
          await mkdir(path.dirname(path.resolve(file)), { recursive: true });
          await writeFile(file, text);
        } catch (err) {
          throw new UserError(
            `incident: cannot write ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
          );
        }
        written.push(file);
      }
      const leaks = incident.leaks.length;
      // File names are the user's and may hold digits: masked like every other line.
      console.log(
        maskDigitRuns(
          `incident: ${written.join(' and ')}: ${runs.length} run(s), ${leaks} exposure(s)` +
            (leaks
              ? `, first seen ${incident.firstSeen?.startedAt}, ${incident.firstGreenAfter ? `green again ${incident.firstGreenAfter.startedAt}` : 'not green again yet'}`
              : ''),
        ),
      );
    });
}

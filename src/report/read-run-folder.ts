import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { zodErrorLine } from '../shared/config-error.ts';
import { UserError } from '../shared/errors.ts';
import type { IncidentRun, NetworkPath } from './incident.ts';
import { runSummarySchema } from './summary-schema.ts';

/**
 * Fields a handset may carry beyond this version's summary schema (APN and IP family come with other work):
 * read when they are strings, then set aside so the rest is checked against the schema as it is.
 */
const PATH_FIELDS: Record<keyof NetworkPath, readonly string[]> = {
  apn: ['apn'],
  family: ['family', 'ipFamily'],
};

/**
 * A run folder (or its summary.json) as `incident` reads it. Anything that is not a readable, valid summary is a
 * one-line UserError naming the folder (exit 2): a run is never skipped silently.
 */
export async function readRunFolder(arg: string, command: string): Promise<IncidentRun> {
  const file = (await isDir(arg)) ? path.join(arg, 'summary.json') : arg;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? file === arg
          ? 'no such run folder or summary.json'
          : 'no summary.json (not a finished headerguard run: killed or still running?)'
        : `cannot read ${path.basename(file)} (${code ?? 'unreadable'})`;
    throw new UserError(`${command}: ${arg}: ${why}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    throw new UserError(`${command}: ${file}: not valid JSON (damaged or not a summary.json)`);
  }
  const { rest, paths } = setPathsAside(json);
  const parsed = runSummarySchema.safeParse(rest, { reportInput: true });
  if (!parsed.success)
    throw new UserError(`${command}: ${zodErrorLine(file, parsed.error, runSummarySchema)}`);
  return { source: arg, summary: parsed.data, paths };
}

/**
 * The run folders an argument names: itself (a run folder, or a summary.json), or, for a report dir (no
 * summary.json of its own, but run folders with one below it, as `run --report-dir` and `watch` leave them),
 * every folder in it, sorted. A folder in a report dir without summary.json (a killed run, one still running) is
 * still named, so that reading it fails with its name rather than being skipped.
 */
export async function runFoldersOf(arg: string): Promise<string[]> {
  if (!(await isDir(arg)) || (await exists(path.join(arg, 'summary.json')))) return [arg];
  const entries = await readdir(arg, { withFileTypes: true }).catch(() => []);
  const folders = entries.filter((e) => e.isDirectory()).map((e) => path.join(arg, e.name));
  const runs = await Promise.all(folders.map((f) => exists(path.join(f, 'summary.json'))));
  return runs.some(Boolean) ? folders.sort() : [arg];
}

function setPathsAside(json: unknown): { rest: unknown; paths: Record<string, NetworkPath> } {
  const paths: Record<string, NetworkPath> = {};
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { handsets?: unknown }).handsets))
    return { rest: json, paths };
  const known = new Set(Object.keys(runSummarySchema.shape.handsets.element.shape));
  const handsets = (json as { handsets: unknown[] }).handsets.map((h) => {
    if (typeof h !== 'object' || h === null) return h;
    const copy = { ...(h as Record<string, unknown>) };
    const found: NetworkPath = { apn: null, family: null };
    for (const [field, keys] of Object.entries(PATH_FIELDS) as [keyof NetworkPath, readonly string[]][]) {
      for (const key of keys) {
        const v = copy[key];
        if (typeof v === 'string' && v !== '' && found[field] === null) found[field] = v;
        // Once the schema has the field, it checks it; until then it is read here and set aside.
        if (!known.has(key) && (v === undefined || typeof v === 'string' || v === null)) delete copy[key];
      }
    }
    if (typeof copy.id === 'string') paths[copy.id] = found;
    return copy;
  });
  return { rest: { ...(json as object), handsets }, paths };
}

const isDir = (p: string) =>
  stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

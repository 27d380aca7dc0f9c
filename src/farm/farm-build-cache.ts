import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inputsUnchanged, pruneOldBuilds, recordInputs } from '../../bin/build-cache.js';
import { writeFileAtomicSync } from '../shared/atomic-write.ts';

/**
 * Compiled farm modules kept between runs, in the project's `.cache/farms/`: a farm compiled once (load-module.ts)
 * is imported from its file for as long as neither it nor any local module it imports has changed (their sizes
 * and times, as for the CLI's own build), nor a tsconfig.json above it. One manifest per farm path, one file per
 * compiled content; what no run has used for a day is removed. Where the cache cannot be written the farm is
 * compiled every time, as before.
 */
const CACHE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '.cache', 'farms');

/** Bumped when a compiled farm changes for the same sources (the compile options, its plugins). */
const FORMAT = 1;

const idOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);
const manifestOf = (farm: string) => path.join(CACHE_DIR, `${idOf(farm)}.json`);

interface Manifest {
  format: number;
  farm: string;
  build: string;
  inputs: unknown;
}

/** The compiled file of farm `abs` when it is current, else undefined. */
export function cachedFarmBuild(abs: string): string | undefined {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestOf(abs), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
  if (manifest.format !== FORMAT || manifest.farm !== abs || !/^[0-9a-f]{16}\.mjs$/.test(manifest.build))
    return undefined;
  if (!inputsUnchanged(manifest.inputs, '/')) return undefined;
  const file = path.join(CACHE_DIR, manifest.build);
  try {
    // Marked used, so that pruning spares it (and its manifest).
    const now = new Date();
    utimesSync(file, now, now);
    utimesSync(manifestOf(abs), now, now);
  } catch {
    return undefined;
  }
  return file;
}

/**
 * Keep `code`, farm `abs` compiled at `startedAt` (epoch ms) from `inputs` (absolute paths), and return its file;
 * undefined when the cache cannot be written.
 */
export function saveFarmBuild(
  abs: string,
  code: string,
  inputs: readonly string[],
  startedAt: number,
): string | undefined {
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    pruneOldBuilds(CACHE_DIR);
    const build = `${idOf(code)}.mjs`;
    const file = path.join(CACHE_DIR, build);
    writeFileAtomicSync(file, code);
    const manifest: Manifest = {
      format: FORMAT,
      farm: abs,
      build,
      inputs: recordInputs([...inputs, ...tsconfigsAbove(abs)], '/', startedAt),
    };
    writeFileAtomicSync(manifestOf(abs), JSON.stringify(manifest));
    return file;
  } catch {
    return undefined;
  }
}

/** Every tsconfig.json esbuild could read for this farm (from its folder up), present or not. */
function tsconfigsAbove(abs: string): string[] {
  const found: string[] = [];
  for (let dir = path.dirname(abs); ; dir = path.dirname(dir)) {
    found.push(path.join(dir, 'tsconfig.json'));
    if (path.dirname(dir) === dir) return found;
  }
}

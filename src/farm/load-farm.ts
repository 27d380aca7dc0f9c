import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describeError } from '../shared/errors.ts';
import { importFarmModule } from './load-module.ts';
import { type Farm, FarmError, validateFarm } from './validate-farm.ts';

/**
 * Load a farm file from anywhere: JSON, or TypeScript/JavaScript whose default export is the farm
 * (`defineFarm(...)`).
 * Errors are one line naming the file (and the handset and field where there is one).
 */
export async function loadFarm(file: string, env: NodeJS.ProcessEnv = process.env): Promise<Farm> {
  const abs = path.resolve(file);
  const raw = await readFarmFile(abs, file);
  return validateFarm(raw, file, env);
}

async function readFarmFile(abs: string, shown: string): Promise<unknown> {
  if (abs.endsWith('.json')) {
    let text: string;
    try {
      text = await readFile(abs, 'utf8');
    } catch (err) {
      throw new FarmError(`farm ${shown}: cannot read file (${describeCode(err)})`);
    }
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new FarmError(`farm ${shown}: not valid JSON (${describeError(err)})`);
    }
  }
  if (!/\.(ts|mts|cts|js|mjs|cjs)$/.test(abs)) {
    throw new FarmError(`farm ${shown}: must be a .json, .ts (.mts, .cts) or .js (.mjs, .cjs) file`);
  }
  try {
    await readFile(abs);
  } catch (err) {
    throw new FarmError(`farm ${shown}: cannot read file (${describeCode(err)})`);
  }
  let mod: Record<string, unknown>;
  try {
    mod = await importFarmModule(abs);
  } catch (err) {
    throw new FarmError(`farm ${shown}: cannot load module: ${describeError(err)}`);
  }
  if (mod.default === undefined)
    throw new FarmError(`farm ${shown}: has no default export (export default defineFarm({...}))`);
  return mod.default;
}

function describeCode(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' ? 'no such file' : (code ?? describeError(err));
}

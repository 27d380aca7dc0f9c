import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeError } from '../shared/errors.ts';

/**
 * Import a farm module (`.ts`, `.mts`, `.cts`, `.js`, `.mjs`, `.cjs`) from anywhere and return its exports.
 *
 * An ES module (`.mts`/`.mjs`, or `.ts`/`.js` in a package scope whose package.json says `"type": "module"`, such
 * as the project's `devices/`) is imported directly: the CLI has tsx registered, and the farm then shares the
 * project's modules already loaded (tsImport would load them again, ~0.4 s). Anything else (a `.ts` in /tmp,
 * which Node treats as CommonJS and which tsx cannot `require()` while it imports ESM: "Cannot require() ES
 * Module ... in a cycle"; a `.cts`/`.cjs`) goes through tsx's `tsImport`, which has a loader of its own. Errors are one line, without the `farm <file>: ` prefix; a syntax error keeps its place
 * (`file:line:column`) and message.
 */
export async function importFarmModule(abs: string): Promise<Record<string, unknown>> {
  const esm = /\.m[tj]s$/.test(abs) || (/\.[tj]s$/.test(abs) && packageTypeOf(abs) === 'module');
  let mod: Record<string, unknown>;
  try {
    mod = esm ? await nativeImport(abs) : await viaTsx(abs);
  } catch (err) {
    throw new Error(describeLoadError(err));
  }
  return commonJsInterop(mod);
}

/**
 * A CommonJS module that was TypeScript or ESM (`export default` compiled to `exports.default`, flagged
 * `__esModule`) imports as `{default: {__esModule, default}}`: its exports are the inner object.
 */
function commonJsInterop(mod: Record<string, unknown>): Record<string, unknown> {
  const inner = mod.default as Record<string, unknown> | undefined;
  return inner !== null && typeof inner === 'object' && inner.__esModule === true ? inner : mod;
}

async function nativeImport(abs: string): Promise<Record<string, unknown>> {
  try {
    return await import(pathToFileURL(abs).href);
  } catch (err) {
    // No TypeScript loader in this process (plain node): nothing was evaluated, so tsx may try.
    if ((err as NodeJS.ErrnoException).code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      return await viaTsx(abs);
    }
    throw err;
  }
}

/**
 * tsx's `tsImport`, with a loader of its own. Imported when needed, and dynamically so that it is always tsx's
 * ES-module build: where this file runs as CommonJS (mocha's require() of TypeScript through tsx), a static
 * import would get the CommonJS build, which cannot find its own loader file.
 */
async function viaTsx(abs: string): Promise<Record<string, unknown>> {
  const { tsImport } = await import('tsx/esm/api');
  return await tsImport(pathToFileURL(abs).href, import.meta.url);
}

/** The `type` of the package.json nearest to `file` (`commonjs` when there is none, as Node reads it). */
export function packageTypeOf(file: string): string {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { type?: unknown };
      return pkg.type === 'module' ? 'module' : 'commonjs';
    } catch {
      // no (readable) package.json here: look further up
    }
    if (path.dirname(dir) === dir) return 'commonjs';
  }
}

/**
 * One line for an error thrown while loading a module. esbuild's (through tsx) is several lines:
 * `Transform failed with 2 errors:\n/tmp/f.ts:3:26: ERROR: Expected identifier but found ","\n...`;
 * this keeps the first error whole: `/tmp/f.ts:3:26: Expected identifier but found "," (and 1 more error)`.
 */
export function describeLoadError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const located = message
    .split('\n')
    .map((l) => /^(.+?:\d+:\d+): ERROR: (.*)$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null);
  if (located.length > 0) {
    const [, where, what] = located[0]!;
    const more = located.length - 1;
    return `syntax error at ${where}: ${what}${more > 0 ? ` (and ${more} more error${more === 1 ? '' : 's'})` : ''}`;
  }
  const name = err instanceof Error && err.name !== 'Error' ? `${err.name}: ` : '';
  return `${name}${describeError(err)}`;
}

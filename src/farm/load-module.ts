import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Message, OnResolveArgs, Plugin, PluginBuild, ResolveResult } from 'esbuild';
import { keepModuleUrls } from '../../bin/build-cache.js';
import { describeError } from '../shared/errors.ts';
import { cachedFarmBuild, saveFarmBuild } from './farm-build-cache.ts';

/**
 * Import a farm module (`.ts`, `.mts`, `.cts`, `.js`, `.mjs`, `.cjs`) from anywhere and return its exports.
 *
 * An ES module (`.mts`/`.mjs`, or `.ts`/`.js` in a package scope whose package.json says `"type": "module"`, such
 * as the project's `devices/`) is imported directly where this process loads TypeScript (tsx registered: the
 * farm then shares the project's modules already loaded). The compiled CLI (bin/build-cache.js) has no TypeScript
 * loader: there a TypeScript ES module is compiled in memory with esbuild and imported as JavaScript (tsImport
 * would put the farm and every module it imports through tsx's loader thread, ~0.6 s for devices/simulated.ts).
 * Anything else (a `.ts` in /tmp, which Node treats as CommonJS and which tsx cannot `require()` while it imports
 * ESM: "Cannot require() ES Module ... in a cycle"; a `.cts`/`.cjs`) goes through tsx's `tsImport`, which has a
 * loader of its own. Errors are one line, without the `farm <file>: ` prefix; a syntax error keeps its place
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
    // No TypeScript loader in this process (the compiled CLI, plain node): nothing was evaluated.
    if ((err as NodeJS.ErrnoException).code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      return await compiledImport(abs);
    }
    throw err;
  }
}

/**
 * The farm bundled with the local modules it imports (esbuild) and imported as one module: packages stay
 * external, each resolved from the farm's own folder (so to the same files as a direct import), and every module
 * keeps its own `import.meta.url`. The compiled farm is kept (farm-build-cache.ts): the next run imports it
 * without compiling while its sources are unchanged; where it cannot be kept it is imported as a `data:` module.
 * What the bundle cannot load (a package that is TypeScript itself) fails before anything runs, and tsx's
 * `tsImport` tries.
 */
async function compiledImport(abs: string): Promise<Record<string, unknown>> {
  const cached = cachedFarmBuild(abs);
  if (cached) {
    const url = pathToFileURL(cached).href;
    try {
      return await import(url);
    } catch (err) {
      // A package it imports moved or went (a new `npm ci`): compiled again, which resolves it afresh.
      if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw namingTheFarm(err, url, abs);
    }
  }
  const startedAt = Date.now();
  const esbuild = await import('esbuild');
  const resolveFromFarm: Plugin = {
    name: 'packages-from-the-farm',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === INNER) return undefined;
        if (args.path.startsWith('node:') || isBuiltin(args.path)) return { path: args.path, external: true };
        const found = await resolvedAsEsbuildWould(build, args);
        // Not found: left to Node, which says "Cannot find module '<folder>/node_modules/<name>' imported from
        // <farm>" (a bare name cannot be resolved from the data: module at all).
        if (found.errors.length > 0)
          return {
            path: pathToFileURL(path.join(args.resolveDir, 'node_modules', args.path)).href,
            external: true,
          };
        return { path: pathToFileURL(found.path).href, external: true };
      });
    },
  };
  const dir = path.dirname(abs);
  const result = await esbuild
    .build({
      entryPoints: [abs],
      absWorkingDir: dir,
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      plugins: [resolveFromFarm, projectModulesArePure, keepModuleUrls(/\.[cm]?[jt]s$/)],
      metafile: true,
      logLevel: 'silent',
    })
    .catch((err: unknown) => {
      throw withAbsolutePaths(err, dir);
    });
  const code = result.outputFiles[0]!.text;
  // This file too: a change to how farms are compiled (a plugin, an option) compiles every kept farm again.
  const inputs = [...Object.keys(result.metafile.inputs).map((rel) => path.resolve(dir, rel)), THIS_FILE];
  const kept = saveFarmBuild(abs, code, inputs, startedAt);
  const url = kept
    ? pathToFileURL(kept).href
    : `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`;
  try {
    return await import(url);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_UNKNOWN_FILE_EXTENSION') return await viaTsx(abs);
    throw namingTheFarm(err, url, abs);
  }
}

/** "Cannot find module 'x' imported from data:…" (or from the kept file): the farm's name, not its compiled text. */
function namingTheFarm(err: unknown, url: string, abs: string): unknown {
  if (err instanceof Error) err.message = err.message.replaceAll(url, abs);
  return err;
}

/** Marks a plugin's own look-up (resolvedAsEsbuildWould), which the plugins let esbuild answer. */
const INNER = 'inner';

/** What esbuild itself resolves an import to, asked from inside an onResolve callback. */
function resolvedAsEsbuildWould(build: PluginBuild, args: OnResolveArgs): Promise<ResolveResult> {
  return build.resolve(args.path, {
    kind: args.kind,
    resolveDir: args.resolveDir,
    importer: args.importer,
    pluginData: INNER,
  });
}

const THIS_FILE = fileURLToPath(import.meta.url);
/** headerguard's own modules (`src/`), which a farm imports `defineFarm` and the like from. */
const PROJECT_SRC = path.resolve(path.dirname(THIS_FILE), '..') + path.sep;

/**
 * A farm imports headerguard's own modules for what they export (`defineFarm` and the like), never for a side
 * effect: marked free of side effects, the farm's build keeps only what the farm uses of them. `defineFarm` from
 * `src/farm/index.ts` then comes without the farm schema and validation that file also exports (zod and
 * libphonenumber's metadata, loaded again beside the CLI's own copy: ~0.1 s a run). The CLI validates the farm
 * with its own.
 */
const projectModulesArePure: Plugin = {
  name: 'project-modules-are-pure',
  setup(build) {
    build.onResolve({ filter: /^[./]/ }, async (args) => {
      if (args.pluginData === INNER) return undefined;
      const found = await resolvedAsEsbuildWould(build, args);
      if (found.errors.length > 0 || !found.path.startsWith(PROJECT_SRC)) return undefined;
      return { path: found.path, sideEffects: false };
    });
  },
};

/**
 * tsx's `tsImport`, with a loader of its own. Imported when needed, and dynamically so that it is always tsx's
 * ES-module build: where this file runs as CommonJS (mocha's require() of TypeScript through tsx), a static
 * import would get the CommonJS build, which cannot find its own loader file.
 */
/**
 * esbuild's build errors name files relative to its working folder; tsx's (and so describeLoadError's input)
 * name them as given. The same lines, with each file absolute.
 */
function withAbsolutePaths(err: unknown, dir: string): unknown {
  const errors = (err as { errors?: Message[] }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return err;
  const lines = errors.map((e) =>
    e.location
      ? `${path.resolve(dir, e.location.file)}:${e.location.line}:${e.location.column}: ERROR: ${e.text}`
      : `ERROR: ${e.text}`,
  );
  return new Error(
    `Build failed with ${errors.length} error${errors.length === 1 ? '' : 's'}:\n${lines.join('\n')}`,
  );
}

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

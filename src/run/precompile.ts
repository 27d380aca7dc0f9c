/**
 * The suite's WDIO config and spec, compiled to plain JavaScript before a run, so that WDIO's workers load
 * no TypeScript and need no tsx loader. tsx hooks every module a worker imports (WebdriverIO's own included):
 * measured on this project's 2-core machine, importing @wdio/runner takes ~0.4 s plain and ~0.7 s under tsx,
 * and the spec's own modules ~0.37 s bundled without tsx against ~0.8 s through it.
 *
 * The build (bin/build-cache.js, shared with the CLI's own) lives in `.cache/wdio/<content hash>/` and is
 * reused while its sources are unchanged: a run whose sources did not change starts no esbuild at all.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compiledBuild } from '../../bin/build-cache.js';
import { PROJECT_ROOT } from './session.ts';

export const CACHE_DIR = path.join(PROJECT_ROOT, '.cache', 'wdio');

/** Compile wdio.conf.ts and the spec; resolves to the compiled config's path. Throws when esbuild fails. */
export async function precompileSuite(root: string = PROJECT_ROOT): Promise<string> {
  const dir = await compiledBuild({
    root,
    name: 'wdio',
    entryPoints: {
      'wdio.conf': 'wdio.conf.ts',
      'specs/headerguard.spec': 'specs/headerguard.spec.ts',
      // WDIO itself, both sides: the launcher and its local runner, a worker's script and its test framework.
      launcher: packageFile(root, '@wdio/cli'),
      'local-runner': 'src/run/local-runner.ts',
      worker: packageFile(root, '@wdio/local-runner/run'),
      'mocha-framework': packageFile(root, '@wdio/mocha-framework'),
      // The WebDriver client a worker's session imports by name (WDIO's `automationProtocol`).
      webdriver: packageFile(root, 'webdriver'),
    },
    define: { HEADERGUARD_PRECOMPILED: 'true' },
    bundlePackages: true,
    external: BUNDLE_EXTERNAL,
  });
  return path.join(dir, 'wdio.conf.js');
}

/** WDIO's launcher (`@wdio/cli`) bundled beside a compiled config. */
export function launcherBeside(configFile: string): string {
  return path.join(path.dirname(configFile), 'launcher.js');
}

/**
 * Packages left to node_modules: native addons, packages that start threads or processes from their own files
 * (pino's transports, esbuild, tsx), and optional ones that may not be installed.
 */
const BUNDLE_EXTERNAL = ['better-sqlite3', 'pino', 'pino-*', 'thread-stream', 'esbuild', 'tsx', 'fsevents'];

/**
 * A package's ES module (its `exports` entry for `import`) as a path relative to the project: an entry point
 * of the build. (tsx, which runs the tests, has no `import.meta.resolve`.)
 */
export function packageFile(root: string, specifier: string): string {
  const parts = specifier.split('/');
  const name = parts.slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
  const subpath = ['.', ...parts.slice(name.split('/').length)].join('/');
  for (let dir = root; ; dir = path.dirname(dir)) {
    const pkgDir = path.join(dir, 'node_modules', name);
    const manifest = readJson(path.join(pkgDir, 'package.json'));
    if (manifest) {
      const target = importTarget(
        manifest.exports?.[subpath] ?? (subpath === '.' ? manifest.exports : undefined),
      );
      const file = target ?? (subpath === '.' ? (manifest.module ?? manifest.main) : undefined);
      if (!file) throw new Error(`${specifier}: ${name} exports no ES module for ${subpath}`);
      return path.relative(root, path.join(pkgDir, file));
    }
    if (path.dirname(dir) === dir) throw new Error(`${specifier}: package ${name} is not installed`);
  }
}

interface PackageManifest {
  exports?: Record<string, unknown>;
  module?: string;
  main?: string;
}

function readJson(file: string): PackageManifest | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PackageManifest;
  } catch {
    return undefined;
  }
}

/** The file an `exports` entry gives to `import` (a string, or conditions nested any depth). */
function importTarget(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (!entry || typeof entry !== 'object') return undefined;
  const conditions = entry as Record<string, unknown>;
  for (const key of ['import', 'node', 'default'])
    if (key in conditions) {
      const found = importTarget(conditions[key]);
      if (found) return found;
    }
  return undefined;
}

/**
 * WDIO's launcher adds `--import <tsx>` to NODE_OPTIONS for its workers. With the compiled suite they load
 * JavaScript only: take it out again (before the first worker starts, i.e. in onPrepare).
 */
export function withoutTsxLoader(nodeOptions: string | undefined): string | undefined {
  if (!nodeOptions) return nodeOptions;
  return nodeOptions.replace(/\s*--(?:import|loader)[= ]\S*[\\/]tsx[\\/]dist[\\/]loader\.mjs/g, '').trim();
}

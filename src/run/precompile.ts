/**
 * The suite compiled to plain JavaScript before a run, so that WDIO's processes load no TypeScript and need no
 * tsx loader, and loaded with V8's code cache, so that they do not compile it at every start either.
 *
 * Two CommonJS bundles (bin/build-cache.js, shared with the CLI's own), each one copy of every package its side
 * uses: `launcher-side.cjs` (WDIO's launcher, the bundled local runner, the suite's configuration) and
 * `worker-side.cjs` (WDIO's worker script, the configuration, the spec, the Mocha adapter, the WebDriver
 * client). WDIO imports ES modules by path: small entry files beside them (the config, the spec, the runner, the
 * worker script, the framework, the automation protocol) load their side's bundle through bin/code-cache.js and
 * hand on what WDIO asks for. Measured on this project's 2-core machine: importing @wdio/runner takes ~0.4 s
 * plain and ~0.7 s under tsx; a worker's modules compiled by V8 at each start cost ~0.2 CPU-s more than restored
 * from its code cache.
 *
 * The build lives in `.cache/wdio/<content hash>/` and is reused while its sources are unchanged: a run whose
 * sources did not change starts no esbuild at all.
 */
import path from 'node:path';
import { compiledBuild } from '../../bin/build-cache.js';
import { PROJECT_ROOT } from './session.ts';

export const CACHE_DIR = path.join(PROJECT_ROOT, '.cache', 'wdio');

type Side = 'launcher' | 'worker';

/**
 * An entry file of the compiled suite: loads `side`'s bundle (one instance per process, whichever entry file
 * asks first) and runs `body` with it as `suite`. `depth`: folders below the build folder.
 */
function entryFile(side: Side | 'by-process', body: string, depth = 0): string {
  const up = '../'.repeat(depth);
  const sideExpr =
    side === 'by-process' ? "(process.env.WDIO_WORKER_ID ? 'worker' : 'launcher')" : JSON.stringify(side);
  return [
    '// The compiled suite (src/run/precompile.ts): this side of it, from its CommonJS bundle with its code cache.',
    "import path from 'node:path';",
    `import { loadBundle } from '${up}../../../bin/code-cache.js';`,
    `const side = ${sideExpr};`,
    `const suite = loadBundle(path.join(import.meta.dirname, '${up}' + side + '-side.cjs'), { cacheKey: 'wdio-' + side });`,
    body,
    '',
  ].join('\n');
}

/** What WDIO imports of the compiled suite, by path (wdio-config.ts names them). */
const ENTRY_FILES: Record<string, string> = {
  // Both sides read the configuration: the launcher to plan workers, each worker for its own session.
  'wdio.conf.js': entryFile(
    'by-process',
    'export const config = await suite.wdioConfig({ buildDir: import.meta.dirname });',
  ),
  // Imported by src/run/launch.ts in place of @wdio/cli.
  'launcher.js': entryFile('launcher', 'export const { Launcher } = suite;'),
  'local-runner.js': entryFile('launcher', 'export default suite.BundledLocalRunner;'),
  // Forked by the local runner in place of its own script (src/run/worker-script.ts).
  'worker.js': entryFile('worker', 'await suite.startWorker();'),
  'mocha-framework.js': entryFile(
    'worker',
    'export const { MochaAdapter, adapterFactory } = suite.mochaFramework;\nexport default suite.mochaFramework.default;',
  ),
  'webdriver.js': entryFile('worker', 'export default suite.WebDriver;'),
  'specs/headerguard.spec.js': entryFile('worker', 'await suite.defineHandsetSpec();', 1),
};

/** Compile the suite; resolves to the compiled config's path. Throws when esbuild fails. */
export async function precompileSuite(root: string = PROJECT_ROOT): Promise<string> {
  const dir = await compiledBuild({
    root,
    name: 'wdio',
    entryPoints: {
      'launcher-side': 'src/run/suite-launcher-side.ts',
      'worker-side': 'src/run/suite-worker-side.ts',
    },
    bundlePackages: true,
    format: 'cjs',
    files: ENTRY_FILES,
  });
  return path.join(dir, 'wdio.conf.js');
}

/** WDIO's launcher (`@wdio/cli`) bundled beside a compiled config. */
export function launcherBeside(configFile: string): string {
  return path.join(path.dirname(configFile), 'launcher.js');
}

/**
 * WDIO's launcher adds `--import <tsx>` to NODE_OPTIONS for its workers. With the compiled suite they load
 * JavaScript only: take it out again (before the first worker starts, i.e. in onPrepare).
 */
export function withoutTsxLoader(nodeOptions: string | undefined): string | undefined {
  if (!nodeOptions) return nodeOptions;
  return nodeOptions.replace(/\s*--(?:import|loader)[= ]\S*[\\/]tsx[\\/]dist[\\/]loader\.mjs/g, '').trim();
}

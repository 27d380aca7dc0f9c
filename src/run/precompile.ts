/**
 * The suite's WDIO config and spec, compiled to plain JavaScript before a run, so that WDIO's workers load
 * no TypeScript and need no tsx loader. tsx hooks every module a worker imports (WebdriverIO's own included):
 * measured on this project's 2-core machine, importing @wdio/runner takes ~0.4 s plain and ~0.7 s under tsx,
 * and the spec's own modules ~0.37 s bundled without tsx against ~0.8 s through it.
 *
 * The build (bin/build-cache.js, shared with the CLI's own) lives in `.cache/wdio/<content hash>/` and is
 * reused while its sources are unchanged: a run whose sources did not change starts no esbuild at all.
 */
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
      launcher: '@wdio/cli',
      'local-runner': 'src/run/local-runner.ts',
      worker: '@wdio/local-runner/run',
      'mocha-framework': '@wdio/mocha-framework',
      // The WebDriver client a worker's session imports by name (WDIO's `automationProtocol`).
      webdriver: 'webdriver',
    },
    define: { HEADERGUARD_PRECOMPILED: 'true' },
    bundlePackages: true,
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

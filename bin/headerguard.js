#!/usr/bin/env node
// The `headerguard` command. A fresh clone works right after `npm ci` with no build step: the TypeScript sources
// are compiled on first use and whenever they change (build-cache.js), and run through tsx when they cannot be
// compiled (no esbuild, a read-only checkout) or when HEADERGUARD_TSX=1 asks for it.
import { fileURLToPath } from 'node:url';

/**
 * Packages the CLI leaves to node_modules besides those no build bundles (build-cache.js): Playwright (which
 * finds its own files and drivers), pg's optional native binding, and WebdriverIO (`run` loads it bundled with
 * the suite instead: src/run/precompile.ts). Everything else is in the build, initialised only when first
 * imported (an external package would be imported at start by every command).
 */
const CLI_EXTERNAL = ['pg-native', 'playwright-core', 'webdriverio', '@wdio/*'];

const { main } = await loadCli();
process.exitCode = await main(process.argv);

async function loadCli() {
  if (process.env.HEADERGUARD_TSX !== '1') {
    let dir;
    try {
      const { compiledBuild } = await import('./build-cache.js');
      const root = fileURLToPath(new URL('..', import.meta.url));
      // One file (CommonJS has no chunks): a long-running `serve` never reads its build folder again.
      dir = await compiledBuild({
        root,
        name: 'cli',
        entryPoints: { cli: 'src/cli.ts' },
        bundlePackages: true,
        external: CLI_EXTERNAL,
        // CommonJS, loaded with V8's code cache (code-cache.js): a command does not compile the CLI again.
        format: 'cjs',
      });
    } catch {
      // Not compiled (esbuild missing or failing, the cache not writable): tsx runs the sources, and shows a
      // syntax error in them as it would.
    }
    if (dir) {
      const { loadBundle } = await import('./code-cache.js');
      return loadBundle(`${dir}/cli.cjs`, { cacheKey: cacheKeyOf(process.argv) });
    }
  }
  // Through tsx, `run` spends most of its start loading WebdriverIO's launcher; loaded before tsx's module hooks
  // exist it loads in about half the time (every import through a hook is a round trip to the loader thread).
  // Only for `run`: it installs a SIGINT handler that other subcommands must not get. (Compiled, `run` loads
  // the launcher bundled with the suite instead: src/run/precompile.ts.)
  if (process.argv[2] === 'run' && !process.argv.includes('--help') && !process.argv.includes('-h')) {
    await import('@wdio/cli');
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import('../src/cli.ts');
}

/**
 * The kind of process a command line starts, for the CLI's code cache: each subcommand compiles its own part of
 * the CLI, and `--help` of any compiles little.
 * @param {string[]} argv
 */
function cacheKeyOf(argv) {
  const command = /^[a-z][a-z-]*$/.test(argv[2] ?? '') ? argv[2] : 'none';
  return argv.includes('--help') || argv.includes('-h') ? `${command}-help` : command;
}

/**
 * The suite's WDIO config and spec, compiled to plain JavaScript before a run, so that WDIO's workers load
 * no TypeScript and need no tsx loader. tsx hooks every module a worker imports (WebdriverIO's own included):
 * measured on this project's 2-core machine, importing @wdio/runner takes ~0.4 s plain and ~0.7 s under tsx,
 * and the spec's own modules ~0.37 s bundled without tsx against ~0.8 s through it.
 *
 * The bundle (esbuild, which tsx itself uses) keeps packages external and splits lazily imported modules into
 * chunks, so a worker loads only what it uses. It lives in `.cache/wdio/<content hash>/` inside the project
 * (packages resolve from there), written once per distinct build: concurrent runs share or race harmlessly.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import { PROJECT_ROOT } from './session.ts';

export const CACHE_DIR = path.join(PROJECT_ROOT, '.cache', 'wdio');

/**
 * Modules under src/ find files next to themselves (`import.meta.url`): keep their own location in the bundle.
 * wdio.conf.ts is left alone: it finds the compiled spec next to itself.
 */
const keepModuleUrls: Plugin = {
  name: 'keep-module-urls',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      return {
        contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
        loader: 'ts',
      };
    });
  },
};

/** Compile wdio.conf.ts and the spec; resolves to the compiled config's path. Throws when esbuild fails. */
export async function precompileSuite(root: string = PROJECT_ROOT): Promise<string> {
  const esbuild = await import('esbuild');
  const placeholder = path.join(root, '.cache', 'wdio', 'build');
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: {
      'wdio.conf': path.join(root, 'wdio.conf.ts'),
      'specs/headerguard.spec': path.join(root, 'specs', 'headerguard.spec.ts'),
    },
    outdir: placeholder,
    chunkNames: 'chunks/[name]-[hash]',
    write: false,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    define: { HEADERGUARD_PRECOMPILED: 'true' },
    plugins: [keepModuleUrls],
    logLevel: 'silent',
  });
  const files = result.outputFiles
    .map((f) => ({ rel: path.relative(placeholder, f.path), contents: f.contents }))
    .sort((a, b) => a.rel.localeCompare(b.rel));
  const hash = createHash('sha256');
  for (const f of files) hash.update(f.rel).update('\0').update(f.contents).update('\0');
  const dir = path.join(root, '.cache', 'wdio', hash.digest('hex').slice(0, 16));
  const config = path.join(dir, 'wdio.conf.js');
  if (await exists(config)) {
    // Mark it used, so that pruning spares it.
    await utimes(dir, new Date(), new Date()).catch(() => {});
    await pruneOldBuilds(path.dirname(dir), dir);
    return config;
  }
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  for (const f of files) {
    const out = path.join(tmp, f.rel);
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, f.contents);
  }
  try {
    await rename(tmp, dir);
  } catch (err) {
    // Another run wrote the same build first: use theirs.
    await rm(tmp, { recursive: true, force: true });
    if (!(await exists(config))) throw err;
  }
  await pruneOldBuilds(path.dirname(dir), dir);
  return config;
}

/** A build no run has used for a day is no run's any more (a run is bounded well below that). */
const KEEP_BUILDS_MS = 24 * 3600_000;

async function pruneOldBuilds(cacheDir: string, current: string): Promise<void> {
  try {
    for (const name of await readdir(cacheDir)) {
      const dir = path.join(cacheDir, name);
      if (dir === current) continue;
      const s = await stat(dir);
      if (Date.now() - s.mtimeMs > KEEP_BUILDS_MS) await rm(dir, { recursive: true, force: true });
    }
  } catch {
    // pruning is housekeeping only
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/**
 * WDIO's launcher adds `--import <tsx>` to NODE_OPTIONS for its workers. With the compiled suite they load
 * JavaScript only: take it out again (before the first worker starts, i.e. in onPrepare).
 */
export function withoutTsxLoader(nodeOptions: string | undefined): string | undefined {
  if (!nodeOptions) return nodeOptions;
  return nodeOptions.replace(/\s*--(?:import|loader)[= ]\S*[\\/]tsx[\\/]dist[\\/]loader\.mjs/g, '').trim();
}

import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, utimes } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { CACHE_DIR, launcherBeside, precompileSuite, withoutTsxLoader } from '../../src/run/precompile.ts';

describe('run/precompile: the compiled suite WDIO workers load', () => {
  it('compiles wdio.conf.ts and the spec, with WDIO bundled, to JavaScript that loads no .ts file, once per distinct build', async () => {
    const config = await precompileSuite();
    assert.ok(config.endsWith(`${path.sep}wdio.conf.js`));
    assert.equal(await precompileSuite(), config, 'the same sources give the same build');
    const dir = path.dirname(config);
    assert.equal(launcherBeside(config), path.join(dir, 'launcher.js'));
    const files = (await readdir(dir, { recursive: true })).filter((f) => /\.c?js$/.test(f));
    for (const entry of [
      'launcher',
      'local-runner',
      'worker',
      'mocha-framework',
      'webdriver',
      'specs/headerguard.spec',
    ])
      assert.ok(files.includes(`${path.join(...entry.split('/'))}.js`), entry);
    for (const bundle of ['launcher-side.cjs', 'worker-side.cjs']) assert.ok(files.includes(bundle), bundle);
    const packagesRequired = new Set<string>();
    for (const f of files) {
      const text = await readFile(path.join(dir, f), 'utf8');
      // (A package's JSDoc may name its own .d.ts files: not an import.)
      assert.doesNotMatch(
        text,
        /(from\s+|import\(|require\()["'][^"']+(?<!\.d)\.ts["']/,
        `${f} imports no TypeScript`,
      );
      for (const [, name] of text.matchAll(
        /(?:^import\s[^;]*?from\s*|require\()"((?:@[^/"]+\/)?[^./"][^/"]*)/gm,
      ))
        if (!isBuiltin(name!) && !name!.startsWith('node:')) packagesRequired.add(name!);
    }
    // WebdriverIO and the rest are in the build: a worker loads two large files, not ~950 small ones.
    const optional = ['bufferutil', 'utf-8-validate', 'fsevents', 'pg-native']; // required in a try by ws, chokidar, pg
    assert.deepEqual(
      [...packagesRequired].filter(
        (p) => ![...optional, 'better-sqlite3', 'pino', 'stream-buffers'].includes(p),
      ),
      [],
      'only native addons, pino and stream-buffers (`new Buffer()`: see build-cache.js) are left to node_modules',
    );
  });

  it('removes builds no run has used for a day, and keeps recent ones', async () => {
    const old = path.join(CACHE_DIR, 'test-old-build');
    const recent = path.join(CACHE_DIR, 'test-recent-build');
    await mkdir(old, { recursive: true });
    await mkdir(recent, { recursive: true });
    const twoDaysAgo = new Date(Date.now() - 48 * 3600_000);
    await utimes(old, twoDaysAgo, twoDaysAgo);
    try {
      const config = await precompileSuite();
      const names = await readdir(CACHE_DIR);
      assert.ok(!names.includes('test-old-build'), 'the old build is gone');
      assert.ok(names.includes('test-recent-build'), 'a recent build stays');
      assert.ok(names.includes(path.basename(path.dirname(config))), 'the current build stays');
    } finally {
      await rm(old, { recursive: true, force: true });
      await rm(recent, { recursive: true, force: true });
    }
  });

  it("takes WDIO's tsx loader out of the workers' NODE_OPTIONS and keeps everything else", () => {
    assert.equal(
      withoutTsxLoader('--max-old-space-size=512 --import file:///p/node_modules/tsx/dist/loader.mjs'),
      '--max-old-space-size=512',
    );
    assert.equal(withoutTsxLoader(' --loader /p/node_modules/tsx/dist/loader.mjs'), '');
    assert.equal(withoutTsxLoader('--import ./my-hook.mjs'), '--import ./my-hook.mjs');
    assert.equal(withoutTsxLoader(undefined), undefined);
  });
});

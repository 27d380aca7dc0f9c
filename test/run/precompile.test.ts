import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, utimes } from 'node:fs/promises';
import path from 'node:path';
import { CACHE_DIR, precompileSuite, withoutTsxLoader } from '../../src/run/precompile.ts';

describe('run/precompile: the compiled suite WDIO workers load', () => {
  it('compiles wdio.conf.ts and the spec to JavaScript that loads no .ts file, once per distinct build', async () => {
    const config = await precompileSuite();
    assert.ok(config.endsWith(`${path.sep}wdio.conf.js`));
    assert.equal(await precompileSuite(), config, 'the same sources give the same build');
    const dir = path.dirname(config);
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.js'));
    assert.ok(files.includes(path.join('specs', 'headerguard.spec.js')));
    for (const f of files) {
      const text = await readFile(path.join(dir, f), 'utf8');
      assert.doesNotMatch(text, /(from\s+|import\()["'][^"']+\.ts["']/, `${f} imports no TypeScript`);
    }
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

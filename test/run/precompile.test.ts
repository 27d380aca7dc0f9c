import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { precompileSuite, withoutTsxLoader } from '../../src/run/precompile.ts';

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

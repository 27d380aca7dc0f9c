import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { compiledBuild, keepBuildInUse } from '../../bin/build-cache.js';
import { ROOT, runCli } from '../support/cli.ts';

describe('bin/build-cache: TypeScript compiled once and kept until its sources change', () => {
  let root: string;
  const build = () => compiledBuild({ root, name: 'demo', entryPoints: { main: 'src/main.ts' } });
  const run = async (dir: string) =>
    (await import(`${pathToFileURL(path.join(dir, 'main.js')).href}?t=${Math.random()}`)) as {
      value: string;
      where: string;
    };

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'hg-build-cache-'));
    await mkdir(path.join(root, 'src'));
    await writeFile(path.join(root, 'package.json'), '{"type": "module"}\n');
    await writeFile(path.join(root, 'tsconfig.json'), '{}\n');
    await writeFile(
      path.join(root, 'src', 'main.ts'),
      "import { part } from './part.ts';\nexport const value: string = 'main+' + part;\nexport const where = import.meta.url;\n",
    );
    await writeFile(path.join(root, 'src', 'part.ts'), "export const part: string = 'one';\n");
    // Written well before any build (a source modified while a build runs is not trusted: see below).
    const before = new Date(Date.now() - 10_000);
    for (const f of ['package.json', 'tsconfig.json', 'src/main.ts', 'src/part.ts'])
      await utimes(path.join(root, f), before, before);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('bundles the entry and the local modules it imports; each module keeps its own import.meta.url', async () => {
    const dir = await build();
    assert.ok(dir.startsWith(path.join(root, '.cache', 'demo')));
    const mod = await run(dir);
    assert.equal(mod.value, 'main+one');
    assert.equal(mod.where, pathToFileURL(path.join(root, 'src', 'main.ts')).href);
  });

  it('reuses the build while no source changed, and builds again when one did', async () => {
    const first = await build();
    const manifest = path.join(root, '.cache', 'demo', 'manifest.json');
    const before = await readFile(manifest, 'utf8');
    assert.equal(await build(), first);
    assert.equal(await readFile(manifest, 'utf8'), before, 'a reused build leaves the manifest alone');

    await writeFile(path.join(root, 'src', 'part.ts'), "export const part: string = 'two';\n");
    const second = await build();
    assert.notEqual(second, first);
    assert.equal((await run(second)).value, 'main+two', 'an imported module changed: rebuilt');

    // Same size, other time (a checkout of another branch): built again, to the same content as before.
    await writeFile(path.join(root, 'src', 'part.ts'), "export const part: string = 'one';\n");
    const later = new Date(Date.now() + 5000);
    await utimes(path.join(root, 'src', 'part.ts'), later, later);
    assert.equal(await build(), first, 'the same sources give the same build folder');
  });

  it('does not trust a source modified while it was being built (its time is at or after the build began)', async () => {
    const future = new Date(Date.now() + 60_000);
    await utimes(path.join(root, 'src', 'part.ts'), future, future);
    await build();
    const manifest = path.join(root, '.cache', 'demo', 'manifest.json');
    const { inputs } = JSON.parse(await readFile(manifest, 'utf8')) as { inputs: [string, number, number][] };
    assert.deepEqual(
      inputs.find(([rel]) => rel.endsWith('part.ts'))?.slice(1),
      [-1, -1],
      'recorded as unknown, so the next start builds again',
    );
    assert.ok(
      inputs.some(([rel, size]) => rel.endsWith('main.ts') && size > 0),
      'the others are recorded',
    );
  });

  it('names what does not compile (the caller falls back to tsx), and keeps the last good build', async () => {
    const good = await build();
    await writeFile(path.join(root, 'src', 'part.ts'), 'export const part: string = ;\n');
    await assert.rejects(build(), /part\.ts|Unexpected/);
    await writeFile(path.join(root, 'src', 'part.ts'), "export const part: string = 'one';\n");
    assert.equal(await build(), good);
  });

  it('replaces a folder of the same name that an older version left without its completion marker', async () => {
    const first = await build();
    await rm(path.join(first, '.complete'));
    await rm(path.join(root, '.cache', 'demo', 'manifest.json'));
    assert.equal(await build(), first);
    assert.equal((await run(first)).value, 'main+one');
    assert.ok((await readdir(first)).includes('.complete'));
  });

  it('bundles packages when asked: each keeps its own location (import.meta.url, a CommonJS __dirname); a changed package builds again', async () => {
    const esm = path.join(root, 'node_modules', 'esm-pkg');
    const cjs = path.join(root, 'node_modules', 'cjs-pkg');
    await mkdir(esm, { recursive: true });
    await mkdir(cjs, { recursive: true });
    await writeFile(
      path.join(esm, 'package.json'),
      '{"name": "esm-pkg", "type": "module", "exports": "./index.js"}\n',
    );
    await writeFile(
      path.join(esm, 'index.js'),
      "import { readFileSync } from 'node:fs';\nexport const esmData = readFileSync(new URL('./data.txt', import.meta.url), 'utf8');\n",
    );
    await writeFile(path.join(esm, 'data.txt'), 'esm-v1');
    await writeFile(path.join(cjs, 'package.json'), '{"name": "cjs-pkg", "main": "index.js"}\n');
    await writeFile(
      path.join(cjs, 'index.js'),
      "const fs = require('node:fs');\nconst path = require('node:path');\nexports.cjsData = fs.readFileSync(path.join(__dirname, 'data.txt'), 'utf8');\n",
    );
    await writeFile(path.join(cjs, 'data.txt'), 'cjs-v1');
    await writeFile(
      path.join(root, 'src', 'main.ts'),
      "import { esmData } from 'esm-pkg';\nimport { cjsData } from 'cjs-pkg';\nexport const value: string = esmData + '+' + cjsData;\nexport const where = import.meta.url;\n",
    );
    const before = new Date(Date.now() - 10_000);
    for (const f of ['src/main.ts', 'node_modules/esm-pkg/index.js', 'node_modules/cjs-pkg/index.js'])
      await utimes(path.join(root, f), before, before);
    const bundled = () =>
      compiledBuild({ root, name: 'demo', entryPoints: { main: 'src/main.ts' }, bundlePackages: true });

    const first = await bundled();
    const text = await readFile(path.join(first, 'main.js'), 'utf8');
    assert.doesNotMatch(text, /from\s*["'](esm|cjs)-pkg["']/, 'the packages are in the build');
    assert.equal((await run(first)).value, 'esm-v1+cjs-v1', 'each read the file beside it');
    assert.equal(await bundled(), first, 'unchanged: reused');

    await writeFile(
      path.join(cjs, 'index.js'),
      "const fs = require('node:fs');\nconst path = require('node:path');\nexports.cjsData = fs.readFileSync(path.join(__dirname, 'data.txt'), 'utf8') + '!';\n",
    );
    const second = await bundled();
    assert.notEqual(second, first, 'a package file changed: built again');
    assert.equal((await run(second)).value, 'esm-v1+cjs-v1!');
  });

  it('removes builds no process has used for a day, and keeps the current one', async () => {
    const current = await build();
    const old = path.join(root, '.cache', 'demo', 'old-build');
    await mkdir(old);
    const twoDaysAgo = new Date(Date.now() - 48 * 3600_000);
    await utimes(old, twoDaysAgo, twoDaysAgo);
    await build();
    const names = await readdir(path.join(root, '.cache', 'demo'));
    assert.ok(!names.includes('old-build'));
    assert.ok(names.includes(path.basename(current)));
  });

  it('a build in use stays marked used (so pruning spares it) until its process lets go', async () => {
    const dir = await build();
    const dayAgo = new Date(Date.now() - 30 * 3600_000);
    await utimes(dir, dayAgo, dayAgo);
    const stop = keepBuildInUse(dir, 10);
    await new Promise((r) => setTimeout(r, 60));
    stop();
    assert.ok(Date.now() - (await stat(dir)).mtimeMs < 5_000, 'marked used again');
    await utimes(dir, dayAgo, dayAgo);
    await new Promise((r) => setTimeout(r, 40));
    assert.ok(Date.now() - (await stat(dir)).mtimeMs > 24 * 3600_000, 'no longer once stopped');
  });
});

describe('bin/headerguard.js: the compiled CLI and the tsx one answer alike', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-compiled-cli-'));
    // An ES-module scope, so that a .ts farm here is imported as a module (compiled in memory by the compiled CLI).
    await writeFile(path.join(dir, 'package.json'), '{"type": "module"}\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const both = async (args: string[]) => {
    const compiled = await runCli(args, { env: { HEADERGUARD_TSX: '' } });
    const tsx = await runCli(args, { env: { HEADERGUARD_TSX: '1' } });
    return { compiled, tsx };
  };

  it('--version and a usage error: the same output and exit code; the compiled build was the one used', async () => {
    const started = Date.now();
    for (const args of [['--version'], ['run', '--max-parallel', 'x']]) {
      const { compiled, tsx } = await both(args);
      assert.deepEqual(compiled, tsx, args.join(' '));
    }
    const cache = path.join(ROOT, '.cache', 'cli');
    const { build } = JSON.parse(await readFile(path.join(cache, 'manifest.json'), 'utf8')) as {
      build: string;
    };
    const used = await stat(path.join(cache, build));
    assert.ok(
      used.mtimeMs >= started - 1000,
      'the compiled CLI marked its build used (it did not fall back to tsx)',
    );
    // One bundle: a long-running serve never loads a chunk from a folder that may be pruned meanwhile. Beside
    // it, what its import()s go through and its code caches.
    const files = (await readdir(path.join(cache, build))).filter((f) => !f.endsWith('.cache')).sort();
    assert.deepEqual(files, ['.complete', 'cli.cjs', 'dynamic-import.cjs']);
  });

  it('a TypeScript farm: its syntax error by file:line:column, its own import.meta.url, a missing package named', async () => {
    const broken = path.join(dir, 'broken.ts');
    await writeFile(broken, "export default {\n  name: 'broken',\n  handsets: [ { id: 'p1' ,, } ],\n};\n");
    const syntax = await both(['run', '--farm', broken]);
    assert.equal(syntax.compiled.code, 2);
    assert.equal(syntax.compiled.stderr, syntax.tsx.stderr);
    assert.match(
      syntax.compiled.stderr,
      new RegExp(`syntax error at ${broken.replaceAll('/', '\\/')}:3:26: `),
    );

    await writeFile(path.join(dir, 'name.json'), '{"name": "from-json"}\n');
    const reads = path.join(dir, 'reads.ts');
    await writeFile(
      reads,
      [
        "import { readFileSync } from 'node:fs';",
        `import { defineFarm } from ${JSON.stringify(path.join(ROOT, 'src', 'farm', 'index.ts'))};`,
        "const { name } = JSON.parse(readFileSync(new URL('./name.json', import.meta.url), 'utf8'));",
        'export default defineFarm({ name, handsets: [] });',
        '',
      ].join('\n'),
    );
    const relative = await both(['run', '--farm', reads]);
    assert.equal(relative.compiled.stderr, relative.tsx.stderr);
    assert.match(
      relative.compiled.stderr,
      /handsets: must list at least one handset/,
      'the farm ran and was judged',
    );

    const missing = path.join(dir, 'missing.ts');
    await writeFile(
      missing,
      "import { z } from 'no-such-package';\nexport default { name: String(z), handsets: [] };\n",
    );
    const pkg = await both(['run', '--farm', missing]);
    for (const r of [pkg.compiled, pkg.tsx]) {
      assert.equal(r.code, 2);
      assert.match(r.stderr, /Cannot find (package|module) '[^']*no-such-package' imported from /);
      assert.ok(r.stderr.includes(missing), 'names the farm');
      assert.ok(!r.stderr.includes('data:'), 'not the compiled text');
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
  });
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { compiledBuild, withImportsThroughLoader } from '../../bin/build-cache.js';
import { ROOT } from '../support/cli.ts';

const run = promisify(execFile);
const LOADER = path.join(ROOT, 'bin', 'code-cache.js');

describe('bin/code-cache: a CommonJS build loaded with V8 code cache', () => {
  let root: string;
  let bundle: string;

  /** A process that loads the bundle, calls its `main()`, prints what it returned and how the cache served. */
  const processRun = async (exitCode = 0, env: Record<string, string> = {}) => {
    const script = [
      `import { loadBundle, codeCacheState } from ${JSON.stringify(LOADER)};`,
      `const m = loadBundle(${JSON.stringify(bundle)}, { cacheKey: 'demo' });`,
      `console.log(JSON.stringify({ out: await m.main(), cache: codeCacheState(${JSON.stringify(bundle)}) }));`,
      `process.exitCode = ${exitCode};`,
    ].join('\n');
    const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      env: { ...process.env, ...env },
    }).catch((err: { code: number; stdout: string; stderr: string }) => err);
    assert.equal(stderr, '', 'no warning, no error');
    return JSON.parse(stdout) as { out: string[]; cache: string };
  };
  const caches = async () => (await readdir(path.dirname(bundle))).filter((f) => f.endsWith('.cache'));

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'hg-code-cache-'));
    await mkdir(path.join(root, 'src'));
    await writeFile(path.join(root, 'package.json'), '{"type": "module"}\n');
    await writeFile(path.join(root, 'tsconfig.json'), '{}\n');
    // An ES module the bundle imports at run time by a computed name (left to Node), a builtin, and text that
    // only looks like an import() (a string and a comment, which must stay as written).
    await writeFile(path.join(root, 'src', 'late.mjs'), "export const late = 'late';\n");
    await writeFile(
      path.join(root, 'src', 'main.ts'),
      [
        "import { pathToFileURL } from 'node:url';",
        'const words = \'import("x") in a string\';',
        '// import("y") in a comment',
        'export async function main(): Promise<string[]> {',
        "  const late = await import(pathToFileURL(__dirname + '/../../../src/late.mjs').href);",
        "  const os = await import('node:' + 'os');",
        '  let strict = false;',
        '  try { (undefined as unknown as { x: number }).x = 1; } catch { strict = true; }',
        "  return [late.late, typeof os.cpus, words, String(strict), String(new Error('here').stack?.split('\\n')[1]?.includes('main.cjs:'))];",
        '}',
        '',
      ].join('\n'),
    );
    const before = new Date(Date.now() - 10_000);
    for (const f of ['package.json', 'tsconfig.json', 'src/main.ts', 'src/late.mjs'])
      await utimes(path.join(root, f), before, before);
    const dir = await compiledBuild({
      root,
      name: 'demo',
      entryPoints: { main: 'src/main.ts' },
      format: 'cjs',
    });
    bundle = path.join(dir, 'main.cjs');
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('import() works from a bundle compiled anew and from one restored from its cache; the cache is written once', async () => {
    const expected = ['late', 'function', 'import("x") in a string', 'true', 'true'];
    assert.deepEqual(await processRun(), { out: expected, cache: 'absent' });
    assert.equal((await caches()).length, 1, 'written when the process ended');
    // Restored from the cache: V8 drops what Node needs for import() in such a script, so without the build's
    // redirection of import() this would fail ("A dynamic import callback was not specified").
    assert.deepEqual(await processRun(), { out: expected, cache: 'used' });
    assert.deepEqual(await processRun(0, { HEADERGUARD_CODE_CACHE: '0' }), { out: expected, cache: 'off' });
  });

  it('a usage error (exit 2) writes no cache; a cache that does not fit is compiled past and written again', async () => {
    for (const f of await caches()) await rm(path.join(path.dirname(bundle), f));
    assert.equal((await processRun(2)).cache, 'absent');
    assert.deepEqual(await caches(), [], 'exit 2: not a process that did its work');
    assert.equal((await processRun(0)).cache, 'absent');
    const [file] = await caches();
    await writeFile(path.join(path.dirname(bundle), file!), Buffer.alloc(4096, 7));
    const rejected = await processRun(0);
    assert.deepEqual(rejected.out[0], 'late');
    assert.equal(rejected.cache, 'rejected');
    assert.equal((await processRun(0)).cache, 'used', 'written again');
  });

  it('redirects each import() expression, and no word of a string or a comment', async () => {
    const text = [
      'const a = import("./x.js");',
      'const b = \'import("not")\';',
      '// import("nor this")',
      'const c = await import(name, { with: { type: "json" } });',
      'const d = `import(x)`;',
      'obj.import("method");',
    ].join('\n');
    const out = await withImportsThroughLoader(text, 'demo.cjs');
    assert.equal(
      out,
      [
        'const a = __headerguardImport("./x.js");',
        'const b = \'import("not")\';',
        '// import("nor this")',
        'const c = await __headerguardImport(name, { with: { type: "json" } });',
        'const d = `import(x)`;',
        'obj.import("method");',
      ].join('\n'),
    );
  });
});

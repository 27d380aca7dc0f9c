import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describeLoadError, packageTypeOf } from '../../src/farm/load-module.ts';
import { ROOT, runCli } from '../support/cli.ts';

describe('farm/load-module', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-farm-module-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps the first of esbuild's errors whole, on one line", () => {
    const one = new Error(
      'Transform failed with 1 error:\n/tmp/f.ts:3:26: ERROR: Expected identifier but found ","',
    );
    assert.equal(describeLoadError(one), 'syntax error at /tmp/f.ts:3:26: Expected identifier but found ","');
    const two = new Error(
      'Transform failed with 2 errors:\n/tmp/f.ts:1:2: ERROR: a\n/tmp/f.ts:4:5: ERROR: b',
    );
    assert.equal(describeLoadError(two), 'syntax error at /tmp/f.ts:1:2: a (and 1 more error)');
    assert.equal(
      describeLoadError(new TypeError('x is not a function\n    at y')),
      'TypeError: x is not a function',
    );
  });

  it('reads the package scope a file is in, as Node does', async () => {
    assert.equal(packageTypeOf(path.join(ROOT, 'devices', 'simulated.ts')), 'module');
    const esm = path.join(dir, 'esm');
    await mkdir(path.join(esm, 'sub'), { recursive: true });
    await writeFile(path.join(esm, 'package.json'), '{"type": "module"}');
    assert.equal(packageTypeOf(path.join(esm, 'sub', 'farm.ts')), 'module');
    assert.equal(packageTypeOf(path.join(dir, 'farm.ts')), 'commonjs');
  });

  it('headerguard run --farm /tmp/…/lab.ts loads the farm (and validates it) with tsx registered by the CLI', async () => {
    // The handset names an unknown device, so the run stops at validation (exit 2) before anything starts;
    // the message shows the module was loaded and read.
    const file = path.join(dir, 'lab.ts');
    const index = path.join(ROOT, 'src', 'farm', 'index.ts');
    await writeFile(
      file,
      [
        `import { defineFarm } from ${JSON.stringify(index)};`,
        `const device: string = 'pixel 7';`,
        `export default defineFarm({ name: 'lab', handsets: [{ id: 'p1', bearer: 'o2', emulate: device, identity: {} }] });`,
        '',
      ].join('\n'),
    );
    const res = await runCli(['run', '--farm', file], { timeoutMs: 60_000 });
    assert.equal(res.code, 2, res.stderr);
    assert.equal(
      res.stderr,
      `headerguard: farm ${file}: handset "p1": emulate: unknown emulated device "pixel 7" (did you mean "Pixel 7"?)\n`,
    );
  });
});

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cachedFarmBuild, saveFarmBuild } from '../../src/farm/farm-build-cache.ts';
import { ROOT, runCli } from '../support/cli.ts';

describe('farm/farm-build-cache', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-farm-cache-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A farm and a local module it imports, written a second ago (so not "modified since the compile"). */
  async function sources(): Promise<{ farm: string; helper: string }> {
    const farm = path.join(dir, 'farm.ts');
    const helper = path.join(dir, 'helper.ts');
    await writeFile(farm, "import { x } from './helper.ts';\nexport default x;\n");
    await writeFile(helper, 'export const x = 1;\n');
    const past = new Date(Date.now() - 1000);
    for (const f of [farm, helper]) await utimes(f, past, past);
    return { farm, helper };
  }

  it('keeps a compiled farm and gives it back while its sources are unchanged', async () => {
    const { farm, helper } = await sources();
    assert.equal(cachedFarmBuild(farm), undefined, 'nothing kept yet');
    const file = saveFarmBuild(farm, 'export default 1;\n', [farm, helper], Date.now());
    assert.ok(file, 'kept');
    assert.equal(cachedFarmBuild(farm), file);
    assert.equal((await import(file)).default, 1);
  });

  it('a changed farm, local module, or a new tsconfig.json above the farm: compiled again', async () => {
    const { farm, helper } = await sources();
    const save = () => saveFarmBuild(farm, `export default ${Math.random()};\n`, [farm, helper], Date.now());
    assert.ok(save());
    await writeFile(helper, 'export const x = 22;\n');
    assert.equal(cachedFarmBuild(farm), undefined, 'the module it imports changed');
    await utimes(helper, new Date(Date.now() - 1000), new Date(Date.now() - 1000));
    assert.ok(save());
    assert.ok(cachedFarmBuild(farm));
    await writeFile(path.join(dir, 'tsconfig.json'), '{}');
    assert.equal(cachedFarmBuild(farm), undefined, 'a tsconfig.json esbuild would read');
  });

  it('a source modified while it was compiled is not trusted', async () => {
    const { farm, helper } = await sources();
    await writeFile(helper, 'export const x = 3;\n');
    // The compile started before the helper's last change: its recorded state is unknown.
    assert.ok(saveFarmBuild(farm, 'export default 3;\n', [farm, helper], Date.now() - 60_000));
    assert.equal(cachedFarmBuild(farm), undefined);
  });

  it('headerguard run --farm: an edited farm and an edited module it imports are read anew, never stale', async () => {
    // An ES module farm (package scope "type": "module"), which the compiled CLI compiles with esbuild and keeps.
    const scope = path.join(dir, 'lab');
    await mkdir(scope);
    await writeFile(path.join(scope, 'package.json'), '{"type": "module"}');
    const farm = path.join(scope, 'farm.ts');
    const helper = path.join(scope, 'device.ts');
    const index = path.join(ROOT, 'src', 'farm', 'index.ts');
    await writeFile(
      farm,
      [
        `import { defineFarm } from ${JSON.stringify(index)};`,
        "import { device } from './device.ts';",
        `export default defineFarm({ name: 'lab', handsets: [{ id: 'p1', bearer: 'o2', emulate: device, identity: {} }] });`,
        '',
      ].join('\n'),
    );
    await writeFile(helper, "export const device: string = 'pixel 7';\n");
    const unknownDevice = async () => {
      // Stops at validation (exit 2): the message says which device the farm named.
      const res = await runCli(['run', '--farm', farm], { timeoutMs: 60_000 });
      assert.equal(res.code, 2, res.stderr);
      return /unknown emulated device "([^"]+)"/.exec(res.stderr)?.[1];
    };
    const keptBefore = await keptFiles();
    assert.equal(await unknownDevice(), 'pixel 7');
    assert.equal(await unknownDevice(), 'pixel 7', 'from the kept build');
    assert.ok((await keptFiles()).length > keptBefore.length, 'the compiled farm was kept');
    await writeFile(helper, "export const device: string = 'pixel 8';\n");
    assert.equal(await unknownDevice(), 'pixel 8');
    await writeFile(
      farm,
      (await import('node:fs')).readFileSync(farm, 'utf8').replace('device,', "'pixel 9',"),
    );
    assert.equal(await unknownDevice(), 'pixel 9');
  });
});

async function keptFiles(): Promise<string[]> {
  const kept = path.join(ROOT, '.cache', 'farms');
  const names = await readdir(kept).catch(() => [] as string[]);
  const current: string[] = [];
  for (const n of names) if ((await stat(path.join(kept, n))).isFile()) current.push(n);
  return current;
}

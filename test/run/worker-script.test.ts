import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import logger from '@wdio/logger';
import { ProcessFactory, XvfbManager } from '@wdio/xvfb';
import { forkWorkersFrom, workerScriptFor } from '../../src/run/worker-script.ts';

describe('run/worker-script: WDIO workers run the bundled worker script', () => {
  const own = path.join('/p', 'node_modules', '@wdio', 'local-runner', 'build', 'run.js');

  it("takes the local runner's own script only, and leaves any other script as it is", () => {
    assert.equal(workerScriptFor(own, '/b/worker.js'), '/b/worker.js');
    assert.equal(
      workerScriptFor('/p/node_modules/other/build/run.js', '/b/worker.js'),
      '/p/node_modules/other/build/run.js',
    );
    assert.equal(workerScriptFor('/p/my-run.js', '/b/worker.js'), '/p/my-run.js');
  });

  describe("WDIO's process factory, as the local runner calls it", () => {
    let dir: string;
    before(async () => {
      // The factory logs each fork at info level.
      logger('@wdio/xvfb:ProcessFactory').setLevel('silent');
      dir = await mkdtemp(path.join(os.tmpdir(), 'hg-worker-script-'));
      for (const name of ['first', 'second'])
        await writeFile(
          path.join(dir, `${name}.mjs`),
          `process.stdout.write(${JSON.stringify(name)} + ':' + process.argv.slice(2).join(','));\n`,
        );
    });
    after(() => rm(dir, { recursive: true, force: true }));

    const forked = async (script: string) => {
      const factory = new ProcessFactory(new XvfbManager({ enabled: false }));
      const child = await factory.createWorkerProcess(script, ['--a'], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '' },
        execArgv: [],
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d;
      });
      const code = await new Promise((resolve) => child.on('exit', resolve));
      return { code, out };
    };

    it("forks the bundled script in place of the runner's, with the same arguments, until restored", async () => {
      const restore = forkWorkersFrom(path.join(dir, 'first.mjs'));
      try {
        assert.deepEqual(await forked(own), { code: 0, out: 'first:--a' });
        forkWorkersFrom(path.join(dir, 'second.mjs'));
        assert.deepEqual(
          await forked(own),
          { code: 0, out: 'second:--a' },
          'a second call replaces the first',
        );
        restore();
        assert.deepEqual(
          await forked(own),
          { code: 0, out: 'second:--a' },
          "the first call's restore does not undo the second",
        );
        assert.deepEqual(
          await forked(path.join(dir, 'first.mjs')),
          { code: 0, out: 'first:--a' },
          'other scripts as asked',
        );
      } finally {
        forkWorkersFrom(path.join(dir, 'first.mjs'))();
      }
      const after = await forked(own);
      assert.notEqual(after.code, 0, "restored: the runner's own path again (which does not exist here)");
    });
  });
});

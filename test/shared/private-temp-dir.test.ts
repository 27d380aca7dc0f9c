import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { privateTempDir } from '../../src/shared/private-temp-dir.ts';

describe('shared/private-temp-dir: a child process’s own temp dir', () => {
  it('is a new folder under the system temp dir, given to the child as its TMPDIR', () => {
    const tmp = privateTempDir('hg-test-');
    try {
      assert.equal(path.dirname(tmp.dir), os.tmpdir());
      assert.ok(existsSync(tmp.dir));
      assert.equal(tmp.env({ PATH: '/bin' }).TMPDIR, tmp.dir);
      assert.equal(tmp.env({ PATH: '/bin' }).PATH, '/bin');
    } finally {
      tmp.remove();
    }
  });

  it('goes with everything in it, and removing it again does not throw', () => {
    const tmp = privateTempDir('hg-test-');
    writeFileSync(path.join(tmp.dir, 'SingletonSocket'), '');
    tmp.remove();
    assert.equal(existsSync(tmp.dir), false);
    tmp.remove();
  });
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { parentAlive, watchParent } from '../../src/shared/parent-watch.ts';

describe('shared/parent-watch', () => {
  it('knows its own parent, and that no other process is it', async () => {
    assert.equal(parentAlive(process.ppid), true);
    assert.equal(parentAlive(process.pid), false);
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await once(child, 'exit');
    assert.equal(parentAlive(child.pid!), false, 'a process that is gone');
  });

  it('does not fire while the parent lives, and stops watching when told', async () => {
    let fired = 0;
    const unwatch = watchParent(() => {
      fired += 1;
    }, 20);
    await new Promise((r) => setTimeout(r, 200));
    unwatch();
    assert.equal(fired, 0);
  });
});

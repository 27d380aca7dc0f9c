import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { parentAlive, procStat, watchedLinks, watchParent } from '../../src/shared/parent-watch.ts';

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

  it('watches the shell wrapper too when the parent is a shell (npx runs bins through sh -c)', () => {
    const table: Record<number, { comm: string; ppid: number }> = {
      40: { comm: 'sh', ppid: 30 },
      41: { comm: 'node', ppid: 30 },
      42: { comm: 'sh', ppid: 1 },
    };
    const stat = (pid: number) => table[pid];
    assert.deepEqual(watchedLinks(40, stat), [
      ['self', 40],
      [40, 30],
    ]);
    assert.deepEqual(watchedLinks(41, stat), [['self', 41]], 'a non-shell parent alone');
    assert.deepEqual(watchedLinks(42, stat), [['self', 42]], 'a shell adopted by init has no wrapper left');
    assert.deepEqual(watchedLinks(99, stat), [['self', 99]], 'an unreadable parent');
  });

  it('reads a process name and parent from procfs', () => {
    assert.deepEqual(procStat('self'), { comm: 'node', ppid: process.ppid });
    assert.equal(procStat(2 ** 30), undefined);
  });
});

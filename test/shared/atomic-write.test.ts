import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic, writeFileAtomicSync } from '../../src/shared/atomic-write.ts';

describe('shared/atomic-write', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-atomic-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('an asynchronous write raced by a synchronous one leaves one of the two whole, and no temp file', async () => {
    const file = path.join(dir, 'summary.json');
    const long = JSON.stringify({ verdict: 'pass', pad: 'x'.repeat(200_000) });
    const short = JSON.stringify({ verdict: 'broken' });
    for (let i = 0; i < 40; i++) {
      // Either one the longer, in turn: a plain write of the shorter over the longer would leave the longer's tail.
      const [first, second] = i % 2 ? [short, long] : [long, short];
      const pending = writeFileAtomic(file, first);
      writeFileAtomicSync(file, second);
      await pending;
      const text = await readFile(file, 'utf8');
      assert.ok(text === long || text === short, `round ${i}: ${text.length} chars, neither write whole`);
    }
    assert.deepEqual(await readdir(dir), ['summary.json']);
  });

  it('a write that fails throws and leaves neither a temp file nor a changed target', async () => {
    // A folder where the file should go: the rename fails (EISDIR), after the temp file was written.
    const target = path.join(dir, 'baseline.json');
    await mkdir(path.join(target, 'inside'), { recursive: true });
    await assert.rejects(writeFileAtomic(target, '{}'), /EISDIR|ENOTEMPTY|EEXIST/);
    assert.throws(() => writeFileAtomicSync(target, '{}'), /EISDIR|ENOTEMPTY|EEXIST/);
    assert.deepEqual(await readdir(dir), ['baseline.json']);
    assert.deepEqual(await readdir(target), ['inside']);
  });
});

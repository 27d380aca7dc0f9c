import assert from 'node:assert/strict';
import { batchLength } from '../../src/capture/store/pg-store.ts';

const queued = (...runIds: number[]) => runIds.map((runId) => ({ capture: { runId } }));

describe('capture/store/pg-store: what one batch takes from the queue', () => {
  it('takes everything queued when it fits', () => {
    assert.equal(batchLength(queued(1, 2, 1, 3), 256, 64), 4);
    assert.equal(batchLength([], 256, 64), 0);
  });

  it('stops at the most captures', () => {
    assert.equal(batchLength(queued(1, 1, 1, 1, 1), 3, 64), 3);
  });

  it('stops before the first capture of one run too many, in arrival order, and takes more of the runs it has', () => {
    // Runs 1 and 2 fit; 3 would be the third: the batch ends there, though a later capture of run 1 waits too.
    assert.equal(batchLength(queued(1, 2, 1, 3, 1), 256, 2), 3);
    assert.equal(batchLength(queued(5, 5, 5, 6), 256, 1), 3);
  });

  it('by default holds at most 64 runs, so its advisory locks fit PostgreSQL’s default lock table', () => {
    const many = queued(...Array.from({ length: 200 }, (_, i) => i));
    assert.equal(batchLength(many), 64);
    assert.equal(batchLength(queued(...Array.from({ length: 300 }, () => 7))), 256);
  });
});

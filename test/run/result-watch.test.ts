import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type HandsetResult, handsetResultPath, writeHandsetResult } from '../../src/run/handset-result.ts';
import { ResultWatch } from '../../src/run/result-watch.ts';
import { handsetResult } from '../support/handset-result.ts';

/** Resolves true when `p` settles within `ms`, false otherwise. */
const settlesWithin = (p: Promise<unknown>, ms: number) =>
  Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

describe('run/result-watch', () => {
  let runDir: string;
  beforeEach(async () => {
    runDir = await mkdtemp(path.join(os.tmpdir(), 'hg-watch-'));
  });
  afterEach(async () => {
    await rm(runDir, { recursive: true, force: true });
  });

  it('reports each handset once, as its result appears, and resolves when every handset has one', async () => {
    const seen: [string, string | undefined][] = [];
    const watch = new ResultWatch(runDir, ['a', 'b'], (id, r) => seen.push([id, r?.verdict]));
    watch.start(5);
    await writeHandsetResult(runDir, handsetResult('b', { verdict: 'fail' }));
    assert.equal(await settlesWithin(watch.allJudged, 100), false);
    assert.deepEqual(seen, [['b', 'fail']]);
    await writeHandsetResult(runDir, handsetResult('a'));
    assert.equal(await settlesWithin(watch.allJudged, 2000), true);
    // The workers end afterwards: nothing is reported twice.
    await watch.workerEnded('a');
    await watch.workerEnded('b');
    await watch.stop();
    assert.deepEqual(seen, [
      ['b', 'fail'],
      ['a', 'pass'],
    ]);
  });

  it('a result being written (its temp file) or unreadable is not one: the worker’s end decides', async () => {
    const seen: [string, HandsetResult | undefined][] = [];
    const watch = new ResultWatch(runDir, ['a'], (id, r) => seen.push([id, r]));
    const file = handsetResultPath(runDir, 'a');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(`${file}.123.tmp`, '{"id":"a"');
    watch.start(5);
    assert.equal(await settlesWithin(watch.allJudged, 100), false);
    await writeFile(file, '{"id":"a"}');
    assert.equal(await settlesWithin(watch.allJudged, 100), false);
    assert.deepEqual(seen, []);
    await watch.workerEnded('a');
    await watch.stop();
    assert.deepEqual(seen, [['a', undefined]]);
    assert.equal(await settlesWithin(watch.allJudged, 50), false);
  });

  it('a worker that ended without a result: reported as none, and the run is never all judged', async () => {
    const seen: [string, string | undefined][] = [];
    const watch = new ResultWatch(runDir, ['a', 'b'], (id, r) => seen.push([id, r?.verdict]));
    watch.start(5);
    await watch.workerEnded('a');
    await writeHandsetResult(runDir, handsetResult('b'));
    await watch.workerEnded('b');
    assert.equal(await settlesWithin(watch.allJudged, 100), false);
    await watch.stop();
    assert.deepEqual(seen, [
      ['a', undefined],
      ['b', 'pass'],
    ]);
  });

  it('without polling, the workers’ ends alone report every handset', async () => {
    const seen: string[] = [];
    const watch = new ResultWatch(runDir, ['a'], (id, r) => seen.push(`${id}:${r?.verdict}`));
    await writeHandsetResult(runDir, handsetResult('a', { verdict: 'broken' }));
    await watch.workerEnded('a');
    assert.equal(await settlesWithin(watch.allJudged, 50), true);
    assert.deepEqual(seen, ['a:broken']);
  });
});

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { nextBuildOrder, writeAllureMetadata } from '../../src/report/allure-files.ts';

describe('report/allure-files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-allure-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('numbers runs 1, 2, … from the carried trend; old epoch-millisecond orders start the count again', async () => {
    assert.equal(await nextBuildOrder(undefined), 1);
    assert.equal(await nextBuildOrder(path.join(dir, 'missing')), 1);
    await writeFile(
      path.join(dir, 'history-trend.json'),
      JSON.stringify([{ buildOrder: 2 }, { buildOrder: 1 }]),
    );
    assert.equal(await nextBuildOrder(dir), 3);
    await writeFile(path.join(dir, 'history-trend.json'), JSON.stringify([{ buildOrder: 1796083200000 }]));
    assert.equal(await nextBuildOrder(dir), 1);
    await writeFile(path.join(dir, 'history-trend.json'), 'not json');
    assert.equal(await nextBuildOrder(dir), 1);
  });

  it('writes executor.json with the build order and a label of the run time and tag; the environment names gateways and the fault', async () => {
    await writeAllureMetadata(dir, {
      runId: '2026-12-01T21-43-03-135Z-3332ac',
      startedAt: '2026-12-01T21:43:03.135Z',
      buildOrder: 7,
      farm: 'simulated',
      tag: 'nightly',
      simFault: 'o2-2012',
      handsets: [{ id: 'a', bearer: 'o2', device: 'Pixel 7', mccmnc: ['234-10'], gateway: 'sim:o2:o2-2012' }],
    });
    const executor = JSON.parse(await readFile(path.join(dir, 'executor.json'), 'utf8'));
    assert.equal(executor.buildOrder, 7);
    assert.equal(executor.buildName, 'simulated 2026-12-01 21:43 nightly');
    const env = await readFile(path.join(dir, 'environment.properties'), 'utf8');
    assert.match(env, /^simulator_fault=o2-2012 \(a replay, not a real network\)$/m);
    assert.match(env, /^handset\.a=Pixel 7 on o2 \(234-10\) through sim:o2:o2-2012$/m);
  });
});

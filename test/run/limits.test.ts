import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  DEFAULT_HANDSET_TIMEOUT_S,
  defaultMaxParallel,
  parseHandsetTimeout,
  parseMaxParallel,
} from '../../src/run/limits.ts';
import { holdSession, planSession } from '../../src/run/session.ts';
import { UserError } from '../../src/shared/errors.ts';

const GiB = 1024 ** 3;

describe('run/limits: --max-parallel and --handset-timeout', () => {
  it('accepts whole numbers from 1 for --max-parallel and refuses the rest with one line', () => {
    assert.equal(parseMaxParallel(undefined), undefined);
    assert.equal(parseMaxParallel('1'), 1);
    assert.equal(parseMaxParallel('12'), 12);
    for (const bad of ['0', 'abc', '-1', '1.5', '', ' ', '2x', '257', '1e3']) {
      assert.throws(
        () => parseMaxParallel(bad),
        (err: Error) =>
          err instanceof UserError &&
          err.exitCode === 2 &&
          /^--max-parallel must be a whole number from 1 to 256 \(got ".*"\)$/.test(err.message),
        `refuses "${bad}"`,
      );
    }
  });

  it('accepts seconds from 1 to 3600 for --handset-timeout and refuses the rest with one line', () => {
    assert.equal(parseHandsetTimeout(undefined), undefined);
    assert.equal(parseHandsetTimeout('1'), 1);
    assert.equal(parseHandsetTimeout('2.5'), 2.5);
    assert.equal(parseHandsetTimeout('3600'), 3600);
    for (const bad of ['0', '0.5', 'abc', '-5', '', '3601', '10s', 'Infinity', 'NaN']) {
      assert.throws(
        () => parseHandsetTimeout(bad),
        (err: Error) =>
          err instanceof UserError &&
          err.exitCode === 2 &&
          /^--handset-timeout must be a number of seconds from 1 to 3600 \(got ".*"\)$/.test(err.message),
        `refuses "${bad}"`,
      );
    }
  });

  it('defaults to min(handsets, 2 x cores, (free memory - 1 GiB) / 512 MiB), at least 1', () => {
    assert.equal(
      defaultMaxParallel(3, { cores: 2, freeBytes: 20 * GiB }),
      3,
      'all three on a roomy 2-core box',
    );
    assert.equal(defaultMaxParallel(10, { cores: 2, freeBytes: 20 * GiB }), 4, 'two per core');
    assert.equal(
      defaultMaxParallel(10, { cores: 16, freeBytes: 3 * GiB }),
      4,
      'memory-bound: 2 GiB / 512 MiB',
    );
    assert.equal(defaultMaxParallel(10, { cores: 16, freeBytes: 0.5 * GiB }), 1, 'never below one');
    assert.equal(defaultMaxParallel(0, { cores: 4, freeBytes: 8 * GiB }), 1);
  });
});

describe('run/limits: reaching WebdriverIO', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-limits-'));
  });
  after(async () => {
    delete (globalThis as Record<symbol, unknown>)[Symbol.for('headerguard.session')];
    await rm(dir, { recursive: true, force: true });
  });

  it("puts --max-parallel in the plan and in wdio.conf's maxInstances, and the timeout in the plan", async () => {
    const session = await planSession(
      { farmPath: 'devices/simulated.ts', reportDir: dir, maxParallel: 2, handsetTimeoutS: 45 },
      {},
    );
    assert.equal(session.plan.maxParallel, 2);
    assert.equal(session.plan.handsetTimeoutS, 45);
    holdSession(session);
    const { config } = await import('../../wdio.conf.ts');
    assert.equal(config.maxInstances, 2);
    assert.ok(Number(config.mochaOpts!.timeout) > 45_000, 'the mocha timeout backs up the handset timeout');
  });

  it('plans the machine default and the default timeout when no flag is given', async () => {
    const session = await planSession({ farmPath: 'devices/simulated.ts', reportDir: dir }, {});
    assert.equal(session.plan.maxParallel, defaultMaxParallel(3));
    assert.equal(session.plan.handsetTimeoutS, DEFAULT_HANDSET_TIMEOUT_S);
  });
});

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  currentSession,
  planSession,
  RESOLVED_ENV_KEY,
  resolvedSessionEnv,
  type Session,
} from '../../src/run/session.ts';

const HELD = Symbol.for('headerguard.session');
const release = () => {
  delete (globalThis as Record<symbol, unknown>)[HELD];
};

describe('run/session: handing the resolved session to workers', () => {
  let dir: string;
  let session: Session;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-session-'));
    session = await planSession({ farmPath: 'devices/simulated.ts', reportDir: dir }, {});
    session.capabilities = [{ browserName: 'chrome', 'headerguard:handset': 'o2-pixel-7' }];
  });
  after(async () => {
    release();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(release);

  it('gives a worker the same plan, farm (policies included), handsets and capabilities', async () => {
    const env: NodeJS.ProcessEnv = { ...resolvedSessionEnv(session) };
    const got = await currentSession(env);
    assert.deepEqual(got.plan, session.plan);
    // JSON drops fields that are undefined (`appium` of an emulated handset); nothing else may change.
    assert.deepEqual(got.handsets, JSON.parse(JSON.stringify(session.handsets)));
    assert.deepEqual(got.capabilities, session.capabilities);
    assert.equal(got.farm.name, 'simulated');
    assert.ok(got.farm.policies instanceof Map);
    assert.deepEqual([...got.farm.policies.keys()], [...session.farm.policies.keys()]);
    assert.deepEqual(got.farm.policies.get('o2'), session.farm.policies.get('o2'));
  });

  it("removes the identities from the worker's environment once read, and keeps returning the session", async () => {
    const env: NodeJS.ProcessEnv = { ...resolvedSessionEnv(session) };
    assert.match(env[RESOLVED_ENV_KEY]!, /447700900101/, 'the handover carries the resolved identity');
    const first = await currentSession(env);
    assert.equal(env[RESOLVED_ENV_KEY], undefined);
    const again = await currentSession(env);
    assert.equal(again, first);
    assert.equal(again.handsets[0]!.identity.msisdn, '447700900101');
  });
});

describe('run/session: --tag', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-tag-'));
  });
  after(async () => {
    release();
    await rm(dir, { recursive: true, force: true });
  });

  it('takes the documented tags and any tag of the simple pattern', async () => {
    for (const tag of ['nightly', 'pre-maintenance', 'post-maintenance', 'canary', 'chg-1234_after.2']) {
      const s = await planSession({ farmPath: 'devices/simulated.ts', reportDir: dir, tag }, {});
      assert.equal(s.plan.tag, tag);
    }
  });

  it('refuses anything else in one line naming the tag', async () => {
    for (const tag of ['Nightly', 'bad tag', '-x', '', 'x'.repeat(65), 'a/b']) {
      await assert.rejects(
        planSession({ farmPath: 'devices/simulated.ts', reportDir: dir, tag }, {}),
        (err: Error) => /^--tag: ".*" is not a tag: /.test(err.message) && !err.message.includes('\n'),
        tag,
      );
    }
  });
});

describe('run/session: a mixed farm plans what each kind of handset needs', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-session-mixed-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));
  const plan = async (handsets: unknown[]) => {
    const farmPath = path.join(dir, `farm-${handsets.length}-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(farmPath, JSON.stringify({ name: 'mixed', handsets }));
    return (await planSession({ farmPath, reportDir: dir }, { M: '447712345678' })).plan;
  };
  const emulated = { id: 'e', bearer: 'o2', emulate: 'Pixel 7' };
  const phone = { id: 'p', bearer: 'o2', appium: { platformName: 'Android' }, identity: { msisdn: 'env:M' } };
  const hub = { hostname: 'hub.lab', port: 4444 };

  it('emulated and local phone: a chromedriver and an Appium server, in one run', async () => {
    const p = await plan([emulated, phone]);
    assert.ok(p.chromedriverPort && p.appiumPort && p.chromedriverPort !== p.appiumPort);
    assert.deepEqual(p.handsetIds, ['e', 'p']);
  });

  it('handsets on hubs need neither', async () => {
    const p = await plan([
      { ...emulated, grid: hub },
      { ...phone, grid: hub },
    ]);
    assert.equal(p.chromedriverPort, undefined);
    assert.equal(p.appiumPort, undefined);
  });
});

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { notifyRunDir } from '../../src/notify/notify-run.ts';
import type { NotificationPayload } from '../../src/notify/payload.ts';
import { leaking, summary } from '../support/notifiable-summary.ts';
import { startWebhookReceiver } from '../support/webhook-receiver.ts';

describe('notify: about a run folder', () => {
  it('reads summary.json (extra fields of later formats allowed); no summary is broken, with the fallback', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hg-notify-'));
    const receiver = await startWebhookReceiver();
    try {
      const runDir = path.join(dir, 'run-1');
      await mkdir(runDir);
      await writeFile(
        path.join(runDir, 'summary.json'),
        JSON.stringify({ ...summary([leaking('p1', 'x-msisdn')]), formatVersion: 9, simFault: null }),
      );
      const fallback = {
        farm: 'lab',
        startedAt: '2026-12-02T01:00:00.000Z',
        reason: 'the run left no summary.json',
      };
      const hooks = [new URL(`${receiver.url}/h`)];
      await notifyRunDir(hooks, 'finished', runDir, fallback);
      await notifyRunDir(hooks, 'finished', path.join(dir, 'never-written'), fallback);
      const [read, missing] = receiver.posts.map((p) => p.body as NotificationPayload);
      assert.equal(read!.verdict, 'fail');
      assert.equal(read!.report, runDir);
      assert.deepEqual(read!.handsets[0]!.headers, ['x-msisdn']);
      assert.equal(missing!.verdict, 'broken');
      assert.equal(missing!.report, null);
      assert.equal(missing!.farm, 'lab');
      assert.equal(missing!.startedAt, fallback.startedAt);
      assert.equal(missing!.text, 'BROKEN lab: no result (the run left no summary.json)');
    } finally {
      await receiver.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

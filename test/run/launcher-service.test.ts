import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SevereServiceError } from 'webdriverio';
import { HANDSET_CAPABILITY } from '../../src/run/capabilities.ts';
import { writeHandsetResult } from '../../src/run/handset-result.ts';
import type { Infrastructure } from '../../src/run/infrastructure.ts';
import { StartError } from '../../src/run/infrastructure.ts';
import { HeaderguardLauncherService } from '../../src/run/launcher-service.ts';
import type { Session } from '../../src/run/session.ts';
import { handsetResult } from '../support/handset-result.ts';

const session = { plan: {}, farm: {}, handsets: [] } as unknown as Session;

function infrastructure(events: string[]): Infrastructure {
  return {
    simulators: [],
    async stop() {
      events.push('stop');
    },
  };
}

describe('run/launcher-service', () => {
  it('starts the infrastructure in onPrepare, reports then stops it in onComplete', async () => {
    const events: string[] = [];
    const service = new HeaderguardLauncherService({
      session,
      start: async () => {
        events.push('start');
        return infrastructure(events);
      },
      verdict: async (_s, options) => {
        events.push(`verdict:${options?.whyMissing ?? '-'}`);
      },
      htmlReport: async () => {
        events.push('html');
      },
    });
    await service.onPrepare();
    await service.onComplete();
    assert.deepEqual(events, ['start', 'verdict:-', 'html', 'stop']);
  });

  it('a start failure is a SevereServiceError (WDIO stops at once) with one masked line; the report says why', async () => {
    const events: string[] = [];
    const service = new HeaderguardLauncherService({
      session,
      start: async () => {
        throw new StartError(
          'the bearer simulator sim:o2 of handset h (127.0.0.1:9) could not start: msisdn 447700900123 refused\n    at x.ts:1',
        );
      },
      verdict: async (_s, options) => {
        events.push(`verdict:${options?.whyMissing}`);
      },
      htmlReport: async () => {
        events.push('html');
      },
    });
    await assert.rejects(service.onPrepare(), (err: unknown) => {
      assert.ok(err instanceof SevereServiceError);
      assert.equal(
        (err as Error).message,
        'the bearer simulator sim:o2 of handset h (127.0.0.1:9) could not start: msisdn 4477******23 refused',
      );
      return true;
    });
    await service.onComplete();
    assert.deepEqual(events, [
      'verdict:the run could not start: the bearer simulator sim:o2 of handset h (127.0.0.1:9) could not start: msisdn 4477******23 refused',
      'html',
    ]);
  });

  it('stops what it started even when writing the report fails', async () => {
    const events: string[] = [];
    const service = new HeaderguardLauncherService({
      session,
      start: async () => infrastructure(events),
      verdict: async () => {
        throw new Error('disk full');
      },
    });
    await service.onPrepare();
    await assert.rejects(service.onComplete(), /disk full/);
    assert.deepEqual(events, ['stop']);
  });

  describe('the verdict, as soon as every handset is judged', () => {
    let runDir: string;
    beforeEach(async () => {
      runDir = await mkdtemp(path.join(os.tmpdir(), 'hg-service-'));
    });
    afterEach(async () => {
      await rm(runDir, { recursive: true, force: true });
    });

    const twoHandsets = (output: string) =>
      ({
        plan: { runDir, output },
        farm: {},
        handsets: [
          { id: 'a', proxy: { kind: 'direct' } },
          { id: 'b', proxy: { kind: 'direct' } },
        ],
      }) as unknown as Session;

    function serviceLogging(s: Session, events: string[], lines: string[] = []) {
      return new HeaderguardLauncherService({
        session: s,
        resultPollMs: 5,
        log: (line) => lines.push(line),
        start: async () => infrastructure(events),
        verdict: async (_s, options) => {
          events.push(`verdict:${options?.whyMissing ?? '-'}`);
        },
        htmlReport: async () => {
          events.push('html');
        },
      });
    }

    async function until(events: string[], event: string): Promise<boolean> {
      for (let i = 0; i < 200 && !events.includes(event); i++) await new Promise((r) => setTimeout(r, 10));
      return events.includes(event);
    }

    it('is written while the workers still end their sessions; the HTML report waits for them', async () => {
      const events: string[] = [];
      const lines: string[] = [];
      const done = () => lines.filter((l) => l.includes('done:')).map((l) => l.replace(/ in [\d.]+ s/, ''));
      const service = serviceLogging(twoHandsets('normal'), events, lines);
      await service.onPrepare();
      service.onWorkerStart('0-0', { [HANDSET_CAPABILITY]: 'a' });
      service.onWorkerStart('0-1', { [HANDSET_CAPABILITY]: 'b' });
      await writeHandsetResult(runDir, handsetResult('a'));
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(events, [], 'one handset judged is not the verdict');
      await writeHandsetResult(runDir, handsetResult('b', { verdict: 'fail' }));
      assert.ok(await until(events, 'verdict:-'));
      assert.deepEqual(events, ['verdict:-']);
      // Each handset's progress line came before the verdict, and comes once.
      const expected = ['headerguard: 1/2 done: a PASS', 'headerguard: 2/2 done: b FAIL'];
      assert.deepEqual(done(), expected);
      await service.onWorkerEnd('0-0');
      await service.onWorkerEnd('0-1');
      await service.onComplete();
      assert.deepEqual(events, ['verdict:-', 'html', 'stop']);
      assert.deepEqual(done(), expected);
    });

    it('waits for the workers when one ended without a result (fail closed: it is broken)', async () => {
      const events: string[] = [];
      const service = serviceLogging(twoHandsets('quiet'), events);
      await service.onPrepare();
      service.onWorkerStart('0-0', { [HANDSET_CAPABILITY]: 'a' });
      service.onWorkerStart('0-1', { [HANDSET_CAPABILITY]: 'b' });
      await writeHandsetResult(runDir, handsetResult('a'));
      await service.onWorkerEnd('0-1');
      await service.onWorkerEnd('0-0');
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(events, []);
      await service.onComplete();
      assert.deepEqual(events, ['verdict:-', 'html', 'stop']);
    });

    it('with --verbose it waits for the workers (their output comes before the table)', async () => {
      const events: string[] = [];
      const service = serviceLogging(twoHandsets('verbose'), events);
      await service.onPrepare();
      await writeHandsetResult(runDir, handsetResult('a'));
      await writeHandsetResult(runDir, handsetResult('b'));
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(events, []);
      await service.onComplete();
      assert.deepEqual(events, ['verdict:-', 'html', 'stop']);
    });
  });
});

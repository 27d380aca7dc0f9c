import assert from 'node:assert/strict';
import { SevereServiceError } from 'webdriverio';
import type { Infrastructure } from '../../src/run/infrastructure.ts';
import { StartError } from '../../src/run/infrastructure.ts';
import { HeaderguardLauncherService } from '../../src/run/launcher-service.ts';
import type { Session } from '../../src/run/session.ts';

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
      finish: async (_s, options) => {
        events.push(`finish:${options?.whyMissing ?? '-'}`);
        return {} as never;
      },
    });
    await service.onPrepare();
    await service.onComplete();
    assert.deepEqual(events, ['start', 'finish:-', 'stop']);
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
      finish: async (_s, options) => {
        events.push(`finish:${options?.whyMissing}`);
        return {} as never;
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
      'finish:the run could not start: the bearer simulator sim:o2 of handset h (127.0.0.1:9) could not start: msisdn 4477******23 refused',
    ]);
  });

  it('stops what it started even when writing the report fails', async () => {
    const events: string[] = [];
    const service = new HeaderguardLauncherService({
      session,
      start: async () => infrastructure(events),
      finish: async () => {
        throw new Error('disk full');
      },
    });
    await service.onPrepare();
    await assert.rejects(service.onComplete(), /disk full/);
    assert.deepEqual(events, ['stop']);
  });
});

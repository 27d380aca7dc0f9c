import assert from 'node:assert/strict';
import { SevereServiceError } from 'webdriverio';
import {
  holdInfrastructure,
  releaseHeldInfrastructure,
  takeHeldInfrastructure,
} from '../../src/run/held-infrastructure.ts';
import { type Infrastructure, StartError } from '../../src/run/infrastructure.ts';
import { HeaderguardLauncherService } from '../../src/run/launcher-service.ts';
import type { Session } from '../../src/run/session.ts';

const session = { plan: { output: 'quiet' }, farm: {}, handsets: [] } as unknown as Session;

function infrastructure(events: string[], name: string): Infrastructure {
  return {
    simulators: [],
    async stop() {
      events.push(`stop ${name}`);
    },
  };
}

describe('run/held-infrastructure', () => {
  afterEach(async () => {
    await releaseHeldInfrastructure();
  });

  it('is taken once; what nobody took is stopped on release, what was taken is not', async () => {
    const events: string[] = [];
    holdInfrastructure(Promise.resolve(infrastructure(events, 'a')));
    const taken = takeHeldInfrastructure();
    assert.ok(taken);
    assert.equal(takeHeldInfrastructure(), undefined, 'once');
    await releaseHeldInfrastructure();
    assert.deepEqual(events, [], 'its taker stops it');
    holdInfrastructure(Promise.resolve(infrastructure(events, 'b')));
    await releaseHeldInfrastructure();
    assert.deepEqual(events, ['stop b']);
    // A start that failed and that nobody took: released quietly.
    holdInfrastructure(Promise.reject(new StartError('x')));
    await releaseHeldInfrastructure();
  });

  it('the launcher service uses the held infrastructure, and stops it after the workers', async () => {
    const events: string[] = [];
    holdInfrastructure(Promise.resolve(infrastructure(events, 'held')));
    const service = new HeaderguardLauncherService({
      session,
      verdict: async () => {},
      htmlReport: async () => {},
    });
    await service.onPrepare();
    await service.onComplete();
    assert.deepEqual(events, ['stop held']);
  });

  it("a held start that failed is the service's SevereServiceError, one masked line", async () => {
    holdInfrastructure(
      Promise.reject(
        new StartError('the embedded capture endpoint could not start: msisdn 447700900123 taken'),
      ),
    );
    const reported: string[] = [];
    const service = new HeaderguardLauncherService({
      session,
      verdict: async (_s, options) => {
        reported.push(options?.whyMissing ?? '-');
      },
      htmlReport: async () => {},
    });
    await assert.rejects(service.onPrepare(), (err: unknown) => {
      assert.ok(err instanceof SevereServiceError);
      assert.equal(
        (err as Error).message,
        'the embedded capture endpoint could not start: msisdn 4477******23 taken',
      );
      return true;
    });
    await service.onComplete();
    assert.deepEqual(reported, [
      'the run could not start: the embedded capture endpoint could not start: msisdn 4477******23 taken',
    ]);
  });
});

import assert from 'node:assert/strict';
import {
  CaptureClient,
  type RunningCaptureServer,
  startLocalCaptureServer,
} from '../../src/capture/index.ts';
import { validateFarm } from '../../src/farm/index.ts';
import { checkHandset, type PageProgress, type ProbeDriver } from '../../src/run/check-handset.ts';

const [handset] = validateFarm(
  {
    name: 'f',
    handsets: [{ id: 'h', bearer: 'o2', emulate: 'Pixel 7', identity: { msisdn: '447700900123' } }],
  },
  'f.json',
  {},
).handsets;

/** A browser whose page never loads anything: every wait on it ends incomplete. */
function deadBrowser(): ProbeDriver & { waits: number[]; polls: number } {
  const never: PageProgress = { complete: false, done: 0, total: 16 };
  const driver = {
    waits: [] as number[],
    polls: 0,
    async open() {},
    async pageProgress() {
      driver.polls++;
      return never;
    },
    async pageProgressWhenComplete(waitMs: number) {
      driver.waits.push(waitMs);
      await new Promise((r) => setTimeout(r, waitMs));
      return never;
    },
  };
  return driver;
}

describe('run/check-handset: bounded waits, fail closed', function () {
  this.timeout(20_000);
  let server: RunningCaptureServer;
  let client: CaptureClient;
  before(async () => {
    server = await startLocalCaptureServer({ apiKey: 'k' });
    client = new CaptureClient(server.apiBaseUrl, 'k');
  });
  after(async () => {
    await server.close();
  });

  const options = (log: string[] = []) => ({
    pageTimeoutMs: 300,
    captureTimeoutMs: 200,
    pollIntervalMs: 50,
    pageWaitSliceMs: 120,
    log: (l: string) => log.push(l),
  });

  it('waits on the page in slices no longer than asked and never past the page timeout', async () => {
    const driver = deadBrowser();
    const log: string[] = [];
    const check = await checkHandset(handset!, driver, client, options(log));
    assert.ok(driver.waits.length >= 2, `waited in slices: ${driver.waits}`);
    assert.ok(
      driver.waits.every((w) => w <= 120),
      `no slice longer than pageWaitSliceMs: ${driver.waits}`,
    );
    assert.ok(
      driver.waits.reduce((a, b) => a + b, 0) <= 300 + 120,
      `bounded by the page timeout: ${driver.waits}`,
    );
    assert.equal(driver.polls, 0, 'waits on the page event instead of polling when the driver can');
    assert.ok(log.some((l) => /probe page did not complete/.test(l)));
    assert.equal(check.judgement.verdict, 'broken');
  });

  it('is broken with an incomplete finding per missing probe when nothing arrives', async () => {
    const check = await checkHandset(handset!, deadBrowser(), client, options());
    assert.equal(check.judgement.verdict, 'broken');
    assert.equal(check.captured, 0);
    const named = new Set(
      check.judgement.findings.filter((f) => f.rule === 'incomplete').map((f) => f.probe),
    );
    for (const p of check.run.plan) assert.ok(named.has(p.probe), `${p.probe} is named as missing`);
  });

  it('polls the page when the driver has no completion event, still bounded', async () => {
    const driver = deadBrowser();
    const { pageProgressWhenComplete: _unused, ...polling } = driver;
    const counted = { ...polling, pageProgress: driver.pageProgress };
    const check = await checkHandset(handset!, counted, client, options());
    assert.ok(driver.polls >= 2, `polled: ${driver.polls}`);
    assert.equal(check.judgement.verdict, 'broken');
  });
});

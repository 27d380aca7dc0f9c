/**
 * A real browser opens `startUrl` and, with no further help, loads every planned probe. Headless Chromium with
 * a phone's emulation stands in for a handset; the server, not the page, decides that the run is complete.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { type Browser, chromium, devices } from 'playwright-core';
import type { CaptureClient, RunningCaptureServer } from '../../src/capture/index.ts';
import { CHROMIUM, CHROMIUM_FLAGS } from '../../src/shared/chromium.ts';
import { startTestServer } from './helpers.ts';

describe('navigation page in a real browser', function () {
  this.timeout(60_000);
  let server: RunningCaptureServer;
  let client: CaptureClient;
  let browser: Browser;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run npm run setup:system`);
    ({ server, client } = await startTestServer());
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_FLAGS] });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads every planned probe from startUrl alone, and the server judges the run complete', async () => {
    const run = await client.createRun({ handset: 'pixel-7-emulated', bearer: 'o2' });
    const context = await browser.newContext({ ...devices['Pixel 7'], ignoreHTTPSErrors: true });
    try {
      const page = await context.newPage();
      await page.goto(run.startUrl);
      await page.waitForFunction(() => document.body.dataset.complete === 'true', null, { timeout: 30_000 });
      const data = await page.evaluate(() => ({ ...document.body.dataset }));
      assert.equal(data.probesTotal, String(run.plan.length));
      assert.equal(data.probesDone, String(run.plan.length));
      assert.equal(data.probesFailed, '0');
    } finally {
      await context.close();
    }

    const result = await client.getCaptures(run.token);
    assert.deepEqual(result.missing, []);
    assert.equal(result.complete, true);

    const first = (probe: string) => {
      const c = result.captures.find((x) => x.probe === probe && x.method === 'GET');
      assert.ok(c, `captured ${probe}`);
      return c;
    };
    // The partner pages sent the canary themselves, over HTTP and HTTPS.
    for (const probe of ['canary', 'canary-tls']) {
      const sent = first(probe).headers.filter(([n]) => n.toLowerCase() === run.canary.header);
      assert.deepEqual(
        sent.map(([, v]) => v),
        [run.canary.value],
        probe,
      );
    }
    // Connection reuse and forced new connections, as planned.
    const fetch = first('fetch');
    const same = first('same-conn');
    const fresh = first('new-conn');
    assert.equal(same.connectionId, fetch.connectionId);
    assert.ok(same.connectionRequestIndex > 1);
    assert.notEqual(fresh.connectionId, same.connectionId);
    assert.notEqual(first('new-conn-tls').connectionId, first('same-conn-tls').connectionId);
    // HTTPS twins went over h2; the phone's user agent arrived.
    assert.equal(first('nav-tls').httpVersion, '2.0');
    assert.match(first('nav').headers.find(([n]) => n === 'User-Agent')![1], /Android/);
    assert.equal(first('partner').host, new URL(run.plan.find((p) => p.probe === 'partner')!.url).host);
  });
});

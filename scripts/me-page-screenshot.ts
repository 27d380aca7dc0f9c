/**
 * docs/me-page.png: `/me` in headless Chromium, browsed through a loopback stand-in for a gateway that adds Via,
 * X-Forwarded-For and the O2 2012 header (an Ofcom drama-range number) over plain HTTP.
 *   node --import tsx scripts/me-page-screenshot.ts docs/me-page.png
 */
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS } from '../src/shared/chromium.ts';
import { startTestServer } from '../test/capture/helpers.ts';
import { startTestGateway } from '../test/support/test-gateway.ts';

const { server } = await startTestServer();
const proxy = await startTestGateway({
  addHeaders: () => [
    ['Via', '1.1 gw3.o2.example'],
    ['X-Forwarded-For', '100.64.12.34'],
    ['x-up-calling-line-id', '447700900123'],
  ],
});
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: [
    ...CHROMIUM_FLAGS,
    `--proxy-server=http://127.0.0.1:${proxy.port}`,
    '--proxy-bypass-list=<-loopback>',
  ],
});
try {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1100, height: 900 } });
  const page = await ctx.newPage();
  page.on('console', (m) => console.log('console', m.text()));
  await page.goto(`http://probe.localhost:${server.ports.main}/me`);
  await page.waitForFunction(() => document.body.dataset.compared !== undefined, null, { timeout: 15000 });
  console.log(
    await page.evaluate(() => ({
      ...document.body.dataset,
      status: document.getElementById('compare')?.textContent,
    })),
  );
  await page.screenshot({ path: process.argv[2] ?? '/tmp/hgapi/me.png', fullPage: true });
} finally {
  await browser.close();
  await proxy.close();
  await server.close();
}

/**
 * WebDriver session start and a first page, straight at chromedriver (the baseline: what `headerguard run`
 * gives emulated handsets) against the same through a Selenium Grid 4 standalone (test/support/selenium-grid.ts):
 * what a hub in front costs per handset. Also Grid's own start-up.
 *
 *   node --import tsx bench/session-start.bench.ts [--rounds N]
 *
 * Same machine, same run, same Chromium flags; rounds one after another (the first Grid session warms its JVM).
 */
import { remote } from 'webdriverio';
import { startChromedriver } from '../src/run/chromedriver.ts';
import { CHROMIUM, CHROMIUM_FLAGS } from '../src/shared/chromium.ts';
import { freePort } from '../src/shared/free-port.ts';
import { startGrid } from '../test/support/selenium-grid.ts';

const argv = process.argv.slice(2);
const at = argv.indexOf('--rounds');
const rounds = at >= 0 ? Number(argv[at + 1]) : 4;

const capabilities = {
  browserName: 'chrome',
  'goog:chromeOptions': { binary: CHROMIUM, args: [...CHROMIUM_FLAGS, '--no-proxy-server'] },
  'wdio:enforceWebDriverClassic': true,
};

async function measure(label: string, port: number): Promise<number[]> {
  const starts: number[] = [];
  const pages: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const browser = await remote({
      hostname: '127.0.0.1',
      port,
      path: '/',
      capabilities: capabilities as WebdriverIO.Capabilities,
      logLevel: 'error',
    });
    const t1 = performance.now();
    await browser.url('data:text/html,<title>t</title>');
    await browser.getTitle();
    const t2 = performance.now();
    await browser.deleteSession();
    starts.push(t1 - t0);
    pages.push(t2 - t1);
  }
  const s = (xs: number[]) => xs.map((x) => (x / 1000).toFixed(2)).join(' ');
  console.log(`${label}: session start s ${s(starts)} | first page s ${s(pages)}`);
  return starts;
}

const port = await freePort();
const chromedriver = await startChromedriver(port);
const direct = await measure('direct chromedriver (baseline)', port);
await chromedriver.stop();
const t = performance.now();
const grid = await startGrid();
console.log(`Selenium Grid 4 standalone ready in ${((performance.now() - t) / 1000).toFixed(1)} s`);
try {
  const viaGrid = await measure('through Selenium Grid 4', grid.port);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`median session start: Grid / direct = ${(median(viaGrid) / median(direct)).toFixed(2)}`);
} finally {
  await grid.stop();
}

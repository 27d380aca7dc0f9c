/**
 * WebDriver session start and a first page, straight at chromedriver (the baseline: what `headerguard run`
 * gives emulated handsets) against the same through a local Appium 3 server with its Chromium driver (what a
 * phone on a rack's host goes through; test/support/appium-server.ts, the driver installed into `.appium/` if
 * missing) and through a Selenium Grid 4 standalone (test/support/selenium-grid.ts): what each layer in front
 * costs per handset; and a Grid relay node in front of that Appium (a rack behind a hub). Also each one's start-up.
 *
 *   node --import tsx bench/session-start.bench.ts [--rounds N]
 *
 * Same machine, same run, same Chromium flags; rounds one after another (the first Grid session warms its JVM).
 */
import { remote } from 'webdriverio';
import { startChromedriver } from '../src/run/chromedriver.ts';
import { CHROMIUM, CHROMIUM_FLAGS } from '../src/shared/chromium.ts';
import { freePort } from '../src/shared/free-port.ts';
import {
  appiumChromiumCapabilities,
  installAppiumChromiumDriver,
  startAppium,
} from '../test/support/appium-server.ts';
import { startGrid } from '../test/support/selenium-grid.ts';

const argv = process.argv.slice(2);
const at = argv.indexOf('--rounds');
const rounds = at >= 0 ? Number(argv[at + 1]) : 4;

const capabilities = {
  browserName: 'chrome',
  'goog:chromeOptions': { binary: CHROMIUM, args: [...CHROMIUM_FLAGS, '--no-proxy-server'] },
  'wdio:enforceWebDriverClassic': true,
};

async function measure(
  label: string,
  port: number,
  caps: Record<string, unknown> = capabilities,
): Promise<number[]> {
  const starts: number[] = [];
  const pages: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const browser = await remote({
      hostname: '127.0.0.1',
      port,
      path: '/',
      capabilities: caps as WebdriverIO.Capabilities,
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
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);
const tInstall = performance.now();
installAppiumChromiumDriver();
console.log(`Appium's Chromium driver in .appium/ (installed if missing) in ${seconds(tInstall)} s`);
const tAppium = performance.now();
const appium = await startAppium();
console.log(`Appium 3 ready in ${seconds(tAppium)} s`);
try {
  const viaAppium = await measure(
    'through a local Appium (Chromium driver)',
    appium.port,
    appiumChromiumCapabilities(['--no-proxy-server'], await freePort()),
  );
  console.log(`median session start: Appium / direct = ${(median(viaAppium) / median(direct)).toFixed(2)}`);
  // A rack behind a hub: a Grid relay node in front of the same Appium server.
  const tRelay = performance.now();
  const relay = await startGrid({
    maxSessions: 1,
    relay: {
      url: appium.url,
      stereotype: { platformName: 'linux', browserName: 'chrome', 'appium:automationName': 'Chromium' },
    },
  });
  console.log(`Selenium Grid 4 relay node (to that Appium) ready in ${seconds(tRelay)} s`);
  try {
    const viaRelay = await measure(
      'through a Grid relay to that Appium',
      relay.port,
      appiumChromiumCapabilities(['--no-proxy-server'], await freePort()),
    );
    console.log(`median session start: relay / direct = ${(median(viaRelay) / median(direct)).toFixed(2)}`);
  } finally {
    await relay.stop();
  }
} finally {
  await appium.stop();
}
const t = performance.now();
const grid = await startGrid();
console.log(`Selenium Grid 4 standalone ready in ${seconds(t)} s`);
try {
  const viaGrid = await measure('through Selenium Grid 4', grid.port);
  console.log(`median session start: Grid / direct = ${(median(viaGrid) / median(direct)).toFixed(2)}`);
} finally {
  await grid.stop();
}

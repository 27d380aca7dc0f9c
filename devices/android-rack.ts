import { fileURLToPath } from 'node:url';
import { defineFarm } from '../src/farm/index.ts';

/**
 * An Android rack on this machine: phones on USB, a local Appium server (started by the run, drivers from the
 * project's `.appium/`: `APPIUM_HOME=.appium npx appium driver install uiautomator2`), Chrome on each phone
 * browsing over its own SIM. Each phone has its own ports (UiAutomator2's `systemPort`, the chromedriver
 * Appium starts for it) so several run at once; the chromedrivers matching the phones' Chrome versions are
 * put in `.appium/chromedrivers/` beforehand and never downloaded (`chromedriverAutodownload` off).
 * Identities come from the environment (or root-only files, `file:/path`), never from this file.
 */
const partnerEnrichment = ['x-up-calling-line-id'];
const chromedriverDir = fileURLToPath(new URL('../.appium/chromedrivers', import.meta.url));

const phone = (slot: number, udid: string) => ({
  platformName: 'Android',
  browserName: 'Chrome',
  'appium:automationName': 'UiAutomator2',
  'appium:udid': udid,
  'appium:systemPort': 8200 + slot,
  'appium:chromedriverPort': 9515 + slot,
  'appium:chromedriverExecutableDir': chromedriverDir,
  'appium:chromedriverAutodownload': false,
  'appium:newCommandTimeout': 120,
  'wdio:maxInstances': 1,
});

export default defineFarm({
  name: 'android-rack',
  // Once the carrier has whitelisted the endpoint's partner host, the partner is owed the number.
  bearers: [
    { id: 'o2', name: 'O2 UK', country: 'GB', mccmnc: ['234-10'], partnerEnrichment },
    { id: 'giffgaff', name: 'giffgaff', parent: 'o2', partnerEnrichment },
  ],
  handsets: [
    {
      id: 'rack-o2-pixel-7',
      bearer: 'o2',
      device: 'Pixel 7 (rack slot 1)',
      appium: phone(1, '33091FDH2000A1'),
      identity: { msisdn: 'env:HG_RACK_O2_MSISDN', imsi: 'env:HG_RACK_O2_IMSI' },
    },
    {
      id: 'rack-giffgaff-galaxy-s23',
      bearer: 'giffgaff',
      device: 'Galaxy S23 (rack slot 2)',
      appium: phone(2, 'R5CW20ABCDE'),
      identity: { msisdn: 'env:HG_RACK_GIFFGAFF_MSISDN' },
    },
  ],
});

/**
 * Take a screenshot of a run's Allure report (for docs/): `node --import tsx scripts/screenshot-report.ts
 * <run-dir> <out.png> [hash]`, e.g. hash `#categories` or `#behaviors`; or of any HTML file given instead of a
 * run dir (an incident record: `… incident.html docs/incident-record.png`). Uses Debian Chromium, nothing downloaded.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS } from '../src/shared/chromium.ts';

const [runDir, out, hash = ''] = process.argv.slice(2);
if (!runDir || !out) {
  console.error('usage: screenshot-report.ts <run-dir | file.html> <out.png> [#hash]');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: [...CHROMIUM_FLAGS],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const file = runDir.endsWith('.html') ? runDir : path.join(runDir, 'allure-report', 'index.html');
  await page.goto(pathToFileURL(file).href + hash);
  // Allure renders with script after load; a plain HTML file is ready once loaded.
  if (file !== runDir) await page.waitForTimeout(2500);
  await page.screenshot({ path: out });
} finally {
  await browser.close();
}

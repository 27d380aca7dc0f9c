import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS } from '../../src/shared/chromium.ts';
import { runCli } from '../support/cli.ts';

// End to end: two real runs through the bearer simulator (the O2 2012 replay, then a healthy gateway), the
// incident record built from their folders, and its HTML form opened from file:// in Debian Chromium.

/** The simulated o2 handset's identifiers (devices/simulated.ts), in the forms a leak would show them. */
const RAW = ['447700900101', '07700900101', '7700900101', '234100000900101', '356938035643809'];

describe('headerguard incident (end to end, through the simulator)', function () {
  this.timeout(400_000);
  let dir: string;
  let runs: string[];
  let md: string;
  let html: string;
  let browser: Browser | undefined;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run npm run setup:system`);
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-incident-e2e-'));
    const reports = path.join(dir, 'reports');
    const base = ['run', '--bearer', 'o2', '--report-dir', reports, '--tag', 'canary', '--quiet'];
    const red = await runCli([...base, '--sim-fault', 'o2-2012'], { timeoutMs: 180_000 });
    assert.equal(red.code, 1, red.stdout + red.stderr);
    const green = await runCli(base, { timeoutMs: 180_000 });
    assert.equal(green.code, 0, green.stdout + green.stderr);
    runs = (await readdir(reports)).sort().map((r) => path.join(reports, r));
    assert.equal(runs.length, 2);
    const out = path.join(dir, 'incident.md');
    const res = await runCli(['incident', ...runs, '--out', out, '--html']);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    md = await readFile(out, 'utf8');
    html = await readFile(path.join(dir, 'incident.html'), 'utf8');
  });
  after(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('names the leaked headers, first seen in the red run, and the green run after it', () => {
    const [redRun, greenRun] = runs.map((r) => path.basename(r));
    assert.match(md, new RegExp(`Exposure first seen: .* \\(run ${redRun}\\)`));
    assert.match(md, new RegExp(`First green run after it: .* \\(run ${greenRun}\\)`));
    assert.match(
      md,
      /^\| x-up-calling-line-id \| o2 \| not recorded \| IPv4 \| .* \| o2-pixel-7 \| navigation, /m,
    );
    assert.match(
      md,
      /Exposed: MSISDN as E\.164 without '\+', sent by the network\. Evidence \(masked\): MSISDN 4477\*{6}01/,
    );
    assert.match(md, /Identifiers exposed: MSISDN, IMSI/);
  });

  it('holds no full identifier in either form', () => {
    for (const [form, text] of [
      ['Markdown', md],
      ['HTML', html],
    ] as const) {
      const squeezed = text.replace(/[\s+\-.()]/g, '');
      for (const raw of RAW) assert.ok(!squeezed.includes(raw), `${form} holds ${raw.slice(0, 4)}…`);
    }
  });

  it('the HTML form opens from file:// in Chromium, loads nothing else and shows every section', async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_FLAGS] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    const url = pathToFileURL(path.join(dir, 'incident.html')).href;
    await page.goto(url);
    assert.deepEqual(requested, [url], 'nothing but the file itself');
    assert.equal(await page.locator('h1').textContent(), 'Incident record: subscriber identifier exposure');
    const leakRows = await page.locator('table#leaks tbody tr').allInnerTexts();
    assert.ok(
      leakRows.some((r) => r.startsWith('x-up-calling-line-id')),
      leakRows.join('\n'),
    );
    assert.equal(await page.locator('table#runs tbody tr').count(), 2);
    const prompts = page.locator('section.prompt');
    assert.equal(await prompts.count(), 6);
    for (const p of await prompts.all()) assert.ok(await p.isVisible());
    const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    assert.ok(fits, 'no sideways scrolling at 1280 px');
    const text = ((await page.locator('body').textContent()) ?? '').replace(/[\s+\-.()]/g, '');
    for (const raw of RAW) assert.ok(!text.includes(raw), `the page shows ${raw.slice(0, 4)}…`);
  });
});

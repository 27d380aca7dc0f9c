import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { devices } from 'playwright-core';
import { deviceDescriptors } from '../../src/shared/devices.ts';

const { version } = createRequire(import.meta.url)('playwright-core/package.json') as { version: string };

describe('shared/devices: cached Playwright device descriptors', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'hg-devices-'));
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("gives Playwright's descriptors and keeps a copy named by Playwright's version", () => {
    const dir = tempDir();
    assert.deepEqual(deviceDescriptors(dir), devices);
    assert.deepEqual(readdirSync(dir), [`playwright-core-${version}.json`]);
    assert.deepEqual(
      JSON.parse(readFileSync(path.join(dir, `playwright-core-${version}.json`), 'utf8')),
      devices,
    );
  });

  it('reads the copy instead of Playwright when there is one for this version', () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    const fake = { 'Cached Phone': devices['Pixel 7'] };
    writeFileSync(path.join(dir, `playwright-core-${version}.json`), JSON.stringify(fake));
    assert.deepEqual(Object.keys(deviceDescriptors(dir)), ['Cached Phone']);
  });

  it('loads Playwright when the copy is unreadable', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, `playwright-core-${version}.json`), '{not json');
    assert.deepEqual(deviceDescriptors(dir), devices);
  });
});

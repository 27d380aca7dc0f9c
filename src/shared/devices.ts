/**
 * Playwright's device descriptors (the handsets `emulate` can name), without loading Playwright each time:
 * playwright-core takes ~0.5 s to load (more under tsx) and the descriptors are plain data. They are kept in
 * `.cache/devices/<playwright-core version>.json` inside the project the first time they are needed; a cache
 * that cannot be read or written only means loading playwright-core as before.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { devices as Devices } from 'playwright-core';
import { writeFileAtomicSync } from './atomic-write.ts';

export type DeviceDescriptors = typeof Devices;

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const loaded = new Map<string, DeviceDescriptors>();

export function deviceDescriptors(
  cacheDir: string = path.join(ROOT, '.cache', 'devices'),
): DeviceDescriptors {
  const known = loaded.get(cacheDir);
  if (known) return known;
  const { version } = require('playwright-core/package.json') as { version: string };
  const file = path.join(cacheDir, `playwright-core-${version}.json`);
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as DeviceDescriptors;
    loaded.set(cacheDir, cached);
    return cached;
  } catch {
    // not cached yet (or unreadable): load them from Playwright and keep a copy
  }
  const devices = (require('playwright-core') as typeof import('playwright-core')).devices;
  loaded.set(cacheDir, devices);
  try {
    mkdirSync(cacheDir, { recursive: true });
    writeFileAtomicSync(file, JSON.stringify(devices));
  } catch {
    // a read-only checkout: load Playwright every time
  }
  return devices;
}

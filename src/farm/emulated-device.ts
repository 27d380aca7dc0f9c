import { editDistance } from '../shared/config-error.ts';
import { DEVICE_NAMES } from './device-names.ts';

/**
 * The `emulate` field: a playwright-core device descriptor name (`Pixel 7`, `iPhone 14`, `Galaxy S9+`), checked
 * against the list in device-names.ts so that validation does not load playwright-core.
 */

const NAMES = new Set(DEVICE_NAMES);

export function isDeviceName(name: string): boolean {
  return NAMES.has(name);
}

/**
 * Up to `max` device names the user probably meant: the same name but for case and spacing (`pixel 7`,
 * `Pixel7` → `Pixel 7`) alone; else names within a small edit distance, or of the same family (first word).
 */
export function suggestDevices(name: string, max = 4): string[] {
  const key = squash(name);
  const wantsLandscape = /\blands/i.test(name);
  const candidates = DEVICE_NAMES.filter((d) => wantsLandscape || !d.endsWith(' landscape'));
  const same = DEVICE_NAMES.filter((d) => squash(d) === key);
  if (same.length > 0) return same.slice(0, max);
  const near = candidates
    .map((d) => ({ d, distance: editDistance(key, squash(d)), extends: squash(d).startsWith(key) }))
    .filter((c) => c.distance <= Math.max(1, Math.min(3, Math.floor(key.length / 4))))
    .sort((a, b) => a.distance - b.distance || Number(b.extends) - Number(a.extends))
    .map((c) => c.d);
  if (near.length > 0) return near.slice(0, max);
  const family = name.trim().toLowerCase().split(/\s+/)[0] ?? '';
  return family ? candidates.filter((d) => d.toLowerCase().startsWith(family)).slice(0, max) : [];
}

/** `unknown emulated device "x" (did you mean "A", "B"?)`, or a pointer to the names when nothing is close. */
export function unknownDevice(name: string): string {
  const close = suggestDevices(name);
  const hint = close.length
    ? `did you mean ${close.map((d) => JSON.stringify(d)).join(', ')}?`
    : 'see the Playwright device names, e.g. "Pixel 7", "iPhone 14", "Galaxy S9+"';
  return `unknown emulated device ${JSON.stringify(name)} (${hint})`;
}

/** Lower case, without spaces, dashes, underscores or dots: `Pixel 7`, `pixel-7` and `Pixel7` are one key. */
function squash(name: string): string {
  return name.toLowerCase().replace(/[\s._-]+/g, '');
}

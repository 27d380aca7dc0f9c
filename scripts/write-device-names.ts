/**
 * Writes src/farm/device-names.ts: the names of playwright-core's device descriptors, so that farm validation
 * knows them without loading playwright-core (about a second on a 2-core machine). test/farm/device-names.test.ts
 * fails when the list and the installed playwright-core disagree. Run: node --import tsx scripts/write-device-names.ts
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { devices } from 'playwright-core';

const pkg = (await import('playwright-core/package.json', { with: { type: 'json' } })).default as {
  version: string;
};
const file = path.join(import.meta.dirname, '..', 'src', 'farm', 'device-names.ts');
const names = Object.keys(devices).map((n) => `  '${n.replace(/['\\]/g, '\\$&')}',`);
writeFileSync(
  file,
  [
    `/**`,
    ` * The device descriptor names of playwright-core ${pkg.version} (what \`emulate\` may name), written by`,
    ` * scripts/write-device-names.ts. Farm validation reads this list instead of loading playwright-core.`,
    ` */`,
    `export const DEVICE_NAMES: readonly string[] = Object.freeze([`,
    ...names,
    `]);`,
    '',
  ].join('\n'),
);
console.log(`wrote ${names.length} device names to ${path.relative(process.cwd(), file)}`);

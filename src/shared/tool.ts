import { readFileSync } from 'node:fs';

/** This tool's name and version, as package.json says: reports name what wrote them. */
export const TOOL: { readonly name: string; readonly version: string } = (() => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    name: string;
    version: string;
  };
  return Object.freeze({ name: pkg.name, version: pkg.version });
})();

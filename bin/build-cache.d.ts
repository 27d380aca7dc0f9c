/** Types of build-cache.js (plain JavaScript: the bin loads it before any TypeScript can). */
export function compiledBuild(options: {
  root: string;
  name: string;
  entryPoints: Record<string, string>;
  define?: Record<string, string>;
  splitting?: boolean;
  bundlePackages?: boolean;
  external?: string[];
}): Promise<string>;
export function keepModuleUrls(filter: RegExp): import('esbuild').Plugin;
export function keepPackageLocations(): import('esbuild').Plugin;

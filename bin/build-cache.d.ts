/** Types of build-cache.js (plain JavaScript: the bin loads it before any TypeScript can). */
export function compiledBuild(options: {
  root: string;
  name: string;
  entryPoints: Record<string, string>;
  define?: Record<string, string>;
  splitting?: boolean;
  bundlePackages?: boolean;
  external?: string[];
  format?: 'esm' | 'cjs';
  files?: Record<string, string>;
}): Promise<string>;
export function keepModuleUrls(filter: RegExp): import('esbuild').Plugin;
export function keepPackageLocations(): import('esbuild').Plugin;
/** A build's inputs as a manifest records them: `[path relative to root, size, mtimeMs]` (-1: unknown). */
export type RecordedInput = [rel: string, size: number, mtimeMs: number];
export function recordInputs(rels: string[], root: string, startedAt: number): RecordedInput[];
export function inputsUnchanged(inputs: unknown, root: string): boolean;
/** Remove what in `cacheDir` no process has used for a day, but `current` and the manifest; never throws. */
export function pruneOldBuilds(cacheDir: string, current?: string): void;
/** Keep a build folder marked used (every `everyMs`, default an hour) until the returned function is called. */
export function keepBuildInUse(dir: string, everyMs?: number): () => void;
/** The file of a CommonJS build folder its bundles' `import()`s go through. */
export const BUNDLE_IMPORTER: string;
/** The name a CommonJS build calls instead of `import(`. */
export const IMPORT_FUNCTION: string;
/** esbuild's CommonJS output with each `import(…)` expression calling IMPORT_FUNCTION instead. */
export function withImportsThroughLoader(text: string, file: string): Promise<string>;

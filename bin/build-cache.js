/**
 * TypeScript compiled once to plain JavaScript and kept until its sources change, so that processes load no
 * TypeScript through tsx's module hooks (every import through a hook is a round trip to tsx's loader thread:
 * the CLI's own modules load in ~0.2 s bundled against ~0.6 s through tsx on this project's 2-core machine).
 *
 * A build is esbuild (which tsx itself uses) bundling the entry points with packages external and lazily imported
 * modules split into chunks; it lives in `.cache/<name>/<content hash>/` inside the project (packages resolve from
 * there). `.cache/<name>/manifest.json` names the current build and every local file that went into it with its
 * size and modification time: when each still matches, the build is used as it is (a few hundred stat calls,
 * about a millisecond); when one differs, the entry points are built again. Builds are written to a temporary
 * folder and renamed into place, so concurrent processes share or race harmlessly. Plain JavaScript: the bin
 * needs it before any TypeScript can load.
 */
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Bumped when what a build contains changes for the same sources (options, plugin). */
const FORMAT = 2;
/** A build no process has used for a day is no process's any more. */
const KEEP_BUILDS_MS = 24 * 3600_000;

/** The expression, not the words inside a string (`'import.meta.url'`, as in this file). */
const IMPORT_META_URL = /(?<![\w$.'"`])import\.meta\.url(?![\w$'"`])/g;

/**
 * Modules find files next to themselves (`import.meta.url`): each module matched by `filter` keeps its own
 * location in a bundle (its source text rewritten; TypeScript or JavaScript by extension). A file under
 * node_modules is left to esbuild. Shared with src/farm/load-module.ts (a farm compiled in memory).
 * @param {RegExp} filter
 * @returns {import('esbuild').Plugin}
 */
export function keepModuleUrls(filter) {
  return {
    name: 'keep-module-urls',
    setup(build) {
      build.onLoad({ filter }, (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const text = readFileSync(args.path, 'utf8');
        return {
          contents: text.replace(IMPORT_META_URL, JSON.stringify(pathToFileURL(args.path).href)),
          loader: /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js',
        };
      });
    },
  };
}

/**
 * A package bundled into a build (`bundlePackages`) still finds the files it ships beside its code: each of its
 * modules keeps its own `import.meta.url`, and a CommonJS module that reads `__dirname`/`__filename` (which an
 * ES module output has not) gets its own, unless it declares them itself.
 * @returns {import('esbuild').Plugin}
 */
export function keepPackageLocations() {
  return {
    name: 'keep-package-locations',
    setup(build) {
      build.onLoad({ filter: /[\\/]node_modules[\\/].*\.[cm]?js$/ }, (args) => {
        let text = readFileSync(args.path, 'utf8');
        const hasUrl = text.includes('import.meta.url');
        const usesDir = /\b__(?:dirname|filename)\b/.test(text);
        if (!hasUrl && !usesDir) return undefined;
        if (hasUrl) text = text.replace(IMPORT_META_URL, JSON.stringify(pathToFileURL(args.path).href));
        if (usesDir && !/\b(?:var|let|const|function)\s+__(?:dirname|filename)\b/.test(text)) {
          text = `var __filename = ${JSON.stringify(args.path)}, __dirname = ${JSON.stringify(path.dirname(args.path))};\n${text}`;
        }
        return { contents: text, loader: 'js', resolveDir: path.dirname(args.path) };
      });
    },
  };
}

/**
 * Modules whose top-level `await` runs only when the file is Node's main script (a driver download on `npm
 * install`, behind `if (process.argv[1] && …endsWith(…'dist/install.js'…)`). A CommonJS build cannot hold a top-level
 * await, and in a bundle the file is never the main script: the call stays, behind its condition, un-awaited.
 * When a package's text no longer matches, the build fails and names the file.
 */
const SCRIPT_ONLY_AWAITS = /[\\/]node_modules[\\/](?:edgedriver|geckodriver)[\\/]dist[\\/]install\.js$/;
const SCRIPT_ONLY_AWAIT = /^(\s*)await download\(\)/m;

/** @returns {import('esbuild').Plugin} */
function withoutScriptOnlyAwaits() {
  return {
    name: 'without-script-only-awaits',
    setup(build) {
      build.onLoad({ filter: SCRIPT_ONLY_AWAITS }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!SCRIPT_ONLY_AWAIT.test(text) || !/if \(process\.argv\[1\] &&/.test(text))
          throw new Error(`${args.path}: its install-time await is not where a CommonJS build expects it`);
        return {
          contents: text.replace(SCRIPT_ONLY_AWAIT, '$1void download()'),
          loader: 'js',
          resolveDir: path.dirname(args.path),
        };
      });
    },
  };
}

/**
 * CommonJS code bundled into an ES module still calls `require` for what esbuild leaves to run time. (`meta['url']`:
 * the text of this file may itself go through keepModuleUrls, when a farm compiled in memory imports it.)
 */
const REQUIRE_BANNER =
  "import { createRequire as __headerguardCreateRequire } from 'node:module'; const require = __headerguardCreateRequire(import.meta['url']);";

/**
 * Packages no build bundles (`bundlePackages` leaves them to node_modules): native addons, packages that start
 * threads or processes from their own files (pino's transports, esbuild, tsx), optional ones that may not be
 * installed, and stream-buffers (WDIO's local runner), which calls `new Buffer()`: Node prints a deprecation
 * warning for that unless the caller is in node_modules, and every run printed it.
 */
const NEVER_BUNDLED = [
  'better-sqlite3',
  'pino',
  'pino-*',
  'thread-stream',
  'esbuild',
  'tsx',
  'fsevents',
  'stream-buffers',
];

/**
 * A CommonJS build's `import()`s go through this file of the build folder (code-cache.js hands it to the bundle as
 * IMPORT_FUNCTION): V8 drops what Node needs for `import()` from a script restored from its code cache ("A dynamic
 * import callback was not specified"), and an `import()` here, in a CommonJS module Node loads itself, resolves as
 * one in the bundle would (same folder, ES-module resolution).
 */
export const BUNDLE_IMPORTER = 'dynamic-import.cjs';
const BUNDLE_IMPORTER_TEXT =
  '// import() on behalf of the CommonJS bundles beside this file (bin/build-cache.js).\n' +
  "'use strict';\nmodule.exports = (specifier, options) => import(specifier, options);\n";
/** The name a CommonJS build calls instead of `import(`. */
export const IMPORT_FUNCTION = '__headerguardImport';

/**
 * `text` (esbuild's CommonJS output) with each `import(…)` expression calling IMPORT_FUNCTION instead: found by
 * es-module-lexer, so that the words in a string or a comment stay as they are. Throws when the text cannot be
 * lexed.
 * @param {string} text
 * @param {string} file
 */
export async function withImportsThroughLoader(text, file) {
  const { init, parse } = await import('es-module-lexer');
  await init;
  const [imports] = parse(text, file);
  let out = '';
  let at = 0;
  for (const { d, ss } of imports) {
    if (d === -2) throw new Error(`${file}: import.meta is not available in a CommonJS build`);
    if (d < 0) continue;
    if (text.slice(ss, ss + 6) !== 'import')
      throw new Error(`${file}: an import() the build cannot redirect`);
    out += text.slice(at, ss) + IMPORT_FUNCTION;
    at = ss + 6;
  }
  return out + text.slice(at);
}

/** The project's own modules: everything under src/. */
const SRC_MODULES = /[\\/]src[\\/].*\.ts$/;

/**
 * The folder of a current build of `entryPoints` (`{outName: source}`, sources relative to `root`): the cached
 * one when its sources are unchanged, else a new one. Throws when esbuild is missing or fails, or the cache
 * cannot be written.
 * `splitting` (default true) puts lazily imported modules in chunks of their own, loaded when first imported; a
 * long-running process (`serve`, `watch`) must not depend on that (its build folder may be pruned a day after
 * another build replaced it), so the CLI is built as one file.
 * `bundlePackages` bundles the packages too (all but NEVER_BUNDLED and `external`), so that a process loads a
 * few large files instead of hundreds of small ones; their files are then inputs like the project's own (an
 * `npm ci` that changes one builds again). An entry point may then name a package's module (`@wdio/cli`).
 * `format: 'cjs'` writes each entry point as one strict-mode CommonJS file (`<name>.cjs`, no chunks), for
 * code-cache.js to load with V8's code cache; code that needs what CommonJS has not (top-level await,
 * `import.meta` other than its `url`) fails the build. `files` (`{relative path: text}`) are written into the
 * build folder beside what esbuild wrote (e.g. ES-module entry files that load a CommonJS bundle).
 * @param {{root: string, name: string, entryPoints: Record<string, string>, define?: Record<string, string>, splitting?: boolean, bundlePackages?: boolean, external?: string[], format?: 'esm' | 'cjs', files?: Record<string, string>}} options
 * @returns {Promise<string>}
 */
export async function compiledBuild({
  root,
  name,
  entryPoints,
  define = {},
  splitting = true,
  bundlePackages = false,
  external = [],
  format = 'esm',
  files: extraFiles = {},
}) {
  const cacheDir = path.join(root, '.cache', name);
  const manifestFile = path.join(cacheDir, 'manifest.json');
  const key = JSON.stringify({
    FORMAT,
    entryPoints,
    define,
    splitting,
    bundlePackages,
    external,
    format,
    extraFiles,
  });
  const cjs = format === 'cjs';
  const cached = currentBuild(manifestFile, cacheDir, key, root);
  if (cached) {
    pruneOldBuilds(cacheDir, path.basename(cached));
    return cached;
  }

  const esbuild = await import('esbuild');
  const startedAt = Date.now();
  const placeholder = path.join(cacheDir, 'build');
  const result = await esbuild.build({
    absWorkingDir: root,
    // Relative to absWorkingDir (root); with bundlePackages a source may also be a package's module
    // (`@wdio/cli`), which esbuild resolves as an import would.
    entryPoints,
    outdir: placeholder,
    chunkNames: 'chunks/[name]-[hash]',
    write: false,
    bundle: true,
    splitting: splitting && !cjs,
    format,
    ...(cjs ? { outExtension: { '.js': '.cjs' } } : {}),
    platform: 'node',
    target: 'node20',
    ...(bundlePackages ? { external: [...NEVER_BUNDLED, ...external] } : { packages: 'external' }),
    // An ES module is strict, and so was every bundled module in an ES-module build: a CommonJS one stays so.
    // An ES-module build's CommonJS code still calls `require`: a CommonJS one has its own.
    ...(cjs ? { banner: { js: '"use strict";' } } : bundlePackages ? { banner: { js: REQUIRE_BANNER } } : {}),
    define,
    metafile: true,
    plugins: [
      keepModuleUrls(SRC_MODULES),
      // Before keepPackageLocations, whose onLoad would otherwise take these files (they use neither location).
      ...(cjs && bundlePackages ? [withoutScriptOnlyAwaits()] : []),
      ...(bundlePackages ? [keepPackageLocations()] : []),
    ],
    logLevel: 'silent',
  });
  // esbuild leaves `import.meta` empty in CommonJS: a module reading more of it than its url would misbehave.
  const emptyMeta = result.warnings.find((w) => w.id === 'empty-import-meta');
  if (emptyMeta)
    throw new Error(`${emptyMeta.location?.file ?? name}: import.meta is not available in a CommonJS build`);
  const built = [];
  for (const f of result.outputFiles) {
    const contents = cjs ? Buffer.from(await withImportsThroughLoader(f.text, f.path)) : f.contents;
    built.push({ rel: path.relative(placeholder, f.path), contents });
  }
  const files = [
    ...built,
    ...(cjs ? [{ rel: BUNDLE_IMPORTER, contents: Buffer.from(BUNDLE_IMPORTER_TEXT) }] : []),
    ...Object.entries(extraFiles).map(([rel, text]) => ({ rel, contents: Buffer.from(text) })),
  ].sort((a, b) => a.rel.localeCompare(b.rel));
  const hash = createHash('sha256');
  for (const f of files) hash.update(f.rel).update('\0').update(f.contents).update('\0');
  const id = hash.digest('hex').slice(0, 16);
  const dir = path.join(cacheDir, id);
  if (!exists(path.join(dir, '.complete'))) {
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    for (const f of files) {
      const out = path.join(tmp, f.rel);
      mkdirSync(path.dirname(out), { recursive: true });
      writeFileSync(out, f.contents);
    }
    writeFileSync(path.join(tmp, '.complete'), '');
    // A folder of that name without the marker is an older version's build (this code only ever renames complete
    // builds into place): replaced.
    if (exists(dir) && !exists(path.join(dir, '.complete'))) rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(tmp, dir);
    } catch (err) {
      // Another process wrote the same build first: use theirs.
      rmSync(tmp, { recursive: true, force: true });
      if (!exists(path.join(dir, '.complete'))) throw err;
    }
  }
  // What went into the build.
  const inputs = recordInputs(
    [...Object.keys(result.metafile.inputs), 'package.json', 'tsconfig.json'].filter(
      (rel) => bundlePackages || !rel.includes('node_modules'),
    ),
    root,
    startedAt,
  );
  const manifestTmp = `${manifestFile}.tmp-${process.pid}`;
  writeFileSync(manifestTmp, JSON.stringify({ key, build: id, inputs }));
  renameSync(manifestTmp, manifestFile);
  pruneOldBuilds(cacheDir, id);
  return dir;
}

/** The manifest's build when it is for `key`, complete, and every input is as recorded; else undefined. */
function currentBuild(manifestFile, cacheDir, key, root) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  } catch {
    return undefined;
  }
  if (manifest?.key !== key || typeof manifest.build !== 'string' || !inputsUnchanged(manifest.inputs, root))
    return undefined;
  const dir = path.join(cacheDir, manifest.build);
  if (!exists(path.join(dir, '.complete'))) return undefined;
  markUsed(dir);
  return dir;
}

/**
 * Mark `dir` used now, so that pruning (KEEP_BUILDS_MS unused) spares it. Housekeeping only: never throws.
 * @param {string} dir
 */
function markUsed(dir) {
  try {
    utimesSync(dir, new Date(), new Date());
  } catch {
    // housekeeping only
  }
}

/**
 * A build's inputs as a manifest records them: `[rel, size, mtimeMs]` each (`rel` relative to `root`). A file
 * modified since the build started (`startedAt`, epoch ms) may have changed after esbuild read it: recorded as
 * unknown (`-1`), so that the next start builds again rather than trust it.
 * @param {string[]} rels
 * @param {string} root
 * @param {number} startedAt
 * @returns {[string, number, number][]}
 */
export function recordInputs(rels, root, startedAt) {
  return rels.map((rel) => {
    const s = statSync(path.join(root, rel), { throwIfNoEntry: false });
    return s && s.mtimeMs < startedAt - 1 ? [rel, s.size, s.mtimeMs] : [rel, -1, -1];
  });
}

/**
 * Whether every input a manifest recorded (recordInputs) is still as recorded.
 * @param {unknown} inputs
 * @param {string} root
 */
export function inputsUnchanged(inputs, root) {
  if (!Array.isArray(inputs)) return false;
  for (const [rel, size, mtimeMs] of inputs) {
    const s = statSync(path.join(root, rel), { throwIfNoEntry: false });
    if ((s?.size ?? -1) !== size || (s?.mtimeMs ?? -1) !== mtimeMs) return false;
  }
  return true;
}

/**
 * Keep build folder `dir` marked used while a process depends on it, so that another process's pruning spares
 * it however long this one runs (a run of a large farm can outlast KEEP_BUILDS_MS, and a split build loads chunks
 * as it goes). Returns what stops it; the timer never keeps the process alive.
 * @param {string} dir
 * @param {number} [everyMs]
 * @returns {() => void}
 */
export function keepBuildInUse(dir, everyMs = 3600_000) {
  const timer = setInterval(() => markUsed(dir), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Remove what in `cacheDir` no process has used for KEEP_BUILDS_MS (builds, or kept files), but `current` and
 * the manifest. Housekeeping only: never throws.
 * @param {string} cacheDir
 * @param {string} [current]
 */
export function pruneOldBuilds(cacheDir, current = '') {
  try {
    for (const name of readdirSync(cacheDir)) {
      if (name === current || name === 'manifest.json' || name.startsWith('manifest.json.tmp')) continue;
      const dir = path.join(cacheDir, name);
      if (Date.now() - statSync(dir).mtimeMs > KEEP_BUILDS_MS) rmSync(dir, { recursive: true, force: true });
    }
  } catch {
    // pruning is housekeeping only
  }
}

function exists(file) {
  return statSync(file, { throwIfNoEntry: false }) !== undefined;
}

/**
 * A CommonJS bundle loaded with V8's code cache, so that a process does not parse and compile it again at every
 * start. Node 20 keeps no compile cache for user code (`module.enableCompileCache` is Node 22), and compiling is
 * a large part of every headerguard process's own start: perf on this project's 2-core machine put ~28% of the
 * node processes' CPU in a farm run in V8's parser and bytecode generator. With its cache, the compiled CLI's
 * `scan --help` takes 0.27 CPU-s instead of 0.45.
 *
 * A bundle restored from its cache cannot call `import()` itself (V8 drops what Node needs for it: "A dynamic
 * import callback was not specified"): build-cache.js has each `import(` of a CommonJS build call the function
 * passed in as its sixth wrapper argument, from the build folder's dynamic-import.cjs, which Node loads itself.
 *
 * The cache is `<bundle>.<key>.v8-<V8 version>.cache` beside the bundle (a build folder's bundle never changes:
 * build-cache.js names the folder by its content). It holds what one kind of process compiled (`key`: a
 * subcommand, a WDIO launcher or worker): written when a process of that kind ends normally (exit code 0 or 1:
 * it did its work, not a usage error's few functions) and there was no usable cache, through a temporary file
 * renamed into place. V8 checks a cache against the source and its own version and flags, and compiles from the
 * source when it does not fit (the cache is then written again). Housekeeping only: a cache that cannot be read
 * or written costs the compile, never the process.
 * HEADERGUARD_CODE_CACHE=0 loads without one (for measurements). Plain JavaScript: the bin needs it before any
 * TypeScript can load.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { BUNDLE_IMPORTER, IMPORT_FUNCTION } from './build-cache.js';

/** @type {Map<string, unknown>} one instance of each bundle per process, whoever asks */
const loaded = new Map();
/** @type {Map<string, 'used' | 'absent' | 'rejected' | 'off'>} how each bundle's code cache served this process */
const cacheStates = new Map();

/**
 * How `file`'s code cache served this process: `used`, `absent` (none yet), `rejected` (V8 compiled from the
 * source) or `off` (HEADERGUARD_CODE_CACHE=0); undefined when this process has not loaded it.
 * @param {string} file
 */
export function codeCacheState(file) {
  return cacheStates.get(file);
}

/**
 * The exports of CommonJS bundle `file` (an absolute path, in a CommonJS build folder of build-cache.js), run
 * once per process; `cacheKey` names the kind of process, for its code cache (letters, digits, `-`).
 * @param {string} file
 * @param {{cacheKey: string}} options
 * @returns {any}
 */
export function loadBundle(file, { cacheKey }) {
  if (loaded.has(file)) return loaded.get(file);
  const useCache = process.env.HEADERGUARD_CODE_CACHE !== '0';
  const cacheFile = codeCacheFile(file, cacheKey);
  const cachedData = useCache ? readIfPresent(cacheFile) : undefined;
  // Line 1 is the wrapper's alone, so that lines in stack traces are the file's own.
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname, ${IMPORT_FUNCTION}) {\n${readFileSync(file, 'utf8')}\n})`,
    { filename: file, lineOffset: -1, cachedData },
  );
  const require = createRequire(file);
  const module = { exports: {} };
  loaded.set(file, module.exports);
  script
    .runInThisContext()
    .call(
      module.exports,
      module.exports,
      require,
      module,
      file,
      path.dirname(file),
      require(`./${BUNDLE_IMPORTER}`),
    );
  loaded.set(file, module.exports);
  cacheStates.set(
    file,
    !useCache ? 'off' : !cachedData ? 'absent' : script.cachedDataRejected ? 'rejected' : 'used',
  );
  if (useCache && (!cachedData || script.cachedDataRejected)) {
    process.once('exit', (code) => {
      if (code === 0 || code === 1) writeCodeCache(cacheFile, () => script.createCachedData());
    });
  }
  return module.exports;
}

/**
 * Where the code cache of `file` for processes of kind `cacheKey` is kept.
 * @param {string} file
 * @param {string} cacheKey
 */
export function codeCacheFile(file, cacheKey) {
  if (!/^[a-z0-9-]+$/i.test(cacheKey))
    throw new Error(`code cache key "${cacheKey}": letters, digits and - only`);
  return `${file}.${cacheKey}.v8-${process.versions.v8.replace(/[^0-9a-z.-]/gi, '_')}.cache`;
}

/**
 * Write a cache through a temporary file renamed into place (processes of one kind ending together each write a
 * whole one; the last rename wins). Never throws.
 * @param {string} cacheFile
 * @param {() => Buffer} data
 */
export function writeCodeCache(cacheFile, data) {
  const tmp = `${cacheFile}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data());
    renameSync(tmp, cacheFile);
  } catch {
    rmSync(tmp, { force: true });
  }
}

/** @param {string} file */
function readIfPresent(file) {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

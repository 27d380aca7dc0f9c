/**
 * WDIO's local runner forks its own worker script (`@wdio/local-runner/build/run.js`), which loads @wdio/runner
 * and WebdriverIO from node_modules: ~950 files, 0.8-0.9 s of a worker's start on this project's 2-core machine.
 * The compiled suite bundles that script (src/run/precompile.ts): loaded as a few large files it starts in
 * ~0.26 s. The runner takes no option for its script, so the launcher process has WDIO's process factory fork
 * the bundled one in its place. Launcher process only; the factory is @wdio/xvfb's (pinned with the runner).
 */
import path from 'node:path';
import { ProcessFactory } from '@wdio/xvfb';

const LOCAL_RUNNER_SCRIPT = path.join('@wdio', 'local-runner', 'build', 'run.js');
const REDIRECTED = Symbol.for('headerguard.workerScript');

type CreateWorkerProcess = ProcessFactory['createWorkerProcess'];
type Patched = CreateWorkerProcess & { [REDIRECTED]?: { original: CreateWorkerProcess; script: string } };

/**
 * From now on, every WDIO worker this process starts runs `script` instead of the local runner's own (a second
 * call replaces the first). Returns what puts the runner's own back.
 */
export function forkWorkersFrom(script: string): () => void {
  const proto = ProcessFactory.prototype as { createWorkerProcess: Patched };
  const original = proto.createWorkerProcess[REDIRECTED]?.original ?? proto.createWorkerProcess;
  const patched: Patched = function (this: ProcessFactory, scriptPath, args, options) {
    return original.call(this, workerScriptFor(scriptPath, script), args, options);
  };
  patched[REDIRECTED] = { original, script };
  proto.createWorkerProcess = patched;
  return () => {
    if (proto.createWorkerProcess === patched) proto.createWorkerProcess = original;
  };
}

/** The script to fork for `requested`: the bundled one in place of the local runner's, anything else as it is. */
export function workerScriptFor(requested: string, bundled: string): string {
  return requested.endsWith(`${path.sep}${LOCAL_RUNNER_SCRIPT}`) ? bundled : requested;
}

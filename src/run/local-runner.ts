/**
 * WDIO's local runner, as the compiled suite's launcher runs it (wdio.conf.ts names this module's build as the
 * runner, with the bundled worker script as its option): each worker runs the bundled script instead of the
 * runner's own (src/run/worker-script.ts), so that workers load WebdriverIO as a few large files.
 */
import LocalRunner from '@wdio/local-runner';
import { forkWorkersFrom } from './worker-script.ts';

export interface BundledRunnerOptions {
  /** The worker script to fork in place of the local runner's own. */
  workerScript?: string;
}

export default class BundledLocalRunner extends LocalRunner {
  constructor(options: BundledRunnerOptions, config: WebdriverIO.Config) {
    super(options as never, config);
    if (options.workerScript) forkWorkersFrom(options.workerScript);
  }
}

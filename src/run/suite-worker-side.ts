/**
 * What a compiled suite's WDIO worker loads, as one CommonJS bundle (src/run/precompile.ts): WDIO's worker
 * script, the suite's configuration and spec, the Mocha adapter and the WebDriver client, sharing one copy of
 * each package (the spec's `browser` is the runner's).
 */
// First, for its side effect: it marks when this process's own code starts (bench/run.bench.ts step timings).
import './timing.ts';

export * as mochaFramework from '@wdio/mocha-framework';
export { default as WebDriver } from 'webdriver';
export { defineHandsetSpec } from './handset-spec.ts';
export { wdioConfig } from './wdio-config.ts';

/** Run this process as a WDIO worker: the local runner's own worker script, from this bundle. */
export async function startWorker(): Promise<void> {
  await import('@wdio/local-runner/run');
}

/**
 * What the compiled suite's launcher loads, as one CommonJS bundle (src/run/precompile.ts): WDIO's launcher, the
 * local runner it starts workers with, and the suite's configuration, sharing one copy of each package (WDIO
 * tells a severe service error by its class).
 */
// First, for its side effect: it marks when this process's own code starts (bench/run.bench.ts step timings).
import './timing.ts';

export { Launcher } from '@wdio/cli';
export { default as BundledLocalRunner } from './local-runner.ts';
export { wdioConfig } from './wdio-config.ts';

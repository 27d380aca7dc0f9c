/**
 * WebdriverIO configuration built from the farm (src/run/wdio-config.ts). `headerguard run` plans the session
 * (farm, ports, run id), compiles the suite (src/run/precompile.ts) and hands WDIO the compiled config; running
 * `npx wdio run wdio.conf.ts` directly plans a default one (devices/simulated.ts, reports/) and runs through tsx.
 */
// First, for its side effect: it marks when this process's own code starts (bench/run.bench.ts step timings).
import './src/run/timing.ts';
import { wdioConfig } from './src/run/wdio-config.ts';

export const config: WebdriverIO.Config = await wdioConfig();

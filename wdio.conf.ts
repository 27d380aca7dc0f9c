/**
 * WebdriverIO configuration built from the farm. `headerguard run` plans the session (farm, ports, run id)
 * and publishes it in the environment; running `npx wdio run wdio.conf.ts` directly plans a default one
 * (devices/simulated.ts, reports/). Capabilities are evaluated here, before onPrepare, so ports are chosen here.
 */
import path from 'node:path';
import type { Options, Services } from '@wdio/types';
import { capabilitiesFor, maxInstancesFor } from './src/run/capabilities.ts';
import { HeaderguardLauncherService } from './src/run/launcher-service.ts';
import { currentSession, PROJECT_ROOT } from './src/run/session.ts';

const session = await currentSession();
const { plan, farm, handsets } = session;
const usesAppium = handsets.some((h) => h.appium);

const appiumConnection: Partial<Options.Testrunner> = farm.grid
  ? {
      protocol: farm.grid.protocol,
      hostname: farm.grid.hostname,
      port: farm.grid.port,
      path: farm.grid.path,
      ...(farm.grid.user ? { user: farm.grid.user } : {}),
      ...(farm.grid.key ? { key: farm.grid.key } : {}),
    }
  : { hostname: '127.0.0.1', port: plan.appiumPort ?? 4723, path: '/' };
// Appium drivers live in the project's own APPIUM_HOME (scripts/install-appium-driver.sh), never downloaded at run time.
process.env.APPIUM_HOME ??= path.join(PROJECT_ROOT, '.appium');

export const config: WebdriverIO.Config = {
  runner: 'local',
  specs: ['./specs/headerguard.spec.ts'],
  // One worker per handset; a physical phone is one `wdio:maxInstances` (set per capability).
  maxInstances: maxInstancesFor(handsets),
  capabilities: capabilitiesFor(handsets, plan),
  ...(usesAppium ? appiumConnection : {}),
  // The capture endpoint and simulators start before the Appium server (services run in this order), and a
  // failure to start them stops the run at once (SevereServiceError).
  services: [
    // An instance (not a class), so the service keeps the session this process planned. WDIO runs an
    // `[instance, options]` entry as it is; its types only name `[class, options]`.
    [new HeaderguardLauncherService({ session }), {}] as unknown as Services.ServiceEntry,
    ...(usesAppium && !farm.grid
      ? ([
          ['appium', { args: { address: '127.0.0.1', port: plan.appiumPort ?? 4723 } }],
        ] satisfies Services.ServiceEntry[])
      : []),
  ],
  logLevel: 'warn',
  autoXvfb: false,
  bail: 0,
  waitforTimeout: 10_000,
  connectionRetryTimeout: 60_000,
  connectionRetryCount: 1,
  // No spec-file retries: a retry could hide a leak. Infrastructure failures are retried inside the check.
  specFileRetries: 0,
  framework: 'mocha',
  mochaOpts: { ui: 'bdd', timeout: 180_000 },
  reporters: [
    'spec',
    [
      'allure',
      {
        outputDir: path.join(plan.runDir, 'allure-results'),
        disableWebdriverStepsReporting: true,
        disableWebdriverScreenshotsReporting: true,
        addConsoleLogs: false,
      },
    ],
  ],
};

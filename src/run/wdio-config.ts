/**
 * The WebdriverIO configuration built from the farm (wdio.conf.ts exports it; so does the compiled suite's
 * wdio.conf.js, src/run/precompile.ts). Capabilities are evaluated here, before onPrepare, so ports are chosen
 * before that.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Services } from '@wdio/types';
import HeaderguardAllureReporter from './allure-reporter.ts';
import { capabilitiesFor, HANDSET_CAPABILITY } from './capabilities.ts';
import { HeaderguardLauncherService } from './launcher-service.ts';
import type { BundledRunnerOptions } from './local-runner.ts';
import { currentSession, PROJECT_ROOT, resolvedSessionEnv } from './session.ts';
import { mark, timingHandset } from './timing.ts';

export interface WdioConfigOptions {
  /**
   * The compiled suite's build folder (src/run/precompile.ts): its launcher runs the bundled local runner, whose
   * workers run the bundled worker script, spec, Mocha adapter and WebDriver client from there. Without it, WDIO
   * runs the TypeScript sources through tsx.
   */
  buildDir?: string;
}

export async function wdioConfig({ buildDir }: WdioConfigOptions = {}): Promise<WebdriverIO.Config> {
  const bundled = buildDir ? (file: string) => path.join(buildDir, file) : undefined;
  // In the launcher the session is the one `headerguard run` planned; in a worker, the one the launcher resolved
  // and handed over (the farm is not loaded again, and the launcher's capabilities are reused).
  const session = await currentSession();
  const { plan, handsets } = session;
  const inWorker = Boolean(process.env.WDIO_WORKER_ID);
  session.capabilities ??= capabilitiesFor(handsets, plan);
  // Each capability carries its own connection (src/run/capabilities.ts connectionOf: the run's chromedriver, the
  // local Appium server or the handset's hub), so a farm may mix them. The top-level one only has to name some
  // WebDriver server: without it WDIO's launcher would try to download a browser and a driver for capabilities
  // that name none (an Android phone's Chrome).
  const first = session.capabilities[0] as { hostname?: string; port?: number; path?: string } | undefined;
  const usesLocalAppium = handsets.some((h) => h.appium && !h.grid);
  // Appium drivers live in the project's own APPIUM_HOME (scripts/install-appium-driver.sh), never downloaded at run time.
  process.env.APPIUM_HOME ??= path.join(PROJECT_ROOT, '.appium');

  // The compiled suite's launcher runs the bundled local runner, whose workers run the bundled worker script
  // (src/run/local-runner.ts); a worker itself is always WDIO's local runner.
  const runner: WebdriverIO.Config['runner'] =
    bundled && !inWorker
      ? ([
          bundled('local-runner.js'),
          { workerScript: bundled('worker.js') } satisfies BundledRunnerOptions,
        ] as unknown as WebdriverIO.Config['runner'])
      : 'local';

  const config: WebdriverIO.Config = {
    runner,
    specs: [
      bundled
        ? bundled(path.join('specs', 'headerguard.spec.js'))
        : path.join(PROJECT_ROOT, 'specs', 'headerguard.spec.ts'),
    ],
    // One worker per handset, `--max-parallel` at once (default: what the machine can hold, src/run/limits.ts);
    // a physical phone is one `wdio:maxInstances` (set per capability).
    maxInstances: plan.maxParallel,
    capabilities: session.capabilities,
    // Workers get the resolved session; the launcher's own environment (inherited by drivers and browsers) does not.
    ...(inWorker ? {} : { runnerEnv: resolvedSessionEnv(session) }),
    ...(first?.hostname && first.port
      ? { hostname: first.hostname, port: first.port, path: first.path }
      : {}),
    // The capture endpoint, simulators and chromedriver start before the Appium server (services run in this
    // order), and a failure to start them stops the run at once (SevereServiceError). Launcher side only.
    services: inWorker
      ? []
      : [
          // An instance (not a class), so the service keeps the session this process planned. WDIO runs an
          // `[instance, options]` entry as it is; its types only name `[class, options]`.
          [
            new HeaderguardLauncherService({ session, precompiled: Boolean(bundled) }),
            {},
          ] as unknown as Services.ServiceEntry,
          ...(usesLocalAppium
            ? ([
                ['appium', { args: { address: '127.0.0.1', port: plan.appiumPort ?? 4723 } }],
              ] satisfies Services.ServiceEntry[])
            : []),
        ],
    logLevel: plan.output === 'verbose' ? 'info' : plan.output === 'quiet' ? 'error' : 'warn',
    autoXvfb: false,
    bail: 0,
    waitforTimeout: 10_000,
    connectionRetryTimeout: 60_000,
    connectionRetryCount: 1,
    // No spec-file retries: a retry could hide a leak. Infrastructure failures are retried inside the check.
    specFileRetries: 0,
    // The compiled suite bundles the Mocha adapter beside the worker script (src/run/precompile.ts), so that the
    // spec, the adapter and the worker share one WebdriverIO.
    framework: bundled ? bundled('mocha-framework.js') : 'mocha',
    // WebdriverIO imports its WebDriver client by this name when a worker's session starts: the bundled one.
    ...(bundled ? { automationProtocol: pathToFileURL(bundled('webdriver.js')).href } : {}),
    // The spec's own --handset-timeout fires first and names the cause; this only backs it up.
    mochaOpts: { ui: 'bdd', timeout: Math.max(180, plan.handsetTimeoutS + 60) * 1000 },
    // WDIO's spec reporter (every test, every failure's trace) only with --verbose: the launcher prints progress
    // and the verdict table, each finding once.
    reporters: [
      ...(plan.output === 'verbose' ? (['spec'] as const) : []),
      // WDIO's Allure reporter, writing its results without an fsync per file (src/run/allure-reporter.ts).
      [
        HeaderguardAllureReporter,
        {
          outputDir: path.join(plan.runDir, 'allure-results'),
          disableWebdriverStepsReporting: true,
          disableWebdriverScreenshotsReporting: true,
          addConsoleLogs: false,
        },
      ],
    ],

    beforeSession(_config, capabilities) {
      timingHandset(String((capabilities as Record<string, unknown>)[HANDSET_CAPABILITY]));
      mark('before-session');
    },

    before() {
      mark('session-ready');
    },
  };
  mark('config-loaded');
  return config;
}

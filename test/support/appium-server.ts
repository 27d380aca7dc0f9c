import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { CHROMEDRIVER, CHROMIUM, CHROMIUM_FLAGS } from '../../src/shared/chromium.ts';
import { freePort } from '../../src/shared/free-port.ts';
import { ROOT } from './cli.ts';
import { spawnGroup } from './process-group.ts';

/**
 * A real local Appium 3 server with its Chromium driver (a stand-in for a phone on a rack's host), for tests
 * and benches: `node_modules/appium`, drivers from the project's `.appium/` (scripts/install-appium-driver.sh,
 * idempotent; the npm registry is reachable in CI), loopback only. Stop it: the whole process group goes,
 * chromedrivers and browsers too.
 */
export const APPIUM_HOME = process.env.APPIUM_HOME ?? path.join(ROOT, '.appium');

/** Install the Chromium driver into `.appium/` unless it is there; throws with the installer's output. */
export function installAppiumChromiumDriver(): void {
  const res = spawnSync('bash', [path.join(ROOT, 'scripts', 'install-appium-driver.sh')], {
    encoding: 'utf8',
    env: { ...process.env, APPIUM_HOME },
  });
  if (res.status !== 0)
    throw new Error(`installing Appium's Chromium driver failed (${res.status}): ${res.stderr}${res.stdout}`);
}

/**
 * The Appium capabilities of a Chromium stand-in handset (TOOLCHAIN.md), with extra Chromium arguments. Each
 * stand-in needs its own `chromedriverPort` (a free one): without it the driver uses 9515 for every session
 * and, before starting its chromedriver, kills any chromedriver on that port on the machine (`pkill -f`), so
 * two sessions at once break each other (as two phones on one host without per-phone ports would).
 */
export function appiumChromiumCapabilities(
  args: readonly string[],
  chromedriverPort: number,
): Record<string, unknown> {
  return {
    platformName: 'linux',
    browserName: 'chrome',
    'appium:automationName': 'Chromium',
    'appium:executable': CHROMEDRIVER,
    'appium:chromedriverPort': chromedriverPort,
    'appium:autodownloadEnabled': false,
    'goog:chromeOptions': { binary: CHROMIUM, args: [...CHROMIUM_FLAGS, ...args] },
  };
}

export interface RunningAppium {
  port: number;
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** Start Appium on a free loopback port and wait until `/status` answers (bounded, generous under load). */
export async function startAppium(options: { readyTimeoutMs?: number } = {}): Promise<RunningAppium> {
  const port = await freePort();
  const { child, output, stop } = spawnGroup(
    process.execPath,
    [path.join(ROOT, 'node_modules', 'appium', 'index.js'), '--address', '127.0.0.1', '--port', String(port)],
    { ...process.env, APPIUM_HOME },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const res = await fetch(`${url}/status`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return { port, url, output, stop };
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`Appium did not answer /status on ${url}\n${output()}`);
}

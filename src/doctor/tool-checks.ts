/**
 * Preflight checks of this machine's tools: Chromium and chromedriver (present, one major version), Java for
 * Allure, Appium and the drivers the farm's handsets name installed in the project's APPIUM_HOME.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describeError } from '../shared/errors.ts';
import { badConfig, type CheckResult, missing, ok } from './doctor-check.ts';

/** Runs a program (in `env`, default this process's) and resolves with its stdout and stderr together (a seam for tests). */
export type Exec = (file: string, args: readonly string[], env?: NodeJS.ProcessEnv) => Promise<string>;

export const systemExec: Exec = (file, args, env) =>
  new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: 20_000, ...(env ? { env } : {}) }, (err, stdout, stderr) =>
      err ? reject(err) : resolve(`${stdout}${stderr}`),
    );
  });

const INSTALL = 'install it: npm run setup:system (Debian chromium and chromium-driver)';

/** `Chromium 156.0.8078.114 …` → 156. */
export function majorVersion(text: string): number | undefined {
  const m = /(\d+)\.\d+\.\d+/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** Chromium and chromedriver are present and of one major version. */
export async function checkBrowser(
  chromium: string,
  chromedriver: string,
  exec: Exec = systemExec,
): Promise<CheckResult[]> {
  const version = async (bin: string) => {
    try {
      return { text: (await exec(bin, ['--version'])).trim().split('\n')[0] ?? '' };
    } catch (err) {
      return { error: describeError(err) };
    }
  };
  const [browser, driver] = await Promise.all([version(chromium), version(chromedriver)]);
  const out: CheckResult[] = [];
  const one = (name: string, bin: string, v: { text?: string; error?: string }) =>
    v.text !== undefined && majorVersion(v.text) !== undefined
      ? ok(`${name} ${bin}`, v.text.split(' (')[0])
      : missing(`${name} ${bin}`, `cannot run it (${v.error ?? `no version in '${v.text}'`})`, INSTALL);
  out.push(one('chromium', chromium, browser), one('chromedriver', chromedriver, driver));
  const [b, d] = [majorVersion(browser.text ?? ''), majorVersion(driver.text ?? '')];
  if (b !== undefined && d !== undefined) {
    out.push(
      b === d
        ? ok('chromium and chromedriver of one major version', String(b))
        : missing(
            'chromium and chromedriver of one major version',
            `chromium is ${b}, chromedriver ${d}`,
            'install both from the same Debian release: apt-get install -y chromium chromium-driver',
          ),
    );
  }
  return out;
}

/** Java runs (Allure 2 needs it to write the HTML report). */
export async function checkJava(exec: Exec = systemExec): Promise<CheckResult> {
  try {
    const text = (await exec('java', ['-version'])).trim().split('\n')[0] ?? '';
    return ok('java (for the Allure report)', text);
  } catch (err) {
    return missing(
      'java (for the Allure report)',
      `cannot run java (${describeError(err)})`,
      'install a Java runtime: npm run setup:system (or apt-get install -y default-jre-headless)',
    );
  }
}

/** The automation names of the drivers installed in an APPIUM_HOME (Appium's extensions.yaml), lower case. */
export async function installedAppiumDrivers(appiumHome: string): Promise<Set<string> | undefined> {
  const file = path.join(appiumHome, 'node_modules', '.cache', 'appium', 'extensions.yaml');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const drivers = text.split(/^plugins:/m)[0] ?? '';
  return new Set(
    [...drivers.matchAll(/^\s+automationName:\s*['"]?([^'"\s]+)/gm)].map((m) => m[1]!.toLowerCase()),
  );
}

/**
 * Appium can run (the suite starts it for local handsets) and every automation name the farm's local appium
 * handsets use has its driver in APPIUM_HOME.
 */
export async function checkAppium(
  automationNames: readonly string[],
  appiumHome: string,
  appiumBin: string,
  exec: Exec = systemExec,
): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  try {
    // In the run's APPIUM_HOME: without it Appium takes the project for its home, and says so in debug lines.
    const text = await exec(process.execPath, [appiumBin, '--version'], {
      ...process.env,
      APPIUM_HOME: appiumHome,
    });
    const v = appiumVersionIn(text);
    out.push(ok('appium', `${v}; the run starts it on loopback`));
  } catch (err) {
    out.push(
      missing(
        'appium',
        `cannot run ${appiumBin} (${describeError(err)})`,
        'npm ci installs it (package appium)',
      ),
    );
  }
  const installed = await installedAppiumDrivers(appiumHome);
  for (const name of [...new Set(automationNames)]) {
    const check = `appium driver for ${name} in ${appiumHome}`;
    if (installed?.has(name.toLowerCase())) out.push(ok(check));
    else
      out.push(
        missing(
          check,
          installed
            ? `not installed (installed: ${[...installed].join(', ') || 'none'})`
            : 'no Appium drivers installed there',
          `APPIUM_HOME=${appiumHome} npx appium driver install --source=npm <its package> (e.g. appium-${name.toLowerCase()}-driver)`,
        ),
      );
  }
  return out;
}

/** The version line of `appium --version` (its own log lines may come with it), else its last line. */
export function appiumVersionIn(text: string): string {
  const lines = text.trim().split('\n');
  return lines.find((l) => /^\d+\.\d+\.\d+\S*$/.test(l.trim()))?.trim() ?? lines.pop() ?? '';
}

/** A handset's automation name, or a problem when its capabilities name none. */
export function automationNameOf(caps: Record<string, unknown>): string | undefined {
  const name = caps['appium:automationName'] ?? caps.automationName;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

export function noAutomationName(id: string): CheckResult {
  return badConfig(
    `handset ${id}: appium:automationName`,
    'its capabilities name no Appium driver',
    'set appium:automationName (UiAutomator2, XCUITest, Chromium…)',
  );
}

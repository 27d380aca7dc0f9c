/**
 * A Playwright browser as a ProbeDriver, for `headerguard probe`: Debian's Chromium with a phone's emulation
 * (closed-network flags, behind the handset's proxy), or Chrome on an ADB-attached Android phone through
 * Playwright's Android support. Nothing is downloaded.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS } from '../shared/chromium.ts';
import { deviceDescriptors } from '../shared/devices.ts';
import type { ProbeDriver } from './check-handset.ts';
import { probePageProgressExpression } from './probe-page-script.ts';

/** A page on the handset's browser, and how to close it all. */
export interface ProbeBrowser {
  page: Page;
  close(): Promise<void>;
}

/** The browser's page-load limit (the check's own waits are bounded separately). */
export const PAGE_LOAD_TIMEOUT_MS = 30_000;

/** A Playwright page as a ProbeDriver: open the start URL, read the probe page's progress. */
export function playwrightDriver(page: Page, pageLoadTimeoutMs = PAGE_LOAD_TIMEOUT_MS): ProbeDriver {
  return {
    async open(url) {
      try {
        await page.goto(url, { waitUntil: 'load', timeout: pageLoadTimeoutMs });
      } catch (err) {
        // The URL holds the run's token (a capability): name only its origin.
        const first = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
        throw new Error(
          first
            .split(url)
            .join(`${new URL(url).origin}/…`)
            .replace(/^page\.goto: /, ''),
        );
      }
    },
    pageProgress: () => page.evaluate(probePageProgressExpression(0)),
    pageProgressWhenComplete: (waitMs) => page.evaluate(probePageProgressExpression(waitMs)),
  };
}

export interface EmulatedBrowserOptions {
  /** A Playwright device descriptor name (`Pixel 7`). */
  device: string;
  /** The gateway the handset browses through (`http://host:port`), or undefined for direct. */
  proxy?: string | undefined;
  /** Accept the endpoint's certificate unchecked (the embedded endpoint's is self-signed). */
  acceptInsecureCerts: boolean;
}

/** Launch Debian's Chromium with the device's emulation, behind the proxy (loopback hosts too). */
export async function launchEmulated(options: EmulatedBrowserOptions): Promise<ProbeBrowser> {
  const descriptor = deviceDescriptors()[options.device];
  if (!descriptor) throw new Error(`unknown emulated device "${options.device}"`);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_FLAGS, ...(options.proxy ? [] : ['--no-proxy-server'])],
    ...(options.proxy ? { proxy: { server: options.proxy, bypass: '<-loopback>' } } : {}),
  });
  try {
    const context = await browser.newContext({
      ...descriptor,
      ignoreHTTPSErrors: options.acceptInsecureCerts,
    });
    const page = await context.newPage();
    return { page, close: () => browser.close() };
  } catch (err) {
    await browser.close().catch(() => {});
    throw err;
  }
}

/** What `launchAndroid` needs of Playwright's `_android` (a seam for tests: no phone is attached here). */
export interface AndroidApi {
  devices(): Promise<AndroidDeviceLike[]>;
}
export interface AndroidDeviceLike {
  serial(): string;
  shell(command: string): Promise<Buffer>;
  launchBrowser(options: { ignoreHTTPSErrors?: boolean }): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * Chrome on the ADB-attached phone with this serial (Playwright's Android support: adb must see it, Chrome
 * installed, USB debugging on). The phone browses over its own connection: no proxy.
 */
export async function launchAndroid(
  serial: string,
  acceptInsecureCerts: boolean,
  android?: AndroidApi,
): Promise<ProbeBrowser> {
  const api = android ?? ((await import('playwright-core'))._android as unknown as AndroidApi);
  const all = await api.devices();
  const device = all.find((d) => d.serial() === serial);
  for (const other of all) if (other !== device) await other.close().catch(() => {});
  if (!device) {
    const seen = all.map((d) => d.serial());
    throw new Error(
      `adb sees no phone ${serial} (${seen.length ? `seen: ${seen.join(', ')}` : 'no phone attached'}); check the cable, USB debugging and \`adb devices\``,
    );
  }
  try {
    // A fresh Chrome: a tab left open from before must not load probes of its own.
    await device.shell('am force-stop com.android.chrome');
    const context = await device.launchBrowser({ ignoreHTTPSErrors: acceptInsecureCerts });
    const page = context.pages()[0] ?? (await context.newPage());
    return {
      page,
      close: async () => {
        await context.close().catch(() => {});
        await device.close();
      },
    };
  } catch (err) {
    await device.close().catch(() => {});
    throw err;
  }
}

import type { Grid, Handset } from '../farm/index.ts';
import { CHROMEDRIVER, CHROMIUM, CHROMIUM_FLAGS, withHostRules } from '../shared/chromium.ts';
import { deviceDescriptors } from '../shared/devices.ts';
import type { SessionPlan } from './session.ts';

/** The capability key that tells a WDIO worker which handset it drives. */
export const HANDSET_CAPABILITY = 'headerguard:handset';

declare global {
  namespace WebdriverIO {
    interface Capabilities {
      /** The farm's id of the handset this session drives (set by capabilitiesFor). */
      [HANDSET_CAPABILITY]?: string;
    }
  }
}

export type Capability = WebdriverIO.Capabilities & Record<string, unknown>;

/** The proxy URL a handset's browser uses, or undefined for direct. */
export function proxyUrlOf(handset: Handset, plan: SessionPlan): string | undefined {
  switch (handset.proxy.kind) {
    case 'direct':
      return undefined;
    case 'gateway':
      return handset.proxy.url;
    case 'sim':
      return `http://127.0.0.1:${plan.simPorts[handset.id]}`;
  }
}

/** Chromium with the handset's mobile emulation (Playwright's descriptor), behind its proxy. */
export function emulatedCapability(handset: Handset, plan: SessionPlan): Capability {
  const descriptor = deviceDescriptors()[handset.emulate!];
  if (!descriptor) throw new Error(`unknown emulated device "${handset.emulate}"`);
  const proxy = proxyUrlOf(handset, plan);
  const proxyArgs = proxy
    ? [`--proxy-server=${proxy}`, '--proxy-bypass-list=<-loopback>']
    : ['--no-proxy-server'];
  const endpointArgs = deployedEndpointArgs(plan);
  return {
    browserName: 'chrome',
    [HANDSET_CAPABILITY]: handset.id,
    acceptInsecureCerts: acceptsEndpointCertificate(plan),
    'goog:chromeOptions': {
      binary: CHROMIUM,
      args: withHostRules(
        [...CHROMIUM_FLAGS, ...proxyArgs, ...endpointArgs, `--user-agent=${descriptor.userAgent}`],
        endpointHostRules(plan),
      ),
      mobileEmulation: {
        deviceMetrics: {
          width: descriptor.viewport.width,
          height: descriptor.viewport.height,
          pixelRatio: descriptor.deviceScaleFactor,
          touch: descriptor.hasTouch,
          mobile: descriptor.isMobile,
        },
        userAgent: descriptor.userAgent,
      },
    },
    'wdio:chromedriverOptions': { binary: CHROMEDRIVER },
    // Classic WebDriver: the check opens a page and reads it, which needs nothing of BiDi; a BiDi session
    // costs about 0.7 s more to start (chromedriver's BiDi mapper, WDIO's subscriptions and preload scripts).
    'wdio:enforceWebDriverClassic': true,
  } as Capability;
}

/**
 * Chromium flags for a deployed endpoint: its private CA's keys accepted (`capture.ca`, as
 * `--ignore-certificate-errors-spki-list`). Its names (`capture.resolve`) go in the host-resolver rules
 * (`endpointHostRules`; behind a proxy the proxy resolves, so the simulators get the same map).
 */
export function deployedEndpointArgs(plan: SessionPlan): string[] {
  if (plan.endpoint.kind !== 'remote') return [];
  const out: string[] = [];
  if (plan.endpoint.spki?.length)
    out.push(`--ignore-certificate-errors-spki-list=${plan.endpoint.spki.join(',')}`);
  return out;
}

/** A deployed endpoint's names mapped without DNS (`capture.resolve`), as Chromium host-resolver rules. */
export function endpointHostRules(plan: SessionPlan): string[] {
  if (plan.endpoint.kind !== 'remote') return [];
  return Object.entries(plan.endpoint.resolve ?? {}).map(
    ([host, ip]) => `MAP ${host} ${ip.includes(':') ? `[${ip}]` : ip}`,
  );
}

/**
 * Whether the browser accepts the capture endpoint's certificate unchecked: for our own local endpoint (its
 * certificate is self-signed), and for a deployed one only when the farm says `capture.acceptInsecureCerts`
 * (otherwise every HTTPS twin would fail its handshake and a healthy handset read as broken).
 */
export function acceptsEndpointCertificate(plan: SessionPlan): boolean {
  return plan.endpoint.kind === 'embedded' || plan.endpoint.acceptInsecureCerts === true;
}

/**
 * A real handset through Appium or a grid: the farm's capabilities, one session per physical phone. A local
 * endpoint's self-signed HTTPS is accepted unless the farm says otherwise.
 */
export function appiumCapability(handset: Handset, plan: SessionPlan): Capability {
  return {
    acceptInsecureCerts: acceptsEndpointCertificate(plan),
    ...handset.appium,
    [HANDSET_CAPABILITY]: handset.id,
    'wdio:maxInstances': 1,
  } as Capability;
}

/** Where a handset's WebDriver session is created (WDIO reads these keys from each capability). */
export type Connection = Grid;

/**
 * The handset's hub when it has one (its own `grid`, or the farm's for a real handset); otherwise the run's
 * own chromedriver (emulated) or local Appium server (real). So one run can mix emulated handsets, local
 * phones and phones behind different hubs: each capability carries its own connection.
 */
export function connectionOf(handset: Handset, plan: SessionPlan): Connection | undefined {
  if (handset.grid) return { ...handset.grid };
  const port = handset.appium ? (plan.appiumPort ?? 4723) : plan.chromedriverPort;
  // No port planned (a plan made by hand): WDIO's own default applies.
  return port === undefined ? undefined : { protocol: 'http', hostname: '127.0.0.1', port, path: '/' };
}

export function capabilitiesFor(handsets: readonly Handset[], plan: SessionPlan): Capability[] {
  return handsets.map((h) => ({
    ...(h.appium ? appiumCapability(h, plan) : emulatedCapability(h, plan)),
    ...connectionOf(h, plan),
  }));
}

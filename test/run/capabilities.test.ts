import assert from 'node:assert/strict';
import { devices } from 'playwright-core';
import { validateFarm } from '../../src/farm/index.ts';
import { capabilitiesFor, HANDSET_CAPABILITY } from '../../src/run/capabilities.ts';
import type { SessionPlan } from '../../src/run/session.ts';

const farm = validateFarm(
  {
    name: 'f',
    handsets: [
      {
        id: 'sim',
        bearer: 'o2',
        emulate: 'iPhone 14',
        proxy: 'sim:o2',
        identity: { msisdn: '447700900123' },
      },
      { id: 'gw', bearer: 'o2', emulate: 'Pixel 7', proxy: 'http://127.0.0.1:3128' },
      { id: 'direct', bearer: 'o2', emulate: 'Pixel 7' },
    ],
  },
  'f.json',
  {},
);
const plan = {
  endpoint: { kind: 'embedded', ports: { main: 1, alt: 2, https: 3 }, apiKey: 'k' },
  simPorts: { sim: 4567 },
} as unknown as SessionPlan;

type ChromeOptions = {
  binary: string;
  args: string[];
  mobileEmulation: { deviceMetrics: Record<string, unknown>; userAgent: string };
};

describe('run/capabilities', () => {
  const [sim, gw, direct] = capabilitiesFor(farm.handsets, plan);
  const chrome = (c: unknown) => (c as Record<string, ChromeOptions>)['goog:chromeOptions']!;

  it('names the handset and uses Debian Chromium and chromedriver', () => {
    assert.equal(sim![HANDSET_CAPABILITY], 'sim');
    assert.equal(chrome(sim).binary, '/usr/bin/chromium');
    assert.deepEqual((sim as Record<string, unknown>)['wdio:chromedriverOptions'], {
      binary: '/usr/bin/chromedriver',
    });
  });

  it('asks for a classic WebDriver session (no BiDi: nothing in the check needs it)', () => {
    assert.equal((sim as Record<string, unknown>)['wdio:enforceWebDriverClassic'], true);
  });

  it("emulates the Playwright descriptor's user agent, viewport, pixel ratio and touch", () => {
    const d = devices['iPhone 14']!;
    const m = chrome(sim).mobileEmulation;
    assert.equal(m.userAgent, d.userAgent);
    assert.deepEqual(m.deviceMetrics, {
      width: d.viewport.width,
      height: d.viewport.height,
      pixelRatio: d.deviceScaleFactor,
      touch: true,
      mobile: true,
    });
  });

  it('sends loopback through the proxy too (sim and user gateways), and nothing for direct', () => {
    assert.ok(chrome(sim).args.includes('--proxy-server=http://127.0.0.1:4567'));
    assert.ok(chrome(sim).args.includes('--proxy-bypass-list=<-loopback>'));
    assert.ok(chrome(gw).args.includes('--proxy-server=http://127.0.0.1:3128'));
    assert.ok(chrome(direct).args.includes('--no-proxy-server'));
    assert.ok(!chrome(direct).args.some((a) => a.startsWith('--proxy-server')));
  });

  it('accepts self-signed HTTPS for the local endpoint, and for a deployed one only when the farm says so', () => {
    assert.equal(sim!.acceptInsecureCerts, true);
    const remote = { ...plan, endpoint: { kind: 'remote', url: 'https://hg.example.net' } } as SessionPlan;
    assert.equal(capabilitiesFor(farm.handsets, remote)[0]!.acceptInsecureCerts, false);
    const insecure = {
      ...plan,
      endpoint: { kind: 'remote', url: 'https://hg.example.net', acceptInsecureCerts: true },
    } as SessionPlan;
    assert.equal(capabilitiesFor(farm.handsets, insecure)[0]!.acceptInsecureCerts, true);
  });
});

describe('run/capabilities: real handsets', () => {
  it("passes the farm's Appium capabilities through, one session per physical phone", () => {
    const real = validateFarm(
      {
        name: 'r',
        handsets: [
          {
            id: 'galaxy',
            bearer: 'o2',
            appium: {
              platformName: 'Android',
              'appium:automationName': 'UiAutomator2',
              'appium:deviceName': 'Galaxy S23',
            },
          },
        ],
      },
      'r.json',
      {},
    );
    const [cap] = capabilitiesFor(real.handsets, plan);
    assert.equal(cap!.platformName, 'Android');
    assert.equal(cap!['appium:automationName'], 'UiAutomator2');
    assert.equal(cap![HANDSET_CAPABILITY], 'galaxy');
    assert.equal(cap!['wdio:maxInstances'], 1);
    assert.equal(real.handsets[0]!.device, 'Galaxy S23');
  });
});

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

describe('run/capabilities: one connection per capability (mixed farms, several hubs)', () => {
  const hubA = { protocol: 'http', hostname: 'grid-a.lab', port: 4444, path: '/' };
  const hubB = {
    protocol: 'https',
    hostname: 'hub-b.lab',
    port: 443,
    path: '/wd/hub',
    user: 'u',
    key: 'env:HUB_KEY',
  };
  const mixed = validateFarm(
    {
      name: 'mixed',
      grid: hubA,
      handsets: [
        {
          id: 'local-emu',
          bearer: 'o2',
          emulate: 'Pixel 7',
          proxy: 'sim:o2',
          identity: { msisdn: '447700900123' },
        },
        {
          id: 'grid-emu',
          bearer: 'o2',
          emulate: 'Pixel 7',
          proxy: 'sim:o2',
          grid: hubA,
          identity: { msisdn: '447700900124' },
        },
        {
          id: 'local-phone',
          bearer: 'o2',
          appium: { platformName: 'Android', 'appium:automationName': 'UiAutomator2' },
          grid: undefined,
        },
        {
          id: 'phone-b',
          bearer: 'o2',
          appium: { platformName: 'Android', 'appium:automationName': 'UiAutomator2' },
          grid: hubB,
        },
      ],
    },
    'mixed.json',
    { HUB_KEY: 'secret-key' },
  );
  const planned = {
    ...plan,
    simPorts: { 'local-emu': 1, 'grid-emu': 2 },
    chromedriverPort: 9515,
    appiumPort: 4723,
  } as SessionPlan;
  const caps = capabilitiesFor(mixed.handsets, planned) as unknown as Record<string, unknown>[];
  const connection = (c: Record<string, unknown>) => [c.protocol, c.hostname, c.port, c.path];

  it("an emulated handset without a hub goes to the run's chromedriver, one with a hub to the hub", () => {
    assert.deepEqual(connection(caps[0]!), ['http', '127.0.0.1', 9515, '/']);
    assert.deepEqual(connection(caps[1]!), ['http', 'grid-a.lab', 4444, '/']);
    // Its browser still reaches its simulator through --proxy-server.
    assert.ok(chromeArgs(caps[1]!).includes('--proxy-server=http://127.0.0.1:2'));
  });

  it("a real handset without its own hub goes to the farm's grid; one with its own to that one, key resolved", () => {
    assert.deepEqual(connection(caps[2]!), ['http', 'grid-a.lab', 4444, '/']);
    assert.deepEqual(connection(caps[3]!), ['https', 'hub-b.lab', 443, '/wd/hub']);
    assert.equal(caps[3]!.user, 'u');
    assert.equal(caps[3]!.key, 'secret-key');
  });

  it('a real handset with no hub at all goes to the local Appium server', () => {
    const local = validateFarm(
      { name: 'l', handsets: [{ id: 'p', bearer: 'o2', appium: { platformName: 'Android' } }] },
      'l.json',
      {},
    );
    const [cap] = capabilitiesFor(local.handsets, planned) as unknown as Record<string, unknown>[];
    assert.deepEqual(connection(cap!), ['http', '127.0.0.1', 4723, '/']);
  });
});

function chromeArgs(cap: Record<string, unknown>): string[] {
  return (cap['goog:chromeOptions'] as { args: string[] }).args;
}

describe('run/capabilities: a deployed endpoint by name, on a private CA', () => {
  const remote = {
    endpoint: {
      kind: 'remote',
      url: 'https://probe.hg.test',
      spki: ['AAAA', 'BBBB'],
      resolve: { 'probe.hg.test': '127.0.0.1', 'partner.hg.test': '::1' },
    },
    simPorts: { sim: 4567 },
    chromedriverPort: 9515,
  } as unknown as SessionPlan;

  it("maps the endpoint's names (host-resolver rules) and accepts its CA's keys, the certificate still checked", () => {
    const [cap] = capabilitiesFor(farm.handsets, remote) as unknown as Record<string, unknown>[];
    const args = chromeArgs(cap!);
    // One switch (Chromium keeps only the last of a repeated one), the local *.localhost rule kept in it.
    assert.deepEqual(
      args.filter((a) => a.startsWith('--host-resolver-rules')),
      [
        '--host-resolver-rules=MAP probe.hg.test 127.0.0.1, MAP partner.hg.test [::1], MAP *.localhost 127.0.0.1',
      ],
    );
    assert.ok(args.includes('--ignore-certificate-errors-spki-list=AAAA,BBBB'), args.join(' '));
    assert.equal(cap!.acceptInsecureCerts, false);
  });

  it('the embedded endpoint gets only the local host rule, and no CA keys', () => {
    const [cap] = capabilitiesFor(farm.handsets, plan) as unknown as Record<string, unknown>[];
    const args = chromeArgs(cap!);
    assert.deepEqual(
      args.filter((a) => a.startsWith('--host-resolver-rules')),
      ['--host-resolver-rules=MAP *.localhost 127.0.0.1'],
    );
    assert.ok(!args.some((a) => a.startsWith('--ignore-certificate-errors-spki-list')));
  });
});

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FarmError, loadFarm, validateFarm } from '../../src/farm/index.ts';
import { ROOT } from '../support/cli.ts';

// The farms the README and docs/farms.md name load and validate as documented.

const LAB_ENV = {
  HG_LAB_O2_MSISDN: '447700900123',
  HG_LAB_O2_IMSI: '234100000900123',
  HG_LAB_GIFFGAFF_MSISDN: '447700900124',
};

describe('example farms (devices/)', () => {
  it('devices/lab.json: two emulated handsets behind the lab gateways, identities from the environment', async () => {
    const farm = await loadFarm(path.join(ROOT, 'devices', 'lab.json'), LAB_ENV);
    assert.equal(farm.name, 'o2-lab');
    assert.deepEqual(
      farm.handsets.map((h) => [h.id, h.bearer, h.proxy]),
      [
        ['lab-o2-pixel-7', 'o2', { kind: 'gateway', url: 'http://127.0.0.1:8888' }],
        ['lab-giffgaff-iphone-14', 'giffgaff', { kind: 'gateway', url: 'http://127.0.0.1:8889' }],
      ],
    );
    // giffgaff inherits O2's partner enrichment: the positive control runs on both.
    assert.deepEqual(
      farm.handsets.map((h) => h.policy.partnerEnrichment),
      [['x-up-calling-line-id'], ['x-up-calling-line-id']],
    );
  });

  it('devices/lab.json without its environment: one line naming the missing variable', async () => {
    await assert.rejects(loadFarm(path.join(ROOT, 'devices', 'lab.json'), {}), /HG_LAB_O2_MSISDN/);
  });

  it('devices/simulated.ts: the embedded default', async () => {
    const farm = await loadFarm(path.join(ROOT, 'devices', 'simulated.ts'), {});
    assert.deepEqual(
      farm.handsets.map((h) => h.proxy.kind),
      ['sim', 'sim', 'sim'],
    );
  });
});

describe('example rack farms (devices/): real phones, hubs', () => {
  const caps = (h: { appium?: Record<string, unknown> }) => h.appium!;

  it('devices/android-rack.ts: UiAutomator2 + Chrome, per-phone ports, project-local chromedrivers, no downloads', async () => {
    const farm = await loadFarm(path.join(ROOT, 'devices', 'android-rack.ts'), {
      HG_RACK_O2_MSISDN: '447712345601',
      HG_RACK_O2_IMSI: '234100000000601',
      HG_RACK_GIFFGAFF_MSISDN: '447712345602',
    });
    assert.equal(farm.handsets.length, 2);
    const ports = new Set<unknown>();
    for (const h of farm.handsets) {
      const c = caps(h);
      assert.equal(c.platformName, 'Android');
      assert.equal(c.browserName, 'Chrome');
      assert.equal(c['appium:automationName'], 'UiAutomator2');
      assert.equal(typeof c['appium:udid'], 'string');
      assert.equal(c['appium:chromedriverExecutableDir'], path.join(ROOT, '.appium', 'chromedrivers'));
      assert.equal(c['appium:chromedriverAutodownload'], false);
      assert.equal(c['wdio:maxInstances'], 1);
      ports.add(c['appium:systemPort']).add(c['appium:chromedriverPort']);
      assert.equal(h.grid, undefined, 'a local Appium server');
    }
    assert.equal(ports.size, 4, 'every phone has its own systemPort and chromedriverPort');
    assert.deepEqual(
      farm.handsets.map((h) => h.identity.msisdn),
      ['447712345601', '447712345602'],
    );
  });

  it('devices/ios-rack.json: XCUITest + Safari, wdaLocalPort, signing from env, the number from a root-only file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hg-ios-rack-'));
    try {
      const secret = path.join(dir, 'rack-iphone-15.msisdn');
      await writeFile(secret, '447712345603\n', { mode: 0o600 });
      const text = (await readFile(path.join(ROOT, 'devices', 'ios-rack.json'), 'utf8')).replace(
        'file:/etc/headerguard/rack-iphone-15.msisdn',
        `file:${secret}`,
      );
      const farm = validateFarm(JSON.parse(text), 'ios-rack.json', {
        HG_XCODE_ORG_ID: 'ABCDE12345',
        HG_XCODE_SIGNING_ID: 'Apple Development',
        HG_WDA_BUNDLE_ID: 'net.example.WebDriverAgentRunner',
        HG_RACK_IPHONE_IMSI: '234100000000603',
      });
      const [h] = farm.handsets;
      const c = caps(h!);
      assert.equal(c['appium:automationName'], 'XCUITest');
      assert.equal(c.browserName, 'Safari');
      assert.equal(typeof c['appium:udid'], 'string');
      assert.equal(c['appium:wdaLocalPort'], 8101);
      assert.equal(c['appium:xcodeOrgId'], 'ABCDE12345');
      assert.equal(c['appium:xcodeSigningId'], 'Apple Development');
      assert.equal(h!.identity.msisdn, '447712345603');
      // As written, without its environment and file: every missing one named, nothing else.
      const { problems } = await farmErrorOf(() => loadFarm(path.join(ROOT, 'devices', 'ios-rack.json'), {}));
      assert.ok(problems.some((p) => p.includes('HG_XCODE_ORG_ID')));
      assert.ok(problems.some((p) => p.includes('cannot read /etc/headerguard/rack-iphone-15.msisdn')));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('devices/grid-hub.json: phones behind a Selenium Grid 4 hub, and an emulated handset on a Grid node', async () => {
    const farm = await loadFarm(path.join(ROOT, 'devices', 'grid-hub.json'), {
      HG_HUB_O2_MSISDN: '447712345604',
    });
    const hub = { protocol: 'http', hostname: 'grid.lab.example', port: 4444, path: '/' };
    assert.deepEqual(farm.grid, hub);
    assert.deepEqual(
      farm.handsets.map((h) => [h.id, h.grid, Boolean(h.appium)]),
      [
        ['hub-o2-pixel-8', hub, true],
        ['hub-emulated-pixel-7', hub, false],
      ],
    );
  });

  it('devices/appium-device-farm-hub.json: phones chosen by the hub (appium:udids), Android and iOS', async () => {
    const farm = await loadFarm(path.join(ROOT, 'devices', 'appium-device-farm-hub.json'), {
      HG_DF_O2_MSISDN: '447712345605',
      HG_DF_O2_IPHONE_MSISDN: '447712345606',
    });
    assert.equal(farm.grid!.path, '/wd/hub');
    assert.deepEqual(
      farm.handsets.map((h) => [
        caps(h)['appium:automationName'],
        typeof caps(h)['appium:udids'],
        h.grid?.port,
      ]),
      [
        ['UiAutomator2', 'string', 4723],
        ['XCUITest', 'string', 4723],
      ],
    );
  });
});

async function farmErrorOf(load: () => Promise<unknown>): Promise<{ problems: readonly string[] }> {
  try {
    await load();
  } catch (err) {
    assert.ok(err instanceof FarmError, String(err));
    return { problems: err.problems };
  }
  assert.fail('expected the farm to be refused');
}

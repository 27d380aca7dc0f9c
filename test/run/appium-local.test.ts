import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/shared/free-port.ts';
import { type RunningSimulator, startSimulator } from '../../src/simulate/index.ts';
import {
  appiumChromiumCapabilities,
  installAppiumChromiumDriver,
  type RunningAppium,
  startAppium,
} from '../support/appium-server.ts';
import { assertFailsNaming, runCli, runFarm } from '../support/cli.ts';
import { type RunningGrid, startGrid } from '../support/selenium-grid.ts';

// End to end through a real local Appium 3 server (the run starts it with @wdio/appium-service) and its
// Chromium driver standing in for a phone on a rack's host: each stand-in's Chromium reaches a bearer simulator
// (the carrier's gateway in front of a real phone) through its own goog:chromeOptions --proxy-server. A healthy
// gateway passes, the O2 2012 replay fails naming its header; `doctor` on the same farm sees Appium and the
// installed driver. Beside them, in the same run, a third stand-in behind a Selenium Grid 4 relay node in front
// of another Appium server (the shape of a rack behind a hub: WDIO sees one endpoint for the rack). The driver
// is installed into .appium/ when missing (idempotent; the npm registry is reachable in CI): a machine that
// cannot install it fails here, never skips.

describe('headerguard run and doctor: appium handsets on a local Appium (Chromium driver, end to end)', function () {
  this.timeout(240_000);
  let dir: string;
  let farmFile: string;
  const sims: RunningSimulator[] = [];
  let rackAppium: RunningAppium | undefined;
  let relay: RunningGrid | undefined;
  before(async function () {
    this.timeout(180_000);
    installAppiumChromiumDriver();
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-appium-run-'));
    rackAppium = await startAppium();
    relay = await startGrid({
      maxSessions: 1,
      relay: {
        url: rackAppium.url,
        stereotype: { platformName: 'linux', browserName: 'chrome', 'appium:automationName': 'Chromium' },
      },
    });
    const handset = async (id: string, msisdn: string, fault?: 'o2-2012') => {
      const sim = await startSimulator({
        bearer: 'o2',
        msisdn,
        logLevel: 'silent',
        ...(fault ? { fault } : {}),
      });
      sims.push(sim);
      return {
        id,
        bearer: 'o2',
        device: 'Chromium via Appium (stand-in handset)',
        identity: { msisdn },
        appium: appiumChromiumCapabilities(
          [`--proxy-server=${sim.url}`, '--proxy-bypass-list=<-loopback>'],
          await freePort(),
        ),
      };
    };
    farmFile = path.join(dir, 'appium-farm.json');
    await writeFile(
      farmFile,
      JSON.stringify({
        name: 'appium-stand-in',
        handsets: [
          await handset('appium-healthy', '447700900171'),
          await handset('appium-o2-2012', '447700900172', 'o2-2012'),
          { ...(await handset('relay-healthy', '447700900173')), grid: relay.farmGrid },
          // A mixed farm: an emulated handset beside the phones, in the same run, summary and exit code.
          {
            id: 'emulated-healthy',
            bearer: 'o2',
            emulate: 'Pixel 7',
            proxy: 'sim:o2',
            identity: { msisdn: '447700900174' },
          },
        ],
      }),
    );
  });
  after(async () => {
    await relay?.stop();
    await rackAppium?.stop();
    await Promise.all(sims.map((s) => s.close()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('doctor sees Appium, its installed Chromium driver and the relay slot (exit 0)', async () => {
    const res = await runCli(['doctor', '--farm', farmFile], { timeoutMs: 60_000 });
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const lines = res.stdout.split('\n');
    assert.ok(
      lines.some((l) => /^ok {3}appium \(3\.\d+\.\d+; the run starts it on loopback\)$/.test(l)),
      res.stdout,
    );
    assert.ok(
      lines.some((l) => /^ok {3}appium driver for Chromium in .*\.appium/.test(l)),
      res.stdout,
    );
    assert.ok(lines.includes(`ok   grid http://127.0.0.1:${relay!.port} (ready, 1 slot(s))`), res.stdout);
    assert.ok(lines.includes('ok   grid slot for handset relay-healthy'), res.stdout);
  });

  it('through a healthy gateway passes (local, relayed and emulated beside them), through the O2 2012 replay fails naming x-up-calling-line-id', async () => {
    const reportDir = path.join(dir, 'reports');
    // The Appium the run starts for its local handsets, and the stand-in Chromiums it drives, keep their
    // temporary files in the test's folder (Chromium leaves some behind when its driver quits it).
    const tmp = path.join(dir, 'tmp');
    await mkdir(tmp, { recursive: true });
    const { res, byId } = await runFarm(farmFile, reportDir, {
      maxParallel: 4,
      code: 1,
      env: { TMPDIR: tmp },
    });
    assert.equal(byId.size, 4, 'one summary for the whole mixed farm');
    for (const id of ['appium-healthy', 'relay-healthy', 'emulated-healthy'])
      assert.equal(byId.get(id)?.verdict, 'pass', JSON.stringify(byId.get(id)));
    assertFailsNaming(byId.get('appium-o2-2012'), 'x-up-calling-line-id');
    // The relayed session went through the Grid to the rack's Appium (the run's own Appium has the other two).
    assert.match(relay!.output(), /Session created by the Node/, relay!.output());
    assert.equal(
      rackAppium!.output().match(/New ChromiumDriver session created successfully/g)?.length,
      1,
      rackAppium!.output(),
    );
    assert.ok(!/44770090017\d/.test(res.stdout + res.stderr), 'masked on the console');
  });
});

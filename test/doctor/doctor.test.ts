import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  CaptureClient,
  type RunningCaptureServer,
  startLocalCaptureServer,
} from '../../src/capture/index.ts';
import { type CheckResult, doctorExit, formatCheck } from '../../src/doctor/doctor-check.ts';
import {
  checkAccess,
  checkCertificate,
  checkNothingInFront,
  headerDifference,
} from '../../src/doctor/endpoint-checks.ts';
import {
  checkAndroidPhones,
  checkGrid,
  gridCapabilitiesOf,
  gridsOf,
  slotMatches,
} from '../../src/doctor/farm-checks.ts';
import { appiumVersionIn, checkAppium, checkBrowser, type Exec } from '../../src/doctor/tool-checks.ts';
import { validateFarm } from '../../src/farm/index.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { runCli } from '../support/cli.ts';

// The doctor's checks, each against a stand-in: the embedded endpoint (and a reverse proxy in front of it that
// adds a header), a fake Grid /status, a stand-in adb on PATH, fake chromium/chromedriver/java answers, a made-up
// APPIUM_HOME. Then the command on a broken farm and on a deployed endpoint with a wrong key.

const failed = (rs: readonly CheckResult[]) => rs.filter((r) => !r.ok);

describe('doctor: lines and exit codes', () => {
  it('prints ok or FAIL with the problem and what to do, one line each', () => {
    assert.equal(formatCheck({ check: 'java', ok: true, note: '17' }), 'ok   java (17)');
    assert.equal(
      formatCheck({ check: 'x', ok: false, problem: 'gone\nreally', fix: 'install it', kind: 'missing' }),
      'FAIL x: gone really — install it',
    );
  });
  it('exits 0 when all is well, 2 for bad configuration over 3 for something missing', () => {
    const good: CheckResult = { check: 'a', ok: true };
    const gone: CheckResult = { check: 'b', ok: false, problem: 'p', fix: 'f', kind: 'missing' };
    const bad: CheckResult = { check: 'c', ok: false, problem: 'p', fix: 'f', kind: 'config' };
    assert.equal(doctorExit([good]), 0);
    assert.equal(doctorExit([good, gone]), 3);
    assert.equal(doctorExit([gone, bad]), 2);
  });
});

describe('doctor: Chromium, chromedriver, Appium drivers', () => {
  const answers =
    (table: Record<string, string>): Exec =>
    async (file) => {
      const out = table[file];
      if (out === undefined) throw new Error(`spawn ${file} ENOENT`);
      return out;
    };

  it('wants both present and of one major version', async () => {
    const same = await checkBrowser(
      'chromium',
      'chromedriver',
      answers({ chromium: 'Chromium 156.0.8078.114', chromedriver: 'ChromeDriver 156.0.8078.114 (abc)' }),
    );
    assert.deepEqual(failed(same), []);
    const apart = await checkBrowser(
      'chromium',
      'chromedriver',
      answers({ chromium: 'Chromium 156.0.1.2', chromedriver: 'ChromeDriver 155.0.1.2' }),
    );
    assert.match(formatCheck(failed(apart)[0]!), /chromium is 156, chromedriver 155/);
    const gone = await checkBrowser('chromium', 'chromedriver', answers({ chromium: 'Chromium 156.0.1.2' }));
    assert.match(
      formatCheck(failed(gone)[0]!),
      /^FAIL chromedriver chromedriver: cannot run it .*setup:system/,
    );
  });

  it("wants each automation name's driver in APPIUM_HOME", async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'hg-appium-'));
    try {
      const exec = answers({ [process.execPath]: '3.8.0' });
      const none = await checkAppium(['Chromium'], home, 'appium.js', exec);
      assert.match(formatCheck(failed(none)[0]!), /no Appium drivers installed there/);
      await mkdir(path.join(home, 'node_modules', '.cache', 'appium'), { recursive: true });
      await writeFile(
        path.join(home, 'node_modules', '.cache', 'appium', 'extensions.yaml'),
        'drivers:\n  chromium:\n    automationName: Chromium\n    version: 3.1.1\nplugins: {}\nschemaRev: 4\n',
      );
      assert.deepEqual(failed(await checkAppium(['Chromium'], home, 'appium.js', exec)), []);
      const other = await checkAppium(['UiAutomator2', 'Chromium'], home, 'appium.js', exec);
      assert.equal(failed(other).length, 1);
      assert.match(formatCheck(failed(other)[0]!), /UiAutomator2 .*not installed \(installed: chromium\)/);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it("reads Appium's version past its own log lines, and runs it in that APPIUM_HOME", async () => {
    assert.equal(appiumVersionIn('3.8.0\ndbug Appium Updated hash of /srv/package.json\n'), '3.8.0');
    assert.equal(appiumVersionIn('something else\n'), 'something else');
    let seen: string | undefined;
    const exec: Exec = async (_file, _args, env) => {
      seen = env?.APPIUM_HOME;
      return 'dbug Appium hello\n3.8.0\n';
    };
    const [line] = await checkAppium([], '/srv/hg/.appium', 'appium.js', exec);
    assert.equal(formatCheck(line!), 'ok   appium (3.8.0; the run starts it on loopback)');
    assert.equal(seen, '/srv/hg/.appium');
  });
});

describe('doctor: the capture endpoint', function () {
  this.timeout(20_000);
  let server: RunningCaptureServer;
  let client: CaptureClient;
  before(async () => {
    server = await startLocalCaptureServer({ logger: createLogger('capture', 'silent') });
    client = new CaptureClient(server.apiBaseUrl, server.apiKey, { timeoutMs: 5000 });
  });
  after(() => server?.close());

  it('reachable, the key accepted; a wrong key is bad configuration; a closed port is missing', async () => {
    assert.deepEqual(failed(await checkAccess(client, server.apiBaseUrl)), []);
    const wrongKey = await checkAccess(new CaptureClient(server.apiBaseUrl, 'nope'), server.apiBaseUrl);
    assert.equal(doctorExit(wrongKey), 2);
    const closed = await checkAccess(new CaptureClient('http://127.0.0.1:9', 'k'), 'http://127.0.0.1:9');
    assert.equal(doctorExit(closed), 3);
  });

  it('sees nothing in front of it: the known header lines come back byte for byte', async () => {
    const r = await checkNothingInFront(client, 'o2');
    assert.ok(r.ok, formatCheck(r));
  });

  it('sees a reverse proxy in front that adds a header, and names it', async () => {
    // Inserts one header line after the request line, as a load balancer adding X-Forwarded-For would.
    const front = net.createServer((c) => {
      const up = net.connect(server.ports.main, '127.0.0.1');
      let first = true;
      c.on('data', (d) => {
        const text = d.toString('latin1');
        up.write(first ? text.replace('\r\n', '\r\nX-Forwarded-For: 203.0.113.9\r\n') : text, 'latin1');
        first = false;
      });
      up.pipe(c);
      c.on('error', () => up.destroy());
      up.on('error', () => c.destroy());
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    try {
      const port = (front.address() as net.AddressInfo).port;
      const r = await checkNothingInFront(client, 'o2', { via: { host: '127.0.0.1', port } });
      assert.equal(r.ok, false);
      assert.match(
        formatCheck(r),
        /^FAIL nothing in front .*added or changed X-Forwarded-For — serve the probe hosts/,
      );
    } finally {
      front.close();
    }
  });

  it('finds the self-signed certificate not valid for the probe host', async () => {
    const r = await checkCertificate('probe.localhost', server.ports.https);
    assert.equal(r.ok, false);
    assert.match(formatCheck(r), /^FAIL certificate valid for probe\.localhost: .*self-signed/);
  });

  it('tells reordered, removed and added lines apart', () => {
    const sent: [string, string][] = [
      ['Host', 'h'],
      ['X-A', '1'],
    ];
    assert.equal(headerDifference(sent, sent), undefined);
    assert.equal(headerDifference(sent, [sent[1]!, sent[0]!]), 'reordered the header lines');
    assert.equal(
      headerDifference(sent, [
        ['Host', 'h'],
        ['x-a', '1'],
      ]),
      'added or changed x-a; removed or changed X-A',
    );
  });
});

describe('doctor: the Grid (a stand-in /status)', () => {
  let status: unknown;
  let grid: http.Server;
  let port: number;
  before(async () => {
    grid = http.createServer((req, res) => {
      res.writeHead(req.url === '/status' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status));
    });
    await new Promise<void>((resolve) => grid.listen(0, '127.0.0.1', resolve));
    port = (grid.address() as net.AddressInfo).port;
  });
  after(() => grid.close());

  const farm = () =>
    validateFarm(
      {
        name: 'grid',
        grid: { hostname: '127.0.0.1', port },
        handsets: [
          { id: 'chrome', bearer: 'o2', appium: { browserName: 'chrome', platformName: 'linux' } },
          {
            id: 'pixel',
            bearer: 'o2',
            appium: {
              platformName: 'Android',
              'appium:automationName': 'UiAutomator2',
              'appium:udid': 'R58',
            },
          },
        ],
      },
      'grid.json',
    );

  it('wants it ready with a slot matching each handset', async () => {
    status = {
      value: {
        ready: true,
        nodes: [{ slots: [{ stereotype: { browserName: 'chrome', platformName: 'LINUX' } }] }],
      },
    };
    const f = farm();
    const rs = await checkGrid(f.grid!, f.handsets);
    assert.equal(rs[0]!.ok, true);
    assert.equal(rs[1]!.ok, true, formatCheck(rs[1]!));
    assert.match(
      formatCheck(rs[2]!),
      /^FAIL grid slot for handset pixel: no slot matches .*platformName=Android/,
    );
  });

  it('says when it is not ready, or not there', async () => {
    status = { value: { ready: false, message: 'Selenium Grid not ready.', nodes: [] } };
    const f = farm();
    assert.match(formatCheck((await checkGrid(f.grid!, []))[0]!), /not ready \(Selenium Grid not ready\.\)/);
    const gone = await checkGrid({ ...f.grid!, port: 9 }, []);
    assert.match(formatCheck(gone[0]!), /^FAIL grid http:\/\/127\.0\.0\.1:9: not reachable/);
  });

  it('matches appium: capabilities a slot names, case aside', () => {
    const slot = { platformName: 'android', 'appium:automationName': 'UiAutomator2' };
    assert.ok(slotMatches(slot, { platformName: 'Android', 'appium:automationName': 'uiautomator2' }));
    assert.ok(!slotMatches(slot, { platformName: 'Android', 'appium:automationName': 'Espresso' }));
    assert.ok(!slotMatches(slot, { platformName: 'Android', browserName: 'chrome' }));
  });

  it("asks each hub about the handsets on it: the farm's, and one a handset names itself", () => {
    const own = { hostname: '127.0.0.1', port: port + 1 };
    const f = validateFarm(
      {
        name: 'hubs',
        grid: { hostname: '127.0.0.1', port },
        handsets: [
          { id: 'real', bearer: 'o2', appium: { browserName: 'chrome', platformName: 'linux' } },
          { id: 'emulated-own', bearer: 'o2', emulate: 'Pixel 7', grid: own },
          { id: 'emulated-local', bearer: 'o2', emulate: 'Pixel 7' },
        ],
      },
      'hubs.json',
    );
    const hubs = gridsOf(f).map((g) => [g.grid.port, g.handsets.map((h) => h.id)]);
    assert.deepEqual(hubs, [
      [port, ['real']],
      [port + 1, ['emulated-own']],
    ]);
    assert.deepEqual(gridCapabilitiesOf(f.handsets[1]!), { browserName: 'chrome' });
  });
});

describe('doctor: Android phones on a local Appium (a stand-in adb on PATH)', () => {
  let dir: string;
  let savedPath: string | undefined;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-doctor-adb-'));
    savedPath = process.env.PATH;
    process.env.PATH = `${dir}${path.delimiter}${savedPath}`;
    await writeFile(
      path.join(dir, 'adb'),
      `#!/bin/sh
if [ "$1" = devices ]; then printf 'List of devices attached\\nR58M123\\tdevice\\nX9\\tunauthorized\\n'; exit 0; fi
case "$*" in
  *wifi_on*) echo 1 ;;
  *mobile_data*) echo 1 ;;
  *gsm.sim.operator.numeric*) echo 23410 ;;
esac
`,
    );
    await chmod(path.join(dir, 'adb'), 0o755);
  });
  after(async () => {
    process.env.PATH = savedPath;
    await rm(dir, { recursive: true, force: true });
  });

  it('wants adb to see each udid, and each phone off Wi-Fi on the SIM of its bearer', async () => {
    const phone = (id: string, udid: string) => ({
      id,
      bearer: 'o2',
      appium: { platformName: 'Android', 'appium:udid': udid, 'appium:automationName': 'UiAutomator2' },
    });
    const farm = validateFarm(
      { name: 'rack', handsets: [phone('p1', 'R58M123'), phone('p2', 'X9'), phone('p3', 'GONE')] },
      'rack.json',
    );
    const lines = (await checkAndroidPhones(farm)).map(formatCheck);
    assert.deepEqual(lines.slice(0, 1), ['ok   adb sees phone R58M123 (handset p1)']);
    assert.match(lines[1]!, /^FAIL phone R58M123 on the bearer o2: not on the bearer: Wi-Fi is on/);
    assert.match(
      lines[2]!,
      /^FAIL adb sees phone X9 \(handset p2\): it is unauthorized — accept the USB debugging/,
    );
    assert.match(lines[3]!, /^FAIL adb sees phone GONE \(handset p3\): not listed by adb devices/);
    assert.equal(lines.length, 4);
  });

  it("leaves a phone behind its own hub to the hub's host (no adb here), in a farm with no grid of its own", async () => {
    const farm = validateFarm(
      {
        name: 'mixed',
        handsets: [
          {
            id: 'hub-phone',
            bearer: 'o2',
            grid: { hostname: 'grid.lab.example', port: 4444 },
            appium: {
              platformName: 'Android',
              'appium:udid': 'GONE',
              'appium:automationName': 'UiAutomator2',
            },
          },
        ],
      },
      'mixed.json',
    );
    assert.deepEqual(await checkAndroidPhones(farm), []);
  });
});

describe('headerguard doctor (the command)', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-doctor-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('lists every problem of a broken farm at once, masked, and exits 2', async () => {
    const farm = path.join(dir, 'broken.json');
    await writeFile(
      farm,
      JSON.stringify({
        name: 'broken',
        handsets: [
          { id: 'a', bearer: 'o3', emulate: 'Pixel 7' },
          { id: 'b', bearer: 'o2', emulate: 'pixel7', proxy: 'sim:o2', identity: { msisdn: '4477009001' } },
        ],
      }),
    );
    const r = await runCli(['doctor', '--farm', farm]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    const fails = r.stdout.split('\n').filter((l) => l.startsWith('FAIL farm: '));
    assert.equal(fails.length, 3, r.stdout);
    assert.ok(!r.stdout.includes('4477009001'));
    assert.match(r.stdout, /^ok {3}java/m);
  });

  it('on a deployed endpoint: a refused key is exit 2', async () => {
    const server = await startLocalCaptureServer({ logger: createLogger('capture', 'silent') });
    try {
      const farm = path.join(dir, 'deployed.json');
      await writeFile(
        farm,
        JSON.stringify({
          name: 'deployed',
          capture: { url: server.apiBaseUrl, apiKey: 'env:HG_DOCTOR_KEY' },
          handsets: [{ id: 'a', bearer: 'o2', emulate: 'Pixel 7' }],
        }),
      );
      const r = await runCli(['doctor', '--farm', farm], { env: { HG_DOCTOR_KEY: 'wrong' } });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stdout, /^FAIL capture API key accepted: capture endpoint refused the API key/m);
      const good = await runCli(['doctor', '--farm', farm], { env: { HG_DOCTOR_KEY: server.apiKey } });
      // Its certificate is self-signed and the farm does not accept that: missing, exit 3.
      assert.equal(good.code, 3, good.stdout + good.stderr);
      assert.match(good.stdout, /^ok {3}capture API key accepted/m);
      assert.match(good.stdout, /^ok {3}nothing in front of the endpoint/m);
      assert.match(good.stdout, /^FAIL certificate valid for partner\.localhost/m);
    } finally {
      await server.close();
    }
  });
});

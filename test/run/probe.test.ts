import assert from 'node:assert/strict';
import { handsetSummarySchema } from '../../src/report/summary-schema.ts';
import { type AndroidDeviceLike, launchAndroid } from '../../src/run/playwright-driver.ts';
import { DEFAULT_PROBE_DEVICE, probeFarm } from '../../src/run/probe.ts';
import { UserError } from '../../src/shared/errors.ts';
import { freePort } from '../../src/shared/free-port.ts';
import { runCli } from '../support/cli.ts';

// `headerguard probe`: one handset through one gateway, outside WebdriverIO. End to end through the bearer
// simulator (healthy, the 2012 replay) and an unreachable proxy; the flags checked before anything starts.

const MSISDN = '447700900123';

describe('run/probe: the handset from the flags', () => {
  it('is an emulated Pixel 7 on the bearer, through the given proxy, with the identity given', () => {
    const farm = probeFarm({ bearer: 'o2', msisdn: MSISDN, imsi: '234100000900123', proxy: 'sim:o2' });
    const h = farm.handsets[0]!;
    assert.equal(h.emulate, DEFAULT_PROBE_DEVICE);
    assert.equal(h.bearer, 'o2');
    assert.deepEqual(h.proxy, { kind: 'sim', bearer: 'o2' });
    assert.equal(h.identity.msisdn, MSISDN);
    assert.equal(h.identity.imsi, '234100000900123');
    assert.equal(farm.capture, undefined);
  });

  it('is a real Android phone with --android (its udid, no proxy), and reads env:VAR', () => {
    const farm = probeFarm(
      { bearer: 'o2', msisdn: 'env:HG_T_MSISDN', android: 'R58M123' },
      {
        HG_T_MSISDN: MSISDN,
      },
    );
    const h = farm.handsets[0]!;
    assert.equal(h.emulate, undefined);
    assert.equal(h.appium?.['appium:udid'], 'R58M123');
    assert.equal(h.proxy.kind, 'direct');
    assert.equal(h.identity.msisdn, MSISDN);
  });

  it('takes a deployed endpoint with its key', () => {
    const farm = probeFarm({ bearer: 'o2', msisdn: MSISDN, capture: 'https://hg.example.net', apiKey: 'k' });
    assert.deepEqual(farm.capture, {
      url: 'https://hg.example.net',
      apiKey: 'k',
      acceptInsecureCerts: false,
    });
  });

  it("accepts a lab endpoint's certificate unchecked only when told, and only for a deployed endpoint", () => {
    const lab = probeFarm({
      bearer: 'o2',
      msisdn: MSISDN,
      capture: 'https://hg.lab',
      apiKey: 'k',
      acceptInsecureCerts: true,
    });
    assert.equal(lab.capture?.acceptInsecureCerts, true);
    assert.throws(
      () => probeFarm({ bearer: 'o2', msisdn: MSISDN, acceptInsecureCerts: true }),
      /--accept-insecure-certs applies to a deployed endpoint/,
    );
  });

  const refused: [string, Parameters<typeof probeFarm>[0], RegExp][] = [
    ['an unknown bearer', { bearer: 'o3', msisdn: MSISDN }, /^--bearer: unknown bearer "o3"/],
    ['a number of another country', { bearer: 'o2', msisdn: '14155550100' }, /^--msisdn: /],
    ['an unknown device', { bearer: 'o2', msisdn: MSISDN, emulate: 'pixel7' }, /^--emulate: .*"Pixel 7"/],
    ['a bad proxy', { bearer: 'o2', msisdn: MSISDN, proxy: 'sim:nope' }, /^--proxy: /],
    [
      '--android with --emulate',
      { bearer: 'o2', msisdn: MSISDN, android: 'X', emulate: 'Pixel 7' },
      /choose one/,
    ],
    ['--android with --proxy', { bearer: 'o2', msisdn: MSISDN, android: 'X', proxy: 'sim:o2' }, /own bearer/],
    ['--capture without --api-key', { bearer: 'o2', msisdn: MSISDN, capture: 'http://x' }, /go together/],
  ];
  for (const [what, options, message] of refused) {
    it(`refuses ${what} (exit 2, the identifiers masked)`, () => {
      assert.throws(
        () => probeFarm(options, {}),
        (err: unknown) => {
          assert.ok(err instanceof UserError);
          assert.equal(err.exitCode, 2);
          assert.match(err.message, message);
          assert.ok(!err.message.includes('14155550100'), err.message);
          return true;
        },
      );
    });
  }
});

describe('run/playwright-driver: Chrome on an ADB-attached phone (no phone here: a stand-in _android)', () => {
  function phone(serial: string, log: string[]): AndroidDeviceLike {
    return {
      serial: () => serial,
      shell: async (command) => {
        log.push(`${serial} shell ${command}`);
        return Buffer.from('');
      },
      launchBrowser: async (options) => {
        log.push(`${serial} launch ${JSON.stringify(options)}`);
        return { pages: () => [], newPage: async () => ({ fake: serial }), close: async () => {} } as never;
      },
      close: async () => {
        log.push(`${serial} closed`);
      },
    };
  }

  it('opens Chrome on the phone with that serial, fresh, and closes the others', async () => {
    const log: string[] = [];
    const api = { devices: async () => [phone('A1', log), phone('R58M123', log)] };
    const browser = await launchAndroid('R58M123', false, api);
    assert.deepEqual(browser.page, { fake: 'R58M123' });
    await browser.close();
    assert.deepEqual(log, [
      'A1 closed',
      'R58M123 shell am force-stop com.android.chrome',
      'R58M123 launch {"ignoreHTTPSErrors":false}',
      'R58M123 closed',
    ]);
  });

  it('says which phones adb sees when the serial is not among them', async () => {
    const api = { devices: async () => [phone('A1', [])] };
    await assert.rejects(launchAndroid('R58M123', false, api), /adb sees no phone R58M123 \(seen: A1\)/);
    await assert.rejects(launchAndroid('R58M123', false, { devices: async () => [] }), /no phone attached/);
  });
});

describe('headerguard probe, end to end (Chromium through the bearer simulator)', function () {
  this.timeout(240_000);

  it('passes through a healthy sim:o2 (exit 0), the number never printed in full', async () => {
    const r = await runCli(['probe', '--bearer', 'o2', '--msisdn', MSISDN, '--proxy', 'sim:o2'], {
      timeoutMs: 200_000,
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^probe\s+o2\s+sim:o2\s+PASS/m);
    assert.match(r.stdout, /verdict: PASS/);
    assert.ok(!(r.stdout + r.stderr).includes(MSISDN));
  });

  it('fails through sim:o2:o2-2012 (exit 1) naming x-up-calling-line-id; --json is a summary.json handset, masked', async () => {
    const r = await runCli(
      ['probe', '--bearer', 'o2', '--msisdn', MSISDN, '--proxy', 'sim:o2:o2-2012', '--json'],
      { timeoutMs: 200_000 },
    );
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(!(r.stdout + r.stderr).includes(MSISDN));
    const result = handsetSummarySchema.parse(JSON.parse(r.stdout));
    assert.equal(result.verdict, 'fail');
    assert.equal(result.gateway, 'sim:o2:o2-2012');
    const leak = result.findings.find((f) => f.rule === 'identity-value' && f.probe === 'nav');
    assert.equal(leak?.header, 'x-up-calling-line-id');
    assert.match(leak?.evidence ?? '', /4477\*{6}23/);
  });

  it('is broken through an unreachable proxy (exit 3), saying why', async () => {
    const closed = await freePort();
    const r = await runCli(
      ['probe', '--bearer', 'o2', '--msisdn', MSISDN, '--proxy', `http://127.0.0.1:${closed}`],
      { timeoutMs: 200_000 },
    );
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /BROKEN: browser: net::ERR_PROXY_CONNECTION_FAILED/);
    assert.match(r.stdout, /verdict: BROKEN/);
  });

  it('refuses bad flags in one line, exit 2, before starting anything', async () => {
    const r = await runCli(['probe', '--bearer', 'o3', '--msisdn', MSISDN]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^headerguard: --bearer: unknown bearer "o3" \(known: o2, giffgaff, tesco\)\n$/);
  });
});

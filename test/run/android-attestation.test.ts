import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { evaluate } from '../../src/detect/index.ts';
import { validateFarm } from '../../src/farm/index.ts';
import { androidOffBearer, androidUdid, systemAdb } from '../../src/run/android-attestation.ts';

// An Android phone's own view of its connection, through a stand-in `adb` on PATH (only a real phone proves it
// end to end): Wi-Fi on, mobile data off or a SIM of another network is off the bearer (fail closed).

const farm = validateFarm(
  {
    name: 'rack',
    handsets: [
      {
        id: 'android',
        bearer: 'o2',
        appium: {
          platformName: 'Android',
          'appium:udid': 'R58M123',
          'appium:automationName': 'UiAutomator2',
        },
        identity: {},
      },
      { id: 'emulated', bearer: 'o2', emulate: 'Pixel 7', identity: {} },
    ],
  },
  'rack.json',
);
const [android, emulated] = farm.handsets;

describe('run/android-attestation', () => {
  let dir: string;
  let savedPath: string | undefined;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-adb-'));
    savedPath = process.env.PATH;
    process.env.PATH = `${dir}${path.delimiter}${savedPath}`;
  });
  after(async () => {
    process.env.PATH = savedPath;
    await rm(dir, { recursive: true, force: true });
  });

  /** A stand-in adb answering the three questions, and failing for any other udid. */
  async function fakeAdb(state: { wifi: string; data: string; operator: string }): Promise<void> {
    const script = `#!/bin/sh
[ "$2" = "R58M123" ] || { echo "error: device '$2' not found" >&2; exit 1; }
case "$*" in
  *wifi_on*) echo ${state.wifi} ;;
  *mobile_data*) echo ${state.data} ;;
  *gsm.sim.operator.numeric*) echo "${state.operator}" ;;
esac
`;
    await writeFile(path.join(dir, 'adb'), script);
    await chmod(path.join(dir, 'adb'), 0o755);
  }

  it('asks only Android phones on a local Appium (not emulated handsets, not a grid)', () => {
    assert.equal(androidUdid(android!, false), 'R58M123');
    assert.equal(androidUdid(android!, true), undefined);
    assert.equal(androidUdid(emulated!, false), undefined);
  });

  it('on the bearer: Wi-Fi off, mobile data on, the SIM on 234-10 (also in a dual-SIM list)', async () => {
    await fakeAdb({ wifi: '0', data: '1', operator: '23410' });
    assert.deepEqual(await androidOffBearer('R58M123', ['234-10'], systemAdb), []);
    await fakeAdb({ wifi: '0', data: '1', operator: '23415,23410' });
    assert.deepEqual(await androidOffBearer('R58M123', ['234-10'], systemAdb), []);
  });

  it('Wi-Fi on, mobile data off, another SIM: each named, off the bearer', async () => {
    await fakeAdb({ wifi: '1', data: '0', operator: '23415' });
    const off = await androidOffBearer('R58M123', ['234-10'], systemAdb);
    assert.deepEqual(
      off.map((o) => o.header),
      ['(wifi)', '(mobile data)', '(SIM)'],
    );
    assert.match(off[2]!.evidence, /the SIM's network is 234-15, the bearer's 234-10/);
  });

  it('adb failing (no such phone) fails closed', async () => {
    await fakeAdb({ wifi: '0', data: '1', operator: '23410' });
    const [off] = await androidOffBearer('OTHER', ['234-10'], systemAdb);
    assert.equal(off!.header, '(adb)');
    assert.match(off!.evidence, /cannot tell whether the phone is on the bearer: adb -s OTHER/);
  });

  it("the phone's view makes the verdict broken (off-bearer) even on a bearer without attest", async () => {
    await fakeAdb({ wifi: '1', data: '1', operator: '23410' });
    const offBearer = await androidOffBearer('R58M123', ['234-10'], systemAdb);
    const j = evaluate({
      policy: android!.policy,
      identity: {},
      captures: [
        {
          probe: 'nav',
          role: 'third-party',
          tls: false,
          host: 'probe.localhost',
          url: '/p/t/nav',
          twin: 'nav-tls',
          headers: [['Host', 'probe.localhost']],
        },
        {
          probe: 'nav-tls',
          role: 'third-party',
          tls: true,
          host: 'probe.localhost',
          url: '/p/t/nav-tls',
          headers: [['Host', 'probe.localhost']],
        },
      ],
      device: { offBearer },
    });
    assert.equal(j.verdict, 'broken');
    assert.deepEqual(
      j.findings.map((f) => [f.rule, f.probe, f.header]),
      [['off-bearer', '(device)', '(wifi)']],
    );
    assert.equal(j.checks.find((c) => c.rule === 'unexpected-injection')!.status, 'skipped');
  });
});

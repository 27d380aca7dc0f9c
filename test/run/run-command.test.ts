import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { HandsetResult } from '../../src/run/handset-result.ts';
import { freePort } from '../../src/shared/free-port.ts';
import { FAULT_NAMES, FAULTS, type RunningSimulator, startSimulator } from '../../src/simulate/index.ts';
import { installAppiumChromiumDriver } from '../support/appium-server.ts';
import { filesBelow, filesContaining, ROOT, runCli, summaryIn } from '../support/cli.ts';

// End-to-end: real `headerguard run` processes, WebdriverIO, Debian Chromium, the embedded endpoint and
// bearer simulators on loopback.

const SIMULATED_IDENTIFIERS = [
  '447700900101',
  '447700900102',
  '447700900103',
  '07700900101',
  '234100000900101',
  '356938035643809',
];

describe('headerguard run (end to end)', function () {
  this.timeout(240_000);
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-run-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes on the simulated farm and writes every report, with no identifier in any file', async () => {
    const res = await runCli(['run', '--report-dir', dir, '--tag', 'nightly', '--change', 'CHG-1']);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    // Node's warnings about a bundled package's code (DEP0005: `new Buffer()`) are not the user's business,
    // and WDIO's own progress lines (with --verbose only) would repeat ours, some of them after the verdict.
    assert.doesNotMatch(res.stderr, /Warning/, res.stderr);
    assert.doesNotMatch(res.stdout, /Execution of|RUNNING|PASSED|Spec Files/, res.stdout);
    const lines = res.stdout.trimEnd().split('\n');
    assert.match(lines.at(-3)!, /^verdict: PASS/, res.stdout);
    assert.match(lines.at(-2)!, /^report: /, res.stdout);
    assert.equal(lines.at(-1), 'headerguard: writing the Allure report…');
    const summary = await summaryIn(dir);
    assert.equal(summary.verdict, 'pass');
    assert.equal(summary.tag, 'nightly');
    assert.equal(summary.change, 'CHG-1');
    assert.deepEqual(summary.handsets.map((h) => [h.bearer, h.verdict]).sort(), [
      ['giffgaff', 'pass'],
      ['o2', 'pass'],
      ['tesco', 'pass'],
    ]);
    const files = (await filesBelow(dir)).map((f) => path.relative(dir, f));
    for (const expected of [
      'junit.xml',
      'allure-results/categories.json',
      'allure-results/executor.json',
      'allure-report/index.html',
      'allure-history/history.json',
    ]) {
      assert.ok(
        files.some((f) => f.endsWith(expected)),
        `${expected} written`,
      );
    }
    assert.ok(
      !files.some((f) => f.includes('widgets/')),
      "Allure's multi-file report (with its own summary.json) is not kept",
    );
    assert.deepEqual(await filesContaining(dir, SIMULATED_IDENTIFIERS), []);
    for (const id of SIMULATED_IDENTIFIERS)
      assert.ok(!(res.stdout + res.stderr).includes(id), 'console never shows an identifier');
  });

  it('carries Allure history to the next run in the same report dir', async () => {
    const first = await runCli(['run', '--report-dir', dir, '--bearer', 'o2']);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const second = await runCli([
      'run',
      '--report-dir',
      dir,
      '--bearer',
      'o2',
      '--sim-fault',
      'partner-lost',
    ]);
    assert.equal(second.code, 1, second.stdout + second.stderr);
    const runs = (await readdir(dir)).sort();
    assert.equal(runs.length, 2);
    const trend = JSON.parse(
      await readFile(path.join(dir, runs[1]!, 'allure-history', 'history-trend.json'), 'utf8'),
    );
    assert.equal(trend.length, 2, "the second run's trend includes the first");
    // Two runs of one day are two points of the trend, in run order (not one date-derived number).
    assert.deepEqual(trend.map((t: { buildOrder: number }) => t.buildOrder).sort(), [1, 2]);
    const history = JSON.parse(
      await readFile(path.join(dir, runs[1]!, 'allure-history', 'history.json'), 'utf8'),
    );
    const ids = Object.values(history) as { items: unknown[] }[];
    assert.ok(
      ids.some((h) => h.items.length >= 1),
      'per-test history kept',
    );
  });

  it('replays the O2 2012 incident: red, naming x-up-calling-line-id, identifiers masked', async () => {
    const res = await runCli(['run', '--report-dir', dir, '--sim-fault', 'o2-2012', '--bearer', 'o2']);
    assert.equal(res.code, 1, res.stdout + res.stderr);
    assert.match(res.stdout, /x-up-calling-line-id/i);
    const summary = await summaryIn(dir);
    assert.equal(summary.verdict, 'fail');
    assert.equal(summary.handsets.length, 1);
    const rules = new Set<string>(summary.handsets[0]!.findings.map((f) => f.rule));
    for (const rule of FAULTS['o2-2012'].trips)
      assert.ok(rules.has(rule), `${rule}; saw ${[...rules].join()}`);
    // The structured detail says which identifier leaked, in which form, and that the network sent it.
    const leak = summary.handsets[0]!.findings.find(
      (f) => f.rule === 'identity-value' && f.header.toLowerCase() === 'x-up-calling-line-id',
    );
    assert.equal(leak?.detail.identifier, 'MSISDN');
    assert.equal(leak?.detail.sentBy, 'network');
    assert.ok(leak?.detail.form);
    assert.equal(summary.handsets[0]!.failure, null);
    assert.equal(summary.handsets[0]!.policy.id, 'o2');
    assert.deepEqual(await filesContaining(dir, SIMULATED_IDENTIFIERS), []);
  });

  it('fails every simulator fault with the rules its record names', async () => {
    const expected = Object.fromEntries(FAULT_NAMES.map((f) => [f, FAULTS[f].trips]));
    const farm = {
      name: 'faults',
      bearers: [
        {
          id: 'o2',
          name: 'O2 UK',
          country: 'GB',
          mccmnc: ['234-10'],
          partnerEnrichment: ['x-up-calling-line-id'],
        },
      ],
      handsets: Object.keys(expected).map((fault, i) => ({
        id: `fault-${fault}`,
        bearer: 'o2',
        emulate: 'Pixel 7',
        proxy: `sim:o2:${fault}`,
        identity: { msisdn: `4477009002${String(i).padStart(2, '0')}` },
      })),
    };
    const farmFile = path.join(dir, 'faults.json');
    await writeFile(farmFile, JSON.stringify(farm));
    const res = await runCli(['run', '--farm', farmFile, '--report-dir', path.join(dir, 'reports')], {
      timeoutMs: 230_000,
    });
    assert.equal(res.code, 1, res.stdout + res.stderr);
    const summary = await summaryIn(path.join(dir, 'reports'));
    for (const [fault, rules] of Object.entries(expected)) {
      const h = summary.handsets.find((x) => x.id === `fault-${fault}`)!;
      assert.equal(h.verdict, 'fail', `${fault}: ${JSON.stringify(h.findings)}`);
      const seen = new Set<string>(h.findings.map((f) => f.rule));
      for (const rule of rules)
        assert.ok(seen.has(rule), `${fault} fails ${rule}; saw ${[...seen].join(', ')}`);
    }
  });

  it('is broken, not green, when a handset gateway is unreachable', async () => {
    const deadPort = await freePort();
    const farmFile = path.join(dir, 'dead.json');
    await writeFile(
      farmFile,
      JSON.stringify({
        name: 'dead-gateway',
        handsets: [
          {
            id: 'dead',
            bearer: 'o2',
            emulate: 'Pixel 7',
            proxy: `http://127.0.0.1:${deadPort}`,
            identity: { msisdn: '447700900111' },
          },
        ],
      }),
    );
    const res = await runCli(['run', '--farm', farmFile, '--report-dir', dir]);
    assert.equal(res.code, 3, res.stdout + res.stderr);
    const summary = await summaryIn(dir);
    assert.equal(summary.verdict, 'broken');
    assert.ok(summary.handsets[0]!.findings.some((f) => f.rule === 'incomplete'));
  });

  it('is broken, not green, when the capture endpoint is unreachable', async () => {
    const deadPort = await freePort();
    const farmFile = path.join(dir, 'dead-endpoint.json');
    await writeFile(
      farmFile,
      JSON.stringify({
        name: 'dead-endpoint',
        capture: { url: `http://127.0.0.1:${deadPort}`, apiKey: 'env:HG_TEST_KEY' },
        handsets: [{ id: 'direct', bearer: 'o2', emulate: 'Pixel 7', identity: { msisdn: '447700900112' } }],
      }),
    );
    const res = await runCli(['run', '--farm', farmFile, '--report-dir', dir], { env: { HG_TEST_KEY: 'k' } });
    assert.equal(res.code, 3, res.stdout + res.stderr);
    const summary = await summaryIn(dir);
    assert.equal(summary.verdict, 'broken');
    // The launcher service stops the run before any worker starts: no finding was made up, the failure says why.
    const [h] = summary.handsets;
    assert.deepEqual(h!.findings, []);
    assert.equal(h!.attempts, 0);
    assert.match(
      h!.failure!,
      new RegExp(`capture endpoint http://127\\.0\\.0\\.1:${deadPort}.*could not connect`),
    );
    const broken = res.stderr.split('\n').filter((l) => l.startsWith('headerguard: BROKEN:'));
    assert.equal(broken.length, 1, res.stderr);
    assert.doesNotMatch(
      res.stdout + res.stderr,
      /Session ID|\bat .*\.ts:\d+/,
      'no worker started, no stack trace',
    );
  });

  describe('with a gateway the user runs (JSON farm, inline bearers)', () => {
    let sim: RunningSimulator;
    before(async () => {
      sim = await startSimulator({ bearer: 'o2', msisdn: '447700900123', imsi: '234100000900123' });
    });
    after(async () => {
      await sim.close();
    });

    it('judges the handset through http://127.0.0.1:PORT', async () => {
      const farmFile = path.join(dir, 'farm.json');
      await writeFile(
        farmFile,
        JSON.stringify({
          name: 'user-gateway',
          bearers: [
            {
              id: 'o2-lab',
              name: 'O2 lab',
              country: 'GB',
              mccmnc: ['234-10'],
              allowInjected: ['via', 'x-forwarded-for'],
              partnerEnrichment: ['x-up-calling-line-id'],
            },
          ],
          handsets: [
            {
              id: 'lab-pixel',
              bearer: 'o2-lab',
              emulate: 'Pixel 7',
              proxy: `http://127.0.0.1:${sim.port}`,
              identity: { msisdn: '447700900123', imsi: '234100000900123' },
            },
            {
              // The built-in o2 policy expects no partner enrichment: that rule has nothing to check.
              id: 'builtin-pixel',
              bearer: 'o2',
              emulate: 'Pixel 7',
              proxy: `http://127.0.0.1:${sim.port}`,
              identity: { msisdn: '447700900123' },
            },
          ],
        }),
      );
      const res = await runCli(['run', '--farm', farmFile, '--report-dir', dir]);
      assert.equal(res.code, 0, res.stdout + res.stderr);
      const summary = await summaryIn(dir);
      assert.deepEqual(
        summary.handsets.map((h) => [h.id, h.verdict, h.gateway]),
        [
          ['lab-pixel', 'pass', `http://127.0.0.1:${sim.port}`],
          ['builtin-pixel', 'pass', `http://127.0.0.1:${sim.port}`],
        ],
      );
      const partnerCheck = (id: string) =>
        summary.handsets
          .find((h) => h.id === id)!
          .checks.find((c) => c.rule === 'partner-enrichment-missing')!;
      assert.equal(partnerCheck('lab-pixel').status, 'passed');
      assert.equal(partnerCheck('builtin-pixel').status, 'skipped');
      // Not a vacuous green anywhere: JUnit and Allure say skipped too.
      const junit = await readFile((await filesBelow(dir)).find((f) => f.endsWith('junit.xml'))!, 'utf8');
      assert.match(
        junit,
        /<testcase name="partner-enrichment-missing" classname="headerguard\.o2\.builtin-pixel"><skipped /,
      );
      const results = (await filesBelow(dir)).filter((f) => f.endsWith('-result.json'));
      const statuses = await Promise.all(
        results.map(
          async (f) =>
            JSON.parse(await readFile(f, 'utf8')) as { name: string; status: string; fullName?: string },
        ),
      );
      assert.ok(
        statuses.some((r) => r.name.startsWith('partner-enrichment-missing') && r.status === 'skipped'),
        'an Allure result for the skipped rule',
      );
    });
  });

  describe('with a real-handset farm (Appium, its Chromium driver standing in for a phone)', () => {
    before(async function () {
      this.timeout(180_000);
      installAppiumChromiumDriver();
    });

    it('starts Appium, judges the handset, and finds a direct connection spoofable (no gateway strips the canary)', async () => {
      // Appium's Chromium stand-in leaves its singleton-socket folders in the temp dir: this test's, not /tmp.
      const tmp = path.join(dir, 'tmp');
      await mkdir(tmp, { recursive: true });
      const res = await runCli(
        [
          'run',
          '--farm',
          path.join(ROOT, 'test', 'fixtures', 'appium-chromium-farm.json'),
          '--report-dir',
          dir,
        ],
        { env: { TMPDIR: tmp } },
      );
      assert.equal(res.code, 1, res.stdout + res.stderr);
      const summary = await summaryIn(dir);
      const h = summary.handsets[0]!;
      assert.equal(h.verdict, 'fail');
      assert.deepEqual([...new Set(h.findings.map((f) => f.rule))], ['spoofable']);
    });
  });

  it('refuses bad --max-parallel and --handset-timeout values with one line (exit 2), before anything starts', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['--max-parallel', '0'],
        /^headerguard: --max-parallel must be a whole number from 1 to 256 \(got "0"\)$/,
      ],
      [['--max-parallel', 'abc'], /^headerguard: --max-parallel must be a whole number/],
      [
        ['--handset-timeout', '0'],
        /^headerguard: --handset-timeout must be a number of seconds from 1 to 3600/,
      ],
      [['--handset-timeout', 'abc'], /^headerguard: --handset-timeout must be a number of seconds/],
    ];
    await Promise.all(
      cases.map(async ([args, pattern]) => {
        const res = await runCli(['run', '--report-dir', dir, ...args]);
        assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
        const lines = res.stderr.trim().split('\n');
        assert.equal(lines.length, 1, res.stderr);
        assert.match(lines[0]!, pattern);
      }),
    );
    assert.deepEqual(await readdir(dir), [], 'no run was started');
  });

  it('lists --max-parallel and --handset-timeout in run --help', async () => {
    const res = await runCli(['run', '--help']);
    assert.equal(res.code, 0);
    assert.match(res.stdout, /--max-parallel <n>/);
    assert.match(res.stdout, /--handset-timeout <seconds>/);
  });

  it('checks one handset at a time with --max-parallel 1', async () => {
    const res = await runCli([
      'run',
      '--report-dir',
      dir,
      '--bearer',
      'o2',
      'giffgaff',
      '--max-parallel',
      '1',
    ]);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const [runId] = await readdir(dir);
    const handsetDir = path.join(dir, runId!, '.handsets');
    const results = await Promise.all(
      (await readdir(handsetDir)).map(
        async (f) => JSON.parse(await readFile(path.join(handsetDir, f), 'utf8')) as HandsetResult,
      ),
    );
    assert.equal(results.length, 2);
    const [first, second] = results.sort((a, b) => a.workerStartedAt.localeCompare(b.workerStartedAt));
    assert.ok(
      Date.parse(second!.workerStartedAt) >= Date.parse(first!.finishedAt),
      `the second handset's worker started after the first was judged: ${JSON.stringify(results.map((r) => [r.workerStartedAt, r.finishedAt]))}`,
    );
  });

  it('is broken, naming the timeout, when a handset is not judged within --handset-timeout', async () => {
    // A gateway that accepts connections and never answers: the probe page never loads.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const farmFile = path.join(dir, 'silent.json');
      await writeFile(
        farmFile,
        JSON.stringify({
          name: 'silent-gateway',
          handsets: [
            {
              id: 'silent',
              bearer: 'o2',
              emulate: 'Pixel 7',
              proxy: `http://127.0.0.1:${port}`,
              identity: { msisdn: '447700900113' },
            },
          ],
        }),
      );
      const res = await runCli([
        'run',
        '--farm',
        farmFile,
        '--report-dir',
        path.join(dir, 'reports'),
        '--handset-timeout',
        '5',
      ]);
      assert.equal(res.code, 3, res.stdout + res.stderr);
      const summary = await summaryIn(path.join(dir, 'reports'));
      assert.equal(summary.verdict, 'broken');
      const [h] = summary.handsets;
      assert.deepEqual(h!.findings, [], 'no finding made up: the failure says why');
      assert.match(
        h!.failure!,
        /^handset timeout: not judged within 5 s of its worker's start \(--handset-timeout\); last step: /,
      );
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it('refuses a bad farm file with one line naming the handset and field (exit 2)', async () => {
    const farmFile = path.join(dir, 'bad.json');
    await writeFile(
      farmFile,
      JSON.stringify({
        name: 'bad',
        handsets: [{ id: 'p1', bearer: 'o2', emulate: 'Pixel 7', proxy: 'ftp://x', identity: {} }],
      }),
    );
    const res = await runCli(['run', '--farm', farmFile, '--report-dir', dir]);
    assert.equal(res.code, 2);
    const lines = res.stderr.trim().split('\n');
    assert.equal(lines.length, 1, res.stderr);
    assert.match(lines[0]!, /handset "p1": proxy/);
  });
});

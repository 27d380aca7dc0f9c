import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { NotificationPayload } from '../../src/notify/payload.ts';
import { filesContaining, ROOT, runCli, spawnCollected } from '../support/cli.ts';
import { startTestGateway, type TestGateway } from '../support/test-gateway.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

// End to end: `watch` on a one-handset farm through a user gateway the test switches mid-watch (healthy ->
// adds x-up-calling-line-id with the subscriber's number -> healthy), and `run --notify`.

const MSISDN = '447700900141';
const TOKEN = 'T0KEN-s3cr3t';

async function leakFarm(dir: string, gateway: TestGateway): Promise<string> {
  const farm = path.join(dir, 'watch.json');
  await writeFile(
    farm,
    JSON.stringify({
      name: 'watched',
      bearers: [
        { id: 'o2-watch', name: 'O2 watched', country: 'GB', mccmnc: ['234-10'], partnerEnrichment: [] },
      ],
      handsets: [
        {
          id: 'canary',
          bearer: 'o2-watch',
          emulate: 'Pixel 7',
          proxy: gateway.url,
          identity: { msisdn: MSISDN },
        },
      ],
    }),
  );
  return farm;
}

/** `headerguard watch --farm FARM --every 1s ARGS`, as a user runs it. */
function spawnWatch(farm: string, args: string[]) {
  return spawnCollected(process.execPath, [
    path.join(ROOT, 'bin', 'headerguard.js'),
    'watch',
    '--farm',
    farm,
    '--every',
    '1s',
    ...args,
  ]);
}

describe('headerguard watch and --notify (end to end)', function () {
  this.timeout(600_000);
  let dir: string;
  let gateway: TestGateway | undefined;
  let receiver: WebhookReceiver | undefined;
  let leak = false;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-watch-'));
    gateway = await startTestGateway({
      strip: ['x-up-calling-line-id'],
      addHeaders: () => (leak ? [['x-up-calling-line-id', MSISDN]] : []),
    });
  });
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });
  after(async () => {
    await gateway?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('bad watch options: one line, exit 2, before any run; a bad --notify names no part of its path', async () => {
    const res = await runCli(['watch', '--every', '5x', '--report-dir', path.join(dir, 'never')]);
    assert.equal(res.code, 2, res.stdout + res.stderr);
    assert.equal(
      res.stderr,
      'headerguard: --every: "5x" is not a duration: a whole number of s, m, h or d, e.g. 30s, 1m, 5m, 1h\n',
    );
    const notify = await runCli(['watch', '--every', '1m', '--notify', `ftp://hooks.example/${TOKEN}`]);
    assert.equal(notify.code, 2);
    assert.equal(
      notify.stderr,
      'headerguard: --notify: ftp://hooks.example/…: only http and https webhooks are supported\n',
    );
    assert.ok(!existsSync(path.join(dir, 'never')), 'no run started');
  });

  it('a fault switched on mid-watch is notified red once, its end recovered; --max-runs ends it; --keep prunes, history carries', async () => {
    receiver = await startWebhookReceiver();
    const farm = await leakFarm(dir, gateway!);
    const reports = path.join(dir, 'watch-reports');
    leak = false;
    const watch = spawnWatch(farm, [
      '--max-runs',
      '4',
      '--keep',
      '2',
      '--report-dir',
      reports,
      '--tag',
      'canary',
      '--notify',
      `${receiver.url}/hooks/${TOKEN}`,
    ]);
    // Switch the gateway as each run's line is printed: run 1 healthy, runs 2 and 3 leak, run 4 healthy.
    watch.child.stdout!.on('data', () => {
      const out = watch.stdout();
      if (out.includes(' run 3: ')) leak = false;
      else if (out.includes(' run 1: ')) leak = true;
    });
    const code = await watch.exit;
    const out = watch.stdout() + watch.stderr();
    assert.equal(code, 0, out);
    const lines = watch
      .stdout()
      .split('\n')
      .filter((l) => / run \d: /.test(l));
    assert.equal(lines.length, 4, out);
    assert.match(lines[0]!, /run 1: PASS green/);
    assert.match(
      lines[1]!,
      /run 2: FAIL red: x-up-calling-line-id on canary; notified red \(1\/1 webhooks\)/,
    );
    assert.match(lines[2]!, /run 3: FAIL still red \(/);
    assert.match(lines[3]!, /run 4: PASS recovered \(was red\); notified recovered/);

    const bodies = receiver.posts.map((p) => p.body as NotificationPayload);
    assert.deepEqual(
      bodies.map((b) => b.event),
      ['red', 'recovered'],
    );
    assert.ok(receiver.posts.every((p) => p.path === `/hooks/${TOKEN}`));
    const [red, recovered] = bodies;
    assert.equal(red!.verdict, 'fail');
    assert.equal(red!.farm, 'watched');
    assert.equal(red!.tag, 'canary');
    assert.deepEqual(red!.handsets[0]!.headers, ['x-up-calling-line-id']);
    assert.equal(red!.text, 'RED watched (canary): x-up-calling-line-id reached the probe host on 1 handset');
    assert.equal(recovered!.verdict, 'pass');
    assert.equal(recovered!.text, 'RECOVERED watched (canary): all 1 handset pass');

    // Masked everywhere; the webhook's secret never printed.
    assert.ok(!JSON.stringify(bodies).includes(MSISDN));
    assert.ok(!out.includes(MSISDN) && !out.includes(TOKEN), out);
    // The newest 2 run folders kept; the Allure history of all 4 runs carried into the newest.
    const kept = (await readdir(reports)).sort();
    assert.equal(kept.length, 2, kept.join());
    assert.equal(recovered!.report, path.join(reports, kept[1]!));
    assert.deepEqual(await filesContaining(reports, [MSISDN]), []);
    const trend = path.join(reports, kept[1]!, 'allure-history', 'history-trend.json');
    if (existsSync(trend)) assert.equal((JSON.parse(await readFile(trend, 'utf8')) as unknown[]).length, 4);
    else assert.fail(`no Allure history in the newest run: ${out}`);
  });

  it('SIGINT during a run: the run finishes (judged, not broken), no other starts, exit 0', async () => {
    const farm = await leakFarm(dir, gateway!);
    leak = false;
    const watch = spawnWatch(farm, ['--report-dir', path.join(dir, 'stop-reports')]);
    const deadline = Date.now() + 120_000;
    while (!watch.stdout().includes('headerguard: watching') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    // Wait until the run is under way (its folder exists), then interrupt as a terminal's Ctrl-C would.
    while (!existsSync(path.join(dir, 'stop-reports')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    watch.child.kill('SIGINT');
    const code = await watch.exit;
    const out = watch.stdout() + watch.stderr();
    assert.equal(code, 0, out);
    assert.match(out, /headerguard: SIGINT: stopping after the current run/);
    const lines = watch
      .stdout()
      .split('\n')
      .filter((l) => / run \d: /.test(l));
    assert.equal(lines.length, 1, out);
    assert.match(lines[0]!, /run 1: PASS green/);
    assert.match(out, /headerguard: watch stopped \(SIGINT\)\n$/);
  });

  it('run --notify: "finished" after the run, retried past two 500s; a dead webhook changes no exit code', async () => {
    receiver = await startWebhookReceiver([500, 500]);
    const farm = await leakFarm(dir, gateway!);
    leak = true;
    const res = await runCli([
      'run',
      '--farm',
      farm,
      '--report-dir',
      path.join(dir, 'run-reports'),
      '--notify',
      `${receiver.url}/hooks/${TOKEN}`,
      '--notify',
      `http://127.0.0.1:9/dead/${TOKEN}`,
    ]);
    const out = res.stdout + res.stderr;
    assert.equal(res.code, 1, out);
    assert.equal(receiver.posts.length, 3, 'two 500s, then delivered');
    const body = receiver.posts[2]!.body as NotificationPayload;
    assert.equal(body.event, 'finished');
    assert.equal(body.verdict, 'fail');
    assert.match(body.text, /^FAIL watched: x-up-calling-line-id reached the probe host on 1 handset$/);
    assert.ok(!JSON.stringify(body).includes(MSISDN));
    assert.match(
      res.stderr,
      /headerguard: notification \(finished\) to http:\/\/127\.0\.0\.1:9\/… failed after 3 tries/,
    );
    assert.ok(!out.includes(TOKEN) && !out.includes(MSISDN), out);
  });
});

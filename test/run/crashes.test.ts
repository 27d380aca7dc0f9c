import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/shared/free-port.ts';
import { ROOT, spawnCollected, summaryIn } from '../support/cli.ts';
import { startTestGateway, type TestGateway } from '../support/test-gateway.ts';

// End to end, fail closed when something dies mid-run: the deployed capture endpoint, or the handset's browser.
// Each run is broken or worse, never green, with the cause named.

const until = async (what: string, ok: () => boolean, ms = 60_000) => {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** Start `headerguard run` on a one-handset farm (through `proxy`), in the background. */
async function startRun(
  dir: string,
  proxy: string,
  farm: Record<string, unknown>,
  env: NodeJS.ProcessEnv = {},
) {
  const farmFile = path.join(dir, 'farm.json');
  const handset = { id: 'h', bearer: 'o2', emulate: 'Pixel 7', proxy, identity: { msisdn: '447700900141' } };
  await writeFile(farmFile, JSON.stringify({ name: 'crash', ...farm, handsets: [handset] }));
  const cli = path.join(ROOT, 'bin', 'headerguard.js');
  return spawnCollected(
    process.execPath,
    [cli, 'run', '--farm', farmFile, '--report-dir', dir, '--handset-timeout', '60'],
    { env: { ...process.env, HEADERGUARD_SESSION: '', ...env } },
  );
}

describe('headerguard run: something dies mid-run (end to end)', function () {
  this.timeout(180_000);
  let dir: string;
  let gateway: TestGateway | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hg-crash-'));
  });
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('the deployed capture endpoint killed once the check started: broken, naming the endpoint', async () => {
    const [main, alt, https] = [await freePort(), await freePort(), await freePort()];
    const serve = spawnCollected(process.execPath, [
      path.join(ROOT, 'bin', 'headerguard.js'),
      'serve',
      ...['--http-port', String(main), '--alt-port', String(alt), '--https-port', String(https)],
      ...['--bind', '127.0.0.1', '--db', path.join(dir, 'hg.db'), '--api-key', 'k'.repeat(24)],
    ]);
    await until('serve ready', () => serve.stdout().includes('capture endpoint ready'));
    // A gateway that holds the probe page's request until the endpoint is gone, so the kill lands mid-check.
    let killed = false;
    gateway = await startTestGateway({
      strip: ['x-up-calling-line-id'],
      answer: () => {
        if (!killed) {
          killed = true;
          serve.child.kill('SIGKILL');
        }
        return undefined;
      },
    });
    const run = await startRun(
      dir,
      gateway.url,
      { capture: { url: `http://127.0.0.1:${main}`, apiKey: 'env:HG_CRASH_KEY', acceptInsecureCerts: true } },
      { HG_CRASH_KEY: 'k'.repeat(24) },
    );
    const code = await run.exit;
    await serve.exit;
    assert.ok(killed, 'the endpoint was killed during the check');
    assert.equal(code, 3, run.stdout() + run.stderr());
    const [h] = (await summaryIn(dir)).handsets;
    assert.equal(h!.verdict, 'broken');
    assert.match(h!.failure!, new RegExp(`capture endpoint|127\\.0\\.0\\.1:${main}`), h!.failure!);
  });

  it("the handset's browser killed mid-check: broken, never green", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    // The gateway holds nothing itself; the test kills the browser as soon as its first request is seen.
    let seen = false;
    gateway = await startTestGateway({
      strip: ['x-up-calling-line-id'],
      answer: () => {
        seen = true;
        release();
        return undefined;
      },
    });
    const run = await startRun(dir, gateway.url, {});
    await held;
    // Only this run's Chromium: it is the one browsing through this test's gateway.
    execFileSync('pkill', ['-KILL', '-f', `proxy-server=http://127.0.0.1:${gateway.port}`]);
    const code = await run.exit;
    assert.ok(seen);
    assert.notEqual(code, 0, run.stdout() + run.stderr());
    const [h] = (await summaryIn(dir)).handsets;
    assert.equal(h!.verdict, 'broken', JSON.stringify(h));
    assert.ok(h!.failure, 'the failure says why');
    assert.ok(
      h!.checks.every((c) => c.status !== 'passed'),
      JSON.stringify(h!.checks),
    );
  });
});

import assert from 'node:assert/strict';
import type { CaptureClient, RunningCaptureServer } from '../../src/capture/index.ts';
import { newRunToken } from '../../src/capture/plan/run-token.ts';
import { API_KEY, startTestServer } from './helpers.ts';

/** The value of one sample line `name{labels} value` in Prometheus text. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('capture endpoint metrics (GET /metrics)', () => {
  let server: RunningCaptureServer;
  let client: CaptureClient;
  let base: string;
  beforeEach(async () => {
    ({ server, client } = await startTestServer({ metricsListen: { host: '127.0.0.1', port: 0 } }));
    base = server.apiBaseUrl;
  });
  afterEach(() => server.close());

  const scrape = async (url: string, key?: string) =>
    fetch(url, key ? { headers: { authorization: `Bearer ${key}` } } : {});

  it('needs the API key on the endpoint listeners', async () => {
    assert.equal((await scrape(`${base}/metrics`)).status, 401);
    assert.equal((await scrape(`${base}/metrics`, 'wrong-key-0000000000')).status, 401);
    const ok = await scrape(`${base}/metrics`, API_KEY);
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  });

  it('counts committed captures, refusals by reason, open runs, commit latency and purges', async () => {
    const run = await client.createRun({ handset: 'h', bearer: 'o2' });
    await client.createRun({ handset: 'h2', bearer: 'o2' });
    // Plan URLs name probe.localhost; this machine reaches the main listener at base.
    const url = (probe: string) => `${base}${new URL(run.plan.find((p) => p.probe === probe)!.url).pathname}`;
    for (const probe of ['img', 'fetch', 'nav']) assert.equal((await fetch(url(probe))).status, 200);
    assert.equal((await fetch(`${base}/p/${newRunToken()}/img`)).status, 404, 'unknown run');
    assert.equal((await fetch(`${base}/p/${run.token}/nope`)).status, 404, 'unknown probe');
    assert.equal((await fetch(url('img'), { method: 'POST' })).status, 405);
    await client.deleteRun(run.token);
    assert.equal((await fetch(url('img'))).status, 404, 'deleted run');

    const text = await (await scrape(`${base}/metrics`, API_KEY)).text();
    assert.equal(sample(text, 'headerguard_captures_committed_total'), 3);
    assert.equal(sample(text, 'headerguard_capture_commit_seconds_count'), 3);
    assert.ok(sample(text, 'headerguard_capture_commit_seconds_sum')! > 0);
    assert.equal(sample(text, 'headerguard_captures_refused_total{reason="unknown-run"}'), 2);
    assert.equal(sample(text, 'headerguard_captures_refused_total{reason="unknown-probe"}'), 1);
    assert.equal(sample(text, 'headerguard_captures_refused_total{reason="method"}'), 1);
    assert.equal(sample(text, 'headerguard_captures_refused_total{reason="run-full"}'), 0);
    assert.equal(sample(text, 'headerguard_open_runs'), 1, 'one created run left');
    assert.ok(sample(text, 'headerguard_purge_runs_total')! >= 1, 'the purge at start-up');
    assert.doesNotMatch(text, new RegExp(run.token), 'no token in any label');
  });

  it('serves /metrics without the key on its own listener, and nothing else there', async () => {
    const port = server.metricsPort;
    assert.ok(port !== undefined && port > 0);
    const res = await scrape(`http://127.0.0.1:${port}/metrics`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^# HELP headerguard_captures_committed_total /m);
    assert.equal((await scrape(`http://127.0.0.1:${port}/api/runs`)).status, 404);
    assert.equal((await scrape(`http://127.0.0.1:${port}/`)).status, 404);
  });
});

import assert from 'node:assert/strict';
import { buildPlan } from '../../src/capture/plan/probe-plan.ts';
import type { CreatedRun, RunCaptures } from '../../src/capture/types.ts';
import { validateFarm } from '../../src/farm/index.ts';
import type { CaptureRecord, PlannedProbe } from '../../src/model/capture.ts';
import {
  type CaptureApi,
  type CheckOptions,
  checkHandset,
  InfrastructureError,
  type ProbeDriver,
} from '../../src/run/check-handset.ts';

// checkHandset through its seams: a fake browser (ProbeDriver) and a fake capture API. No sockets, no browser.

const farm = validateFarm(
  {
    name: 'unit',
    handsets: [
      {
        id: 'h1',
        bearer: 'o2',
        emulate: 'Pixel 7',
        proxy: 'direct',
        identity: { msisdn: '447700900123', imsi: '234100000900123' },
      },
    ],
  },
  'unit.json',
);
const handset = farm.handsets[0]!;
const TOKEN = 't0k3n';
const plan = buildPlan(TOKEN, {
  probeHost: 'probe.localhost',
  partnerHost: 'partner.localhost',
  ports: { main: 8000, alt: 8080, https: 8443 },
});
const canary = { header: 'x-up-calling-line-id', value: '2890012345678' };
const options: CheckOptions = { pageTimeoutMs: 60, captureTimeoutMs: 60, pollIntervalMs: 5, log: () => {} };

/** What a healthy gateway delivers for one planned probe: browser headers, Via on plain HTTP only. */
function captureOf(p: PlannedProbe, extra: [string, string][] = []): CaptureRecord {
  const host = new URL(p.url).host;
  return {
    runToken: TOKEN,
    probe: p.probe,
    listener: p.listener,
    tls: p.tls,
    httpVersion: '1.1',
    method: 'GET',
    url: new URL(p.url).pathname,
    host,
    remoteAddress: '127.0.0.1',
    remotePort: 40000,
    connectionId: `c-${p.probe}`,
    connectionRequestIndex: 1,
    receivedAt: '2026-12-01T00:00:00.000Z',
    headers: [
      ['Host', host],
      ['User-Agent', 'Mozilla/5.0 (Linux; Android 13; Pixel 7)'],
      ['Accept', '*/*'],
      ...(p.tls ? [] : ([['Via', '1.1 gateway.o2.example']] as [string, string][])),
      ...extra,
    ],
  };
}

class FakeApi implements CaptureApi {
  calls: string[] = [];
  deleted = false;
  constructor(
    private readonly captures: () => CaptureRecord[] | Error,
    private readonly create: () => CreatedRun | Error = () => ({
      token: TOKEN,
      plan,
      expiresAt: '2026-12-02T00:00:00.000Z',
      startUrl: plan[0]!.url,
      canary,
    }),
  ) {}
  async createRun(): Promise<CreatedRun> {
    this.calls.push('create');
    const r = this.create();
    if (r instanceof Error) throw r;
    return r;
  }
  async getCaptures(): Promise<RunCaptures> {
    this.calls.push('get');
    const records = this.captures();
    if (records instanceof Error) throw records;
    const seen = new Set(records.map((c) => c.probe));
    const missing = plan.filter((p) => !seen.has(p.probe)).map((p) => p.probe);
    return {
      run: {
        token: TOKEN,
        handset: 'h1',
        bearer: 'o2',
        createdAt: '2026-12-01T00:00:00.000Z',
        expiresAt: '2026-12-02T00:00:00.000Z',
        canary,
      },
      plan,
      complete: missing.length === 0,
      missing,
      captures: records,
    };
  }
  async deleteRun(): Promise<void> {
    this.calls.push('delete');
    this.deleted = true;
  }
}

function driver(over: Partial<ProbeDriver> = {}): ProbeDriver & { opened: string[] } {
  const opened: string[] = [];
  return {
    opened,
    async open(url) {
      opened.push(url);
    },
    async pageProgress() {
      return { complete: true, done: plan.length, total: plan.length };
    },
    ...over,
  };
}

describe('run/check-handset', () => {
  it('browses the start URL, waits for every probe, judges pass, and deletes the captures', async () => {
    const api = new FakeApi(() => plan.map((p) => captureOf(p)));
    const d = driver();
    const check = await checkHandset(handset, d, api, options);
    assert.deepEqual(d.opened, [plan[0]!.url]);
    assert.equal(check.judgement.verdict, 'pass', JSON.stringify(check.judgement.findings));
    assert.equal(check.captured, plan.length);
    assert.equal(check.captures.length, plan.length);
    assert.ok(api.deleted);
  });

  it('fails on a leak the gateway added, naming the header and masking the number', async () => {
    const api = new FakeApi(() =>
      plan.map((p) => captureOf(p, p.tls ? [] : [['x-up-calling-line-id', '447700900123']])),
    );
    const check = await checkHandset(handset, driver(), api, options);
    assert.equal(check.judgement.verdict, 'fail');
    const f = check.judgement.findings.find((x) => x.rule === 'identity-value')!;
    assert.equal(f.header, 'x-up-calling-line-id');
    assert.equal(f.detail.identifier, 'MSISDN');
    assert.equal(f.detail.sentBy, 'network');
    assert.doesNotMatch(JSON.stringify(check.judgement), /447700900123/);
  });

  it('is broken, not green, when a probe never arrives (bounded wait), and still deletes the captures', async () => {
    const api = new FakeApi(() => plan.filter((p) => p.probe !== 'alt').map((p) => captureOf(p)));
    const check = await checkHandset(handset, driver(), api, options);
    assert.equal(check.judgement.verdict, 'broken');
    assert.deepEqual(
      check.judgement.findings.map((f) => [f.rule, f.probe]),
      [['incomplete', 'alt']],
    );
    assert.ok(api.calls.filter((c) => c === 'get').length > 1, 'polled again before giving up');
    assert.ok(api.deleted);
  });

  it("stops waiting at once on a page that is not the probe page (a gateway's error page), and says so", async () => {
    const api = new FakeApi(() => []);
    const log: string[] = [];
    const check = await checkHandset(
      handset,
      driver({
        pageProgress: async () => ({
          complete: false,
          done: 0,
          total: 0,
          foreign: 'Error 502 for 447700900123',
        }),
      }),
      api,
      { ...options, pageTimeoutMs: 60_000, log: (l) => log.push(l) },
    );
    assert.equal(check.foreignPage, 'Error 502 for 4477******23');
    assert.equal(check.judgement.verdict, 'broken');
    assert.ok(
      log.some((l) =>
        l.includes(
          "the probe page did not load: the browser shows another page ('Error 502 for 4477******23')",
        ),
      ),
    );
  });

  it('judges what arrived when the page never reports completion', async () => {
    const api = new FakeApi(() => plan.map((p) => captureOf(p)));
    const check = await checkHandset(
      handset,
      driver({ pageProgress: async () => ({ complete: false, done: 3, total: plan.length }) }),
      api,
      options,
    );
    assert.equal(check.judgement.verdict, 'pass');
  });

  it('names the capture endpoint when the run cannot be created (an infrastructure error, masked)', async () => {
    const api = new FakeApi(
      () => [],
      () => new Error('create run: 500 store failed for 447700900123'),
    );
    await assert.rejects(checkHandset(handset, driver(), api, options), (err: unknown) => {
      assert.ok(err instanceof InfrastructureError);
      assert.match(err.message, /^capture endpoint: create run: 500/);
      assert.doesNotMatch(err.message, /447700900123/);
      return true;
    });
    assert.equal(api.deleted, false, 'nothing to delete');
  });

  it('names the browser when it cannot open the page, judges what arrived anyway, and deletes the run', async () => {
    const api = new FakeApi(() => []);
    const d = driver({
      open: async () => {
        throw new Error('net::ERR_PROXY_CONNECTION_FAILED');
      },
    });
    await assert.rejects(checkHandset(handset, d, api, options), (err: unknown) => {
      assert.ok(err instanceof InfrastructureError);
      assert.match(String(err), /^InfrastructureError: browser: net::ERR_PROXY/);
      // Nothing arrived: every planned probe is a real incomplete finding (and "no captures"), none made up.
      assert.equal(err.partial?.judgement.verdict, 'broken');
      assert.deepEqual(
        err.partial?.judgement.findings.map((f) => f.probe),
        [...plan.map((p) => p.probe), '(none)'],
      );
      return true;
    });
    assert.ok(api.deleted);
  });

  it('a leak that arrived before the browser failed is still a leak', async () => {
    const nav = plan.find((p) => p.probe === 'nav')!;
    const api = new FakeApi(() => [captureOf(nav, [['X-MSISDN', '447700900123']])]);
    const d = driver({
      open: async () => {
        throw new Error('session deleted because of page crash');
      },
    });
    await assert.rejects(checkHandset(handset, d, api, options), (err: unknown) => {
      assert.ok(err instanceof InfrastructureError);
      assert.equal(err.partial?.judgement.verdict, 'fail');
      assert.ok(
        err.partial?.judgement.findings.some((f) => f.rule === 'identity-value' && f.probe === 'nav'),
      );
      return true;
    });
  });

  it('throws the last error when the endpoint never answers a poll', async () => {
    const api = new FakeApi(() => new Error('get captures: capture endpoint could not connect'));
    await assert.rejects(
      checkHandset(handset, driver(), api, options),
      /capture endpoint: get captures: capture endpoint could not connect/,
    );
    assert.ok(api.deleted);
  });
});

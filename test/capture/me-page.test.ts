/**
 * `/me` and `/me.json` (src/capture/server/me-routes.ts, src/capture/pages/me-*.ts): a visitor's own headers,
 * exactly as received; identity headers named with their rule; over plain HTTP, the page's script compares with
 * the same request over HTTPS and marks what the network added. The last test is a real Chromium browsing through
 * a loopback stand-in for a gateway.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import http2 from 'node:http2';
import { type Browser, chromium } from 'playwright-core';
import type { RunningCaptureServer } from '../../src/capture/index.ts';
import { CHROMIUM, CHROMIUM_FLAGS } from '../../src/shared/chromium.ts';
import { startTestGateway, type TestGateway } from '../support/test-gateway.ts';
import { header, rawRequest, startTestServer } from './helpers.ts';

const REQUEST_HEADERS =
  'Host: probe.localhost\r\nX-Odd-CASE: a b\r\nx-dup: 1\r\nAccept: */*\r\nX-Dup: 2\r\nx-up-calling-line-id: 447700900123\r\n';
const EXPECTED_HEADERS = [
  ['Host', 'probe.localhost'],
  ['X-Odd-CASE', 'a b'],
  ['x-dup', '1'],
  ['Accept', '*/*'],
  ['X-Dup', '2'],
  ['x-up-calling-line-id', '447700900123'],
];

describe('/me and /me.json', function () {
  this.timeout(60_000);
  let server: RunningCaptureServer;
  before(async () => {
    ({ server } = await startTestServer());
  });
  after(() => server.close());

  for (const tls of [false, true]) {
    it(`/me.json over ${tls ? 'HTTPS (HTTP/1.1)' : 'plain HTTP'}: the request exactly as received, identity headers named`, async () => {
      const port = tls ? server.ports.https : server.ports.main;
      const res = await rawRequest(port, `GET /me.json?q=1 HTTP/1.1\r\n${REQUEST_HEADERS}\r\n`, { tls });
      assert.equal(res.status, 200);
      assert.equal(header(res, 'content-type'), 'application/json; charset=utf-8');
      assert.match(header(res, 'cache-control')!, /no-store.*private/);
      assert.equal(header(res, 'access-control-allow-origin'), undefined, 'no Origin, no CORS');
      const body = JSON.parse(res.body);
      assert.deepEqual(Object.keys(body), [
        'method',
        'url',
        'tls',
        'httpVersion',
        'remoteAddress',
        'headers',
        'identityHeaders',
      ]);
      assert.deepEqual(
        { ...body, identityHeaders: undefined },
        {
          method: 'GET',
          url: '/me.json?q=1',
          tls,
          httpVersion: '1.1',
          remoteAddress: '127.0.0.1',
          headers: EXPECTED_HEADERS,
          identityHeaders: undefined,
        },
      );
      assert.equal(body.identityHeaders.length, 1);
      const [note] = body.identityHeaders;
      assert.deepEqual(
        { ...note, why: undefined },
        {
          index: 5,
          name: 'x-up-calling-line-id',
          rule: 'identity-header',
          why: undefined,
        },
      );
      assert.match(note.why, /carries MSISDN/);
    });
  }

  it('/me.json over h2: lowercased names, pseudo-headers first, duplicates kept', async () => {
    const session = http2.connect(`https://127.0.0.1:${server.ports.https}`, { rejectUnauthorized: false });
    session.on('error', () => {});
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const stream = session.request({
          ':path': '/me.json',
          ':authority': 'probe.localhost',
          'x-dup': ['1', '2'],
        });
        let text = '';
        stream.setEncoding('utf8').on('data', (d: string) => {
          text += d;
        });
        stream.on('end', () => resolve(text));
        stream.on('error', reject);
      });
      const me = JSON.parse(body);
      assert.equal(me.httpVersion, '2.0');
      assert.equal(me.tls, true);
      const names = (me.headers as [string, string][]).map(([n]) => n);
      // Pseudo-headers first, as received; every other name lowercased; duplicates kept, in order.
      assert.deepEqual(names.slice(0, 4).sort(), [':authority', ':method', ':path', ':scheme']);
      assert.ok(names.slice(4).every((n) => !n.startsWith(':') && n === n.toLowerCase()));
      assert.deepEqual(
        (me.headers as [string, string][]).filter(([n]) => n === 'x-dup'),
        [
          ['x-dup', '1'],
          ['x-dup', '2'],
        ],
      );
      assert.deepEqual(me.identityHeaders, []);
    } finally {
      session.close();
    }
  });

  it('/me.json allows CORS only for origins on the request’s own host name and the endpoint’s ports', async () => {
    const get = (origin: string) =>
      rawRequest(
        server.ports.https,
        `GET /me.json HTTP/1.1\r\nHost: probe.localhost:${server.ports.https}\r\nOrigin: ${origin}\r\n\r\n`,
        {
          tls: true,
        },
      );
    const own = `http://probe.localhost:${server.ports.main}`;
    const ok = await get(own);
    assert.equal(header(ok, 'access-control-allow-origin'), own);
    assert.equal(header(ok, 'access-control-allow-credentials'), 'true');
    assert.match(header(ok, 'vary')!, /Origin/);
    for (const other of [
      'http://evil.example',
      `http://partner.localhost:${server.ports.main}`,
      'http://probe.localhost:9',
      'null',
      `http://probe.localhost:${server.ports.main}/path`,
    ]) {
      const res = await get(other);
      assert.equal(res.status, 200);
      assert.equal(header(res, 'access-control-allow-origin'), undefined, other);
    }
  });

  it('/me marks a client-sent x-up-calling-line-id as an identity header with its rule; its script is allowed by hash', async () => {
    const res = await rawRequest(server.ports.main, `GET /me HTTP/1.1\r\n${REQUEST_HEADERS}\r\n`);
    assert.equal(res.status, 200);
    const row = /<tr data-index="5"([^>]*)>(.*?)<\/tr>/s.exec(res.body);
    assert.ok(row, 'row of the sixth header');
    assert.match(row[1]!, /class="identity"/);
    assert.match(row[2]!, /x-up-calling-line-id/);
    assert.match(
      row[2]!,
      /Identity header \(catalogue: carries MSISDN[^)]*\)\. Rule: <code>identity-header<\/code>/,
    );
    for (const i of [0, 1, 2, 3, 4]) {
      assert.doesNotMatch(new RegExp(`<tr data-index="${i}"[^>]*>`).exec(res.body)![0], /identity/);
    }
    assert.match(res.body, /<strong>1 identity header<\/strong>/);
    const csp = header(res, 'content-security-policy')!;
    assert.match(csp, /^default-src 'none'; /);
    assert.ok(csp.includes(`connect-src https://probe.localhost:${server.ports.https}`), csp);
    const script = /<script>(.*?)<\/script>/s.exec(res.body)![1]!;
    assert.ok(
      csp.includes(`'sha256-${createHash('sha256').update(script).digest('base64')}'`),
      'script hash in CSP',
    );
    assert.match(header(res, 'cache-control')!, /no-store.*private/);
  });

  it('/me over HTTPS says nothing can have been added, and fetches nothing', async () => {
    const res = await rawRequest(server.ports.https, `GET /me HTTP/1.1\r\n${REQUEST_HEADERS}\r\n`, {
      tls: true,
    });
    assert.equal(res.status, 200);
    assert.match(res.body, /came over HTTPS: nothing on the way can have added or changed a header/);
    assert.doesNotMatch(header(res, 'content-security-policy')!, /connect-src/);
  });

  it('/me and /me.json refuse other methods with 405', async () => {
    for (const p of ['/me', '/me.json']) {
      const res = await rawRequest(
        server.ports.main,
        `POST ${p} HTTP/1.1\r\nHost: probe.localhost\r\nContent-Length: 0\r\n\r\n`,
      );
      assert.equal(res.status, 405, p);
      assert.equal(header(res, 'allow'), 'GET, HEAD');
    }
  });

  describe('in a real Chromium, through a gateway that adds a header over plain HTTP', () => {
    let browser: Browser;
    let proxy: TestGateway;
    before(async () => {
      assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run npm run setup:system`);
      proxy = await startTestGateway({ addHeaders: () => [['X-Gateway-Added', 'gw-7']] });
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        // Every request through the proxy, loopback included (Chromium bypasses loopback by default).
        args: [
          ...CHROMIUM_FLAGS,
          `--proxy-server=http://127.0.0.1:${proxy.port}`,
          '--proxy-bypass-list=<-loopback>',
        ],
      });
    });
    after(async () => {
      await browser?.close();
      await proxy?.close();
    });

    it('shows the added header as injected (rule unexpected-injection) and nothing the browser sent', async () => {
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      try {
        const page = await context.newPage();
        await page.goto(`http://probe.localhost:${server.ports.main}/me`);
        await page.waitForFunction(() => document.body.dataset.compared !== undefined, null, {
          timeout: 20_000,
        });
        const result = await page.evaluate(() => ({
          compared: document.body.dataset.compared,
          injected: document.body.dataset.injected,
          status: document.getElementById('compare')?.textContent,
          rows: Array.from(document.querySelectorAll('tbody tr')).map((tr) => ({
            name: tr.children[1]!.textContent,
            injected: tr.classList.contains('injected'),
            note: tr.children[3]!.textContent,
          })),
        }));
        assert.equal(result.compared, 'true', result.status ?? '');
        assert.equal(result.injected, '1');
        const injected = result.rows.filter((r) => r.injected);
        assert.deepEqual(
          injected.map((r) => r.name),
          ['X-Gateway-Added'],
        );
        assert.equal(injected[0]!.note, 'Absent over HTTPS: added on the way. Rule: unexpected-injection');
        assert.ok(result.rows.some((r) => r.name === 'User-Agent' && !r.injected));
        assert.ok(proxy.forwarded >= 1, 'the page came through the proxy');
      } finally {
        await context.close();
      }
    });
  });
});

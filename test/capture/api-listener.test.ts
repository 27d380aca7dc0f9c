/**
 * `apiListen` (`serve --api-listen ADDR:PORT`): the API on a listener of its own, over HTTPS, so that a firewall
 * can open it to the suite's hosts only; the probe listeners then serve no `/api/*` and no `/metrics`.
 */
import assert from 'node:assert/strict';
import { CaptureClient, type RunningCaptureServer } from '../../src/capture/index.ts';
import { selfSignedFor } from '../../src/capture/server/tls-material.ts';
import { API_KEY, pathOf, rawRequest, servedCertificate, startTestServer } from './helpers.ts';

const AUTH = `Authorization: Bearer ${API_KEY}\r\n`;

/** A GET on a fresh connection (TLS when `secure`), with the key when `auth`; its status. */
async function status(port: number, path: string, secure: boolean, auth = true): Promise<number> {
  const res = await rawRequest(
    port,
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth ? AUTH : ''}Connection: close\r\n\r\n`,
    { tls: secure },
  );
  return res.status;
}

describe('capture endpoint: the API on a listener of its own (apiListen)', () => {
  let server: RunningCaptureServer;
  let client: CaptureClient;
  beforeEach(async () => {
    ({ server } = await startTestServer({ apiListen: { host: '127.0.0.1', port: 0 } }));
    // The endpoint's own self-signed certificate, as a lab farm accepts it (capture.acceptInsecureCerts).
    client = new CaptureClient(server.apiBaseUrl, API_KEY, { connection: { insecure: true } });
  });
  afterEach(() => server.close());

  it('serves the API over HTTPS there, and says where', async () => {
    const port = server.apiPort!;
    assert.ok(port > 0);
    assert.ok(![server.ports.main, server.ports.alt, server.ports.https].includes(port));
    assert.equal(server.apiBaseUrl, `https://127.0.0.1:${port}`);
    await client.checkAccess();
    const run = await client.createRun({ handset: 'h', bearer: 'o2' });
    assert.equal((await client.getCaptures(run.token)).captures.length, 0);
    assert.equal(await status(port, '/healthz', true, false), 200);
    assert.equal(await status(port, '/metrics', true, false), 401, '/metrics still needs the key');
    assert.equal(await status(port, '/metrics', true), 200);
    await assert.rejects(
      fetch(`http://127.0.0.1:${port}/api/runs`, { headers: { authorization: `Bearer ${API_KEY}` } }),
      'no API in clear text',
    );
  });

  it('the probe listeners capture as before, and serve no /api or /metrics, even with the key', async () => {
    const { main, alt, https } = server.ports;
    const run = await client.createRun({ handset: 'h', bearer: 'o2' });
    const captures = `/api/runs/${run.token}/captures`;
    assert.equal(await status(server.apiPort!, captures, true), 200);
    for (const [port, secure] of [
      [main, false],
      [alt, false],
      [https, true],
    ] as const) {
      assert.equal(await status(port, captures, secure), 404, `/api on ${port}`);
      assert.equal(await status(port, '/metrics', secure), 404, `/metrics on ${port}`);
      assert.equal(
        await status(port, '/healthz', secure, false),
        200,
        'health checks stay on the probe ports',
      );
    }
    const img = pathOf(run.plan.find((p) => p.probe === 'img')!.url);
    assert.equal(await status(main, img, false, false), 200);
    assert.equal(await status(server.apiPort!, img, true, false), 404, 'the API listener takes no probe');
    assert.deepEqual(
      (await client.getCaptures(run.token)).captures.map((c) => [c.probe, c.listener]),
      [['img', 'main']],
    );
  });

  it('a rotated certificate reaches the API listener too', async () => {
    const before = await servedCertificate(server.apiPort!);
    const next = await selfSignedFor(['probe.localhost', 'partner.localhost']);
    server.reloadTls(next.cert, next.key);
    const after = await servedCertificate(server.apiPort!);
    assert.notEqual(after, before);
    assert.equal(
      after,
      await servedCertificate(server.ports.https),
      'the same certificate as the HTTPS probe listener',
    );
  });
});

import assert from 'node:assert/strict';
import https from 'node:https';
import type net from 'node:net';
import { CaptureClient } from '../../../src/capture/client/capture-client.ts';
import { selfSignedFor } from '../../../src/capture/server/tls-material.ts';

// The API client against an HTTPS endpoint whose certificate no public CA signed, under a name without DNS:
// checked by default (one line naming the fix), trusted through its CA, or accepted when told to.

describe('capture client: a deployed endpoint over HTTPS', () => {
  let server: https.Server;
  let port: number;
  let cert: string;
  const resolve = { 'probe.hg.test': '127.0.0.1' };
  before(async () => {
    const tls = await selfSignedFor(['probe.hg.test']);
    cert = tls.cert;
    server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
      if (req.url === '/healthz') res.end('ok');
      else if (req.headers.authorization === 'Bearer k') res.writeHead(405).end('{"error":"method"}');
      else res.writeHead(401).end('{"error":"key"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  const url = () => `https://probe.hg.test:${port}`;

  it('checks the certificate by default: refused, in one line that names capture.ca', async () => {
    const client = new CaptureClient(url(), 'k', { connection: { resolve } });
    await assert.rejects(client.checkAccess(), (err: Error) => {
      assert.match(
        err.message,
        /^capture endpoint could not connect: its certificate is not trusted \([A-Z_]+\); trust its CA with capture\.ca/,
      );
      assert.ok(!err.message.includes('\n'));
      return true;
    });
  });

  it('trusts it through its CA, and reaches the name through the mapping', async () => {
    await new CaptureClient(url(), 'k', { connection: { resolve, ca: cert } }).checkAccess();
  });

  it('accepts it unchecked when told (acceptInsecureCerts)', async () => {
    await new CaptureClient(url(), 'k', { connection: { resolve, insecure: true } }).checkAccess();
  });

  it('a trusted endpoint still refuses a wrong key', async () => {
    const client = new CaptureClient(url(), 'bad', { connection: { resolve, ca: cert } });
    await assert.rejects(client.checkAccess(), /refused the API key/);
  });
});

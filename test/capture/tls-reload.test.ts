/**
 * Certificate rotation on a spawned `headerguard serve --tls-cert --tls-key`: SIGHUP and a change of the files
 * each put the new certificate on new connections; connections already open keep working; captures sent
 * throughout are all acknowledged and stored; a pair that does not load is refused in one line and the current
 * certificate stays.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { selfSignedFor } from '../../src/capture/server/tls-material.ts';
import type { CreatedRun } from '../../src/capture/types.ts';
import { ROOT, type Spawned, spawnCollected } from '../support/cli.ts';
import { RawConnection, servedCertificate, tempDir } from './helpers.ts';
import { ANY_LOOPBACK_PORTS, cleanEnv as cleanServeEnv } from './serve-process.ts';

const KEY = 'tls-reload-key-0123456789';

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function fingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

describe('headerguard serve: TLS certificate reload (spawned)', function () {
  this.timeout(90_000);
  let tmp: ReturnType<typeof tempDir>;
  let s: Spawned | undefined;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(async () => {
    if (s && s.child.exitCode === null) s.child.kill('SIGKILL');
    await s?.exit;
    tmp.cleanup();
  });

  it('SIGHUP and a file change rotate the certificate; no connection dropped, no capture lost', async () => {
    const hosts = ['probe.localhost', 'partner.localhost'];
    const a = await selfSignedFor(hosts);
    const b = await selfSignedFor(hosts);
    const certPath = path.join(tmp.dir, 'cert.pem');
    const keyPath = path.join(tmp.dir, 'key.pem');
    writeFileSync(certPath, a.cert);
    writeFileSync(keyPath, a.key);
    const env = cleanServeEnv({ HEADERGUARD_API_KEY: KEY });
    s = spawnCollected(
      process.execPath,
      [
        path.join(ROOT, 'bin', 'headerguard.js'),
        'serve',
        ...ANY_LOOPBACK_PORTS,
        ...['--db', path.join(tmp.dir, 'hg.db'), '--tls-cert', certPath, '--tls-key', keyPath],
      ],
      { env },
    );
    const proc = s;
    const banner = await until(
      'the ready banner',
      () => (/Ctrl-C stops it/.test(proc.stdout()) ? proc.stdout() : undefined),
      60_000,
    );
    const https = Number(/listening on 127\.0\.0\.1:(\d+), h2/.exec(banner)![1]);
    const api = /health +(\S+)\/healthz/.exec(banner)![1]!;
    // The load below outpaces one run's capture limit (2,000) on a quick machine: it moves to a new run every
    // 1,000 captures, and each run's acknowledged captures are checked against what it stored.
    const runs: { token: string; get: string; acknowledged: number }[] = [];
    const newRun = async () => {
      const created = await fetch(`${api}/api/runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ handset: 'tls', bearer: 'o2' }),
      });
      const run = (await created.json()) as CreatedRun;
      const imgTls = new URL(run.plan.find((p) => p.probe === 'img-tls')!.url).pathname;
      runs.push({
        token: run.token,
        get: `GET ${imgTls} HTTP/1.1\r\nHost: probe.localhost\r\n\r\n`,
        acknowledged: 0,
      });
    };
    await newRun();
    const current = async () => {
      if (runs.at(-1)!.acknowledged >= 1000) await newRun();
      return runs.at(-1)!;
    };
    assert.equal(await servedCertificate(https), fingerprint(a.cert));

    // Load throughout: one keep-alive connection opened before any reload, and a new connection per request.
    const kept = await RawConnection.open(https, { tls: true });
    let acknowledged = 0;
    const failures: string[] = [];
    let loading = true;
    const load = (async () => {
      while (loading) {
        for (const conn of [kept, await RawConnection.open(https, { tls: true })]) {
          try {
            const run = await current();
            const res = await conn.request(run.get);
            if (res.status === 200) {
              acknowledged += 1;
              run.acknowledged += 1;
            } else failures.push(`status ${res.status}`);
          } catch (err) {
            failures.push(String(err));
          }
          if (conn !== kept) conn.close();
        }
      }
    })();

    try {
      // SIGHUP: the new pair at once.
      writeFileSync(certPath, b.cert);
      writeFileSync(keyPath, b.key);
      proc.child.kill('SIGHUP');
      await until('the SIGHUP reload', () =>
        /TLS certificate reloaded from \S+cert\.pem \(SIGHUP\), valid until /.test(proc.stdout())
          ? true
          : undefined,
      );
      assert.equal(await servedCertificate(https), fingerprint(b.cert));

      // A bad pair (the renewal half written): refused in one line, the current certificate stays.
      writeFileSync(certPath, a.cert); // a's certificate with b's key
      await until('the refusal', () => (/not reloaded/.test(proc.stderr()) ? true : undefined));
      await new Promise((r) => setTimeout(r, 1500)); // the watch does not refuse the same pair again
      const refusals = proc
        .stderr()
        .split('\n')
        .filter((l) => /TLS certificate/.test(l));
      assert.equal(refusals.length, 1, proc.stderr());
      assert.match(
        refusals[0]!,
        /^headerguard: warning: TLS certificate not reloaded \(file changed\), keeping the current one: /,
      );
      assert.equal(await servedCertificate(https), fingerprint(b.cert));

      // The file watch: the key arrives, the pair loads, no signal needed.
      writeFileSync(keyPath, a.key);
      await until('the file-watch reload', async () =>
        (await servedCertificate(https)) === fingerprint(a.cert) ? true : undefined,
      );
      assert.match(proc.stdout(), /TLS certificate reloaded from \S+ \(file changed\)/);
    } finally {
      loading = false;
      await load;
    }
    const last = await current();
    const after = await kept.request(last.get);
    assert.equal(after.status, 200, 'the connection opened before the reloads still serves');
    acknowledged += 1;
    last.acknowledged += 1;
    kept.close();

    assert.deepEqual(failures, []);
    assert.ok(acknowledged > 10, `captures sent during the reloads: ${acknowledged}`);
    for (const run of runs) {
      const stored = await fetch(`${api}/api/runs/${run.token}/captures`, {
        headers: { authorization: `Bearer ${KEY}` },
      });
      const body = (await stored.json()) as { captures: unknown[] };
      assert.equal(body.captures.length, run.acknowledged, 'every acknowledged capture is stored');
    }
    assert.doesNotMatch(proc.stderr(), /BEGIN|PRIVATE KEY/, 'no PEM text in any line');
  });

  it('SIGHUP without --tls-cert says there is nothing to reload and keeps serving', async () => {
    s = spawnCollected(
      process.execPath,
      [path.join(ROOT, 'bin', 'headerguard.js'), 'serve', ...ANY_LOOPBACK_PORTS, '--db', ':memory:', '--dev'],
      { env: cleanServeEnv() },
    );
    const proc = s;
    const banner = await until(
      'the ready banner',
      () => (/Ctrl-C stops it/.test(proc.stdout()) ? proc.stdout() : undefined),
      60_000,
    );
    const api = /health +(\S+)\/healthz/.exec(banner)![1]!;
    proc.child.kill('SIGHUP');
    await until('the SIGHUP line', () =>
      /headerguard serve: SIGHUP: no --tls-cert\/--tls-key to reload/.test(proc.stdout()) ? true : undefined,
    );
    assert.equal((await fetch(`${api}/healthz`)).status, 200, 'still serving');
  });
});

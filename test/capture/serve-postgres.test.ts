/**
 * Several `headerguard serve` processes on one PostgreSQL database (a throw-away cluster for this file): the
 * acceptance contract, then what a user sees when the database is wrong.
 */
import assert from 'node:assert/strict';
import { CaptureClient } from '../../src/capture/client/capture-client.ts';
import { usePostgres } from '../support/postgres.ts';
import { pathOf, rawRequest } from './helpers.ts';
import { ANY_LOOPBACK_PORTS, bannerPorts, KEY, readyBanner, refusal, serve, stop } from './serve-process.ts';

describe('headerguard serve --db postgres://… (spawned, several instances)', function () {
  this.timeout(120_000);
  const pg = usePostgres();

  it('a run created through one instance, its probes sent to another, is complete when read through either', async () => {
    const db = (await pg.cluster().freshDatabase()).replace('postgres@', 'postgres:not-a-secret@');
    // Started together: the migrations run once between them.
    const a = serve([...ANY_LOOPBACK_PORTS, '--db', db, '--api-key', KEY]);
    const b = serve([...ANY_LOOPBACK_PORTS, '--db', db, '--api-key', KEY]);
    try {
      const [bannerA, bannerB] = await Promise.all([readyBanner(a), readyBanner(b)]);
      const portsA = bannerPorts(bannerA);
      const portsB = bannerPorts(bannerB);
      assert.notEqual(portsA.main, portsB.main);
      for (const banner of [bannerA, bannerB]) {
        assert.match(banner, /store +postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/hg_test_\w+ /);
        assert.ok(!banner.includes('not-a-secret'), 'the password is never printed');
      }
      const viaA = new CaptureClient(`http://127.0.0.1:${portsA.main}`, KEY);
      const viaB = new CaptureClient(`http://127.0.0.1:${portsB.main}`, KEY);

      const run = await viaA.createRun({ handset: 'pixel-7', bearer: 'o2' });
      assert.equal((await viaB.getCaptures(run.token)).complete, false);
      for (const p of run.plan) {
        const res = await rawRequest(
          portsB[p.listener],
          `GET ${pathOf(p.url)} HTTP/1.1\r\nHost: ${new URL(p.url).host}\r\nX-Probe: ${p.probe}\r\n\r\n`,
          { tls: p.tls },
        );
        // Acknowledged only once committed: a 200 means the capture is in the database.
        assert.equal(res.status, 200, `${p.probe} through the second instance`);
      }
      for (const client of [viaA, viaB]) {
        const got = await client.getCaptures(run.token);
        assert.equal(got.complete, true);
        assert.deepEqual(got.missing, []);
        assert.equal(got.captures.length, run.plan.length);
      }

      // Deleted through one, gone from the other.
      await viaB.deleteRun(run.token);
      await assert.rejects(viaA.getCaptures(run.token), /404/);
      assert.equal(a.child.exitCode, null);
      assert.equal(b.child.exitCode, null);
    } finally {
      await Promise.all([stop(a), stop(b)]);
    }
  });

  it('refuses a database it cannot reach (exit 3) or a URL that names none (exit 2), in one line, password masked', async () => {
    const unreachable = await refusal(
      [...ANY_LOOPBACK_PORTS, '--db', 'postgres://hg:pw-secret@127.0.0.1:1/hg', '--api-key', KEY],
      {},
      3,
    );
    assert.equal(
      unreachable,
      'headerguard: cannot reach database postgres://hg:***@127.0.0.1:1/hg: ECONNREFUSED',
    );
    const bad = await refusal([
      ...ANY_LOOPBACK_PORTS,
      '--db',
      'postgresql://hg:pw-secret@db.example',
      '--api-key',
      KEY,
    ]);
    assert.equal(
      bad,
      'headerguard: --db postgresql://hg:***@db.example must name a host and a database: postgres://USER@HOST:PORT/DB',
    );
  });
});

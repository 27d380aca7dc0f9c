/**
 * Durability under load: every capture the endpoint acknowledged (200) survives a `kill -9` in the middle of a
 * stream of probes, and a restart on the same file serves it. serve-cli.test.ts checks one capture at rest; this
 * one kills the process while four keep-alive connections keep probes in flight and group commits open.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT, type Spawned, spawnCollected } from '../support/cli.ts';
import { RawConnection, tempDir } from './helpers.ts';

const KEY = 'durability-key-8c1e9a';
const CONNECTIONS = 4;
const TOTAL = 2000;
/** Acknowledged captures after which the server is killed: well before the load is through. */
const KILL_AFTER = 600;

function serve(db: string): Spawned {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HEADERGUARD_')) env[k] = v;
  return spawnCollected(
    process.execPath,
    [
      path.join(ROOT, 'bin', 'headerguard.js'),
      'serve',
      ...['--http-port', '0', '--alt-port', '0', '--https-port', '0', '--bind', '127.0.0.1', '--db', db],
    ],
    { env: { ...env, HEADERGUARD_API_KEY: KEY, HEADERGUARD_LOG_LEVEL: 'warn' } },
  );
}

/** The API base URL from the ready banner, within 20 s. */
async function ready(s: Spawned): Promise<string> {
  const deadline = Date.now() + 20_000;
  while (!/Ctrl-C stops it/.test(s.stdout())) {
    if (s.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`serve did not start: ${s.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return /health +(\S+)\/healthz/.exec(s.stdout())![1]!;
}

async function stop(s: Spawned): Promise<void> {
  if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  await s.exit;
}

describe('capture store durability (spawned serve, kill -9 under load)', function () {
  this.timeout(60_000);
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it(`keeps every acknowledged capture of a ${TOTAL}-probe load killed mid-way, after a restart`, async () => {
    const db = path.join(tmp.dir, 'load.db');
    const first = serve(db);
    const acked = new Set<number>();
    const sent = new Set<number>();
    let token = '';
    try {
      const base = await ready(first);
      const res = await fetch(`${base}/api/runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: '{"handset":"durability","bearer":"o2"}',
      });
      assert.equal(res.status, 201);
      token = ((await res.json()) as { token: string }).token;
      const port = Number(new URL(base).port);

      let next = 0;
      let killed = false;
      const worker = async () => {
        const conn = await RawConnection.open(port);
        try {
          while (!killed && next < TOTAL) {
            const seq = next++;
            sent.add(seq);
            const r = await conn.request(
              `GET /p/${token}/img?seq=${seq} HTTP/1.1\r\nHost: probe.localhost\r\nX-Seq: ${seq}\r\n\r\n`,
            );
            if (r.status !== 200) throw new Error(`probe ${seq} answered ${r.status}`);
            acked.add(seq);
            if (acked.size >= KILL_AFTER && !killed) {
              killed = true;
              first.child.kill('SIGKILL');
            }
          }
        } catch (err) {
          // Requests in flight when the process died get no answer: expected once it is killed, not before.
          if (!killed) throw err;
        } finally {
          conn.close();
        }
      };
      await Promise.all(Array.from({ length: CONNECTIONS }, worker));
      assert.ok(killed, 'the server was killed before the load was through');
    } finally {
      await stop(first);
    }
    assert.equal(first.child.signalCode, 'SIGKILL');
    assert.ok(acked.size >= KILL_AFTER && acked.size < TOTAL);

    const second = serve(db);
    try {
      const base = await ready(second);
      const got = await fetch(`${base}/api/runs/${token}/captures`, {
        headers: { authorization: `Bearer ${KEY}` },
      });
      assert.equal(got.status, 200);
      const { captures } = (await got.json()) as { captures: { url: string; headers: [string, string][] }[] };
      const stored = new Set<number>();
      for (const c of captures) {
        const seq = Number(new URL(c.url, 'http://x').searchParams.get('seq'));
        assert.deepEqual(c.headers.at(-1), ['X-Seq', String(seq)], 'stored exactly as sent');
        stored.add(seq);
      }
      const lost = [...acked].filter((s) => !stored.has(s));
      assert.deepEqual(lost, [], `${lost.length} of ${acked.size} acknowledged captures lost`);
      assert.ok(
        [...stored].every((s) => sent.has(s)),
        'only what was sent is stored',
      );
      assert.equal(stored.size, captures.length, 'no capture stored twice');
    } finally {
      await stop(second);
    }
  });
});

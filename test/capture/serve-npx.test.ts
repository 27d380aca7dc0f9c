/**
 * `npx headerguard serve` as users start it: npm exec → sh -c → node. Whatever becomes of npx (SIGTERM, or a
 * SIGKILL that it cannot pass on), the endpoint must not be left listening as an orphan.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ROOT, running, type Spawned, spawnCollected } from '../support/cli.ts';
import { ANY_LOOPBACK_PORTS, cleanEnv as cleanServeEnv } from './serve-process.ts';

/** Direct children of a process (Linux procfs). */
function childrenOf(pid: number): number[] {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return text === '' ? [] : text.split(' ').map(Number);
  } catch {
    return [];
  }
}

/** Every descendant of a process, nearest first. */
function descendants(pid: number): number[] {
  const out: number[] = [];
  for (const child of childrenOf(pid)) out.push(child, ...descendants(child));
  return out;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function npxServe(): Spawned {
  return spawnCollected(
    'npx',
    ['--offline', 'headerguard', 'serve', '--dev', '--db', ':memory:', ...ANY_LOOPBACK_PORTS],
    { env: cleanServeEnv(), cwd: ROOT },
  );
}

describe('headerguard serve under npx (spawned)', function () {
  this.timeout(90_000);

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`stops within seconds when npx gets ${signal}`, async () => {
      const npx = npxServe();
      let serve = 0;
      try {
        await waitFor(
          'the ready banner',
          () => (/Ctrl-C stops it/.test(npx.stdout()) ? true : undefined),
          60_000,
        );
        serve = await waitFor(
          'the serve process',
          () => descendants(npx.child.pid!).find((pid) => /headerguard(\.js)? serve/.test(cmdline(pid))),
          5_000,
        );
        assert.ok(running(serve), 'serve runs under npx');
        npx.child.kill(signal);
        await waitFor('serve to exit', () => (running(serve) ? undefined : true), 5_000);
        assert.match(npx.stdout(), /headerguard serve: (parent process gone|SIGTERM), stopping/);
      } finally {
        npx.child.kill('SIGKILL');
        if (serve > 0 && running(serve)) process.kill(serve, 'SIGKILL');
      }
    });
  }
});

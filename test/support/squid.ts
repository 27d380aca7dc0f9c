import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/shared/free-port.ts';
import { spawnGroup } from './process-group.ts';

/** Debian's squid (scripts/install-system-deps.sh installs it; HEADERGUARD_SQUID names another). */
export const SQUID = process.env.HEADERGUARD_SQUID ?? '/usr/sbin/squid';

export interface RunningSquid {
  /** `http://127.0.0.1:<port>`: a handset's `proxy`. */
  url: string;
  stop(): Promise<void>;
  /** What it printed, for a failing test's message. */
  output(): string;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A real third-party gateway: squid as a forward proxy on a free loopback port, in a folder of its own, caching
 * nothing, resolving `hosts` (name -> address) from its own hosts file (the embedded endpoint's probe.localhost and
 * partner.localhost), with `rules` (squid.conf lines: what the carrier configured) after the base setup.
 */
export async function startSquid(
  hosts: Record<string, string>,
  rules: readonly string[] = [],
): Promise<RunningSquid> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-squid-'));
  // squid drops to its `proxy` user once it has read its configuration; its pid file and log are written after.
  chmodSync(dir, 0o777);
  const port = await freePort();
  writeFileSync(
    path.join(dir, 'hosts'),
    Object.entries(hosts)
      .map(([name, address]) => `${address} ${name}\n`)
      .join(''),
  );
  const conf = path.join(dir, 'squid.conf');
  writeFileSync(
    conf,
    [
      `http_port 127.0.0.1:${port}`,
      `pid_filename ${path.join(dir, 'squid.pid')}`,
      `cache_log ${path.join(dir, 'cache.log')}`,
      'access_log none',
      'cache deny all',
      `hosts_file ${path.join(dir, 'hosts')}`,
      'pinger_enable off',
      'shutdown_lifetime 0 seconds',
      'acl localhost_src src 127.0.0.1/32',
      'http_access allow localhost_src',
      'http_access deny all',
      ...rules,
      '',
    ].join('\n'),
  );
  const name = `hg${port}`;
  const group = spawnGroup(SQUID, ['-N', '-f', conf, '-n', name]);
  const stop = async () => {
    // SIGTERM first: squid then removes its shared-memory segments (/dev/shm/<name>-*), which a kill leaves.
    if (group.child.exitCode === null && group.child.signalCode === null) {
      const gone = new Promise((resolve) => group.child.once('exit', resolve));
      group.child.kill('SIGTERM');
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 5000))]);
    }
    await group.stop();
    rmSync(dir, { recursive: true, force: true });
    let segments: string[] = [];
    try {
      segments = readdirSync('/dev/shm').filter((f) => f.startsWith(`${name}-`));
    } catch {
      // no /dev/shm here
    }
    for (const f of segments) rmSync(path.join('/dev/shm', f), { force: true });
  };
  const deadline = Date.now() + 20_000;
  while (!(await listening(port))) {
    if (group.child.exitCode !== null || Date.now() > deadline) {
      const out = group.output();
      await stop();
      throw new Error(`squid did not start on port ${port}: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `http://127.0.0.1:${port}`, stop, output: group.output };
}

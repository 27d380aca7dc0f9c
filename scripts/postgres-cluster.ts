/**
 * A throw-away PostgreSQL cluster for the tests (test/support/postgres.ts) and the benches
 * (bench/capture.bench.ts), TOOLCHAIN.md: `initdb` and `pg_ctl` from Debian's `postgresql` (HEADERGUARD_PG_BIN, or
 * the newest /usr/lib/postgresql/<n>/bin), in a temporary folder, on a free loopback port, its socket in that
 * folder: no service manager. PostgreSQL refuses to run as root, so as root its binaries run as the `postgres`
 * user the package creates. `fsync=off`: the cluster is thrown away, and what it measures is the endpoint, not
 * the disk. Not part of headerguard itself (src/ never imports it).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface PgCluster {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  /** A new, empty database on the cluster; its URL. */
  freshDatabase(): Promise<string>;
  /** The server's (postmaster's) process id; its children are the backends. */
  pid(): number;
  stop(): void;
}

/** Folder of initdb/pg_ctl, or undefined when PostgreSQL is not installed. */
export function postgresBin(): string | undefined {
  if (process.env.HEADERGUARD_PG_BIN) return process.env.HEADERGUARD_PG_BIN;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : path.join(root, versions[0], 'bin');
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let databases = 0;

/**
 * Start a cluster. `settings`: more server settings (`-c name=value`), e.g. a bench whose simulated clock runs far
 * faster than the real one asking autovacuum to look as often.
 */
export async function startPostgres(settings: Record<string, string> = {}): Promise<PgCluster> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed: run scripts/install-system-deps.sh');
  const asRoot = process.getuid?.() === 0;
  const run = (tool: string, args: string[]) => {
    const [cmd, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]]
      : [path.join(bin, tool), args];
    execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-pg-'));
  if (asRoot) {
    execFileSync('chown', ['postgres', dir]);
    chmodSync(dir, 0o700);
  }
  const data = path.join(dir, 'data');
  const port = await freePort();
  let started = false;
  const stop = () => {
    process.removeListener('exit', stopAtExit);
    try {
      if (started) run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    } finally {
      started = false;
      rmSync(dir, { recursive: true, force: true });
    }
  };
  // A test file or bench that dies (an uncaught error) never reaches its stop: the server must not outlive it.
  const stopAtExit = () => {
    try {
      stop();
    } catch {
      // exiting anyway
    }
  };
  process.once('exit', stopAtExit);
  try {
    run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    started = true;
    run('pg_ctl', [
      '-D',
      data,
      '-l',
      path.join(dir, 'log'),
      '-w',
      '-o',
      [
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
        ...Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`),
      ].join(' '),
      'start',
    ]);
  } catch (err) {
    stop();
    throw err;
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    stop,
    pid: () => Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]),
    async freshDatabase() {
      databases += 1;
      const name = `hg_test_${process.pid}_${databases}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
  };
}

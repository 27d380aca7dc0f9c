/** `headerguard serve` as a spawned process (`node bin/headerguard.js serve …`), for the end-to-end tests. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT, type Spawned, spawnCollected } from '../support/cli.ts';

export const BIN = path.join(ROOT, 'bin', 'headerguard.js');
export const KEY = 'acceptance-key-4f1d2c3b';

/** The environment of the spawned CLI: ours, less any HEADERGUARD_* setting that would change what is tested. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HEADERGUARD_')) env[k] = v;
  return { ...env, HEADERGUARD_LOG_LEVEL: 'warn', ...extra };
}

export function serve(args: string[], env: Record<string, string> = {}): Spawned {
  return spawnCollected(process.execPath, [BIN, 'serve', ...args], { env: cleanEnv(env) });
}

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The ready banner `serve` prints once every listener is up (it ends with "Ctrl-C stops it"). */
export function readyBanner(s: Spawned): Promise<string> {
  return until('the ready banner', async () => (/Ctrl-C stops it/.test(s.stdout()) ? s.stdout() : undefined));
}

/** Every listener on a free loopback port. */
export const ANY_LOOPBACK_PORTS = [
  '--http-port',
  '0',
  '--alt-port',
  '0',
  '--https-port',
  '0',
  '--bind',
  '127.0.0.1',
];

export async function stop(s: Spawned): Promise<void> {
  if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  await s.exit;
}

/** Run `serve` expecting it to refuse: exit 2 (or `exitCode`) and one line on stderr. */
export async function refusal(
  args: string[],
  env: Record<string, string> = {},
  exitCode = 2,
): Promise<string> {
  const s = serve(args, env);
  const timer = setTimeout(() => s.child.kill('SIGKILL'), 20_000);
  const code = await s.exit;
  clearTimeout(timer);
  assert.equal(code, exitCode, `exit code; stderr: ${s.stderr()}`);
  const lines = s.stderr().trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line: ${s.stderr()}`);
  return lines[0]!;
}

/** The ports a ready `serve` printed in its banner. */
export function bannerPorts(banner: string): { main: number; alt: number; https: number } {
  const port = (name: string) => {
    const m = new RegExp(`^  ${name} +https?://[^ ]+:(\\d+)/`, 'm').exec(banner);
    if (!m) throw new Error(`no ${name} port in the banner:\n${banner}`);
    return Number(m[1]);
  };
  return { main: port('main'), alt: port('alt'), https: port('https') };
}

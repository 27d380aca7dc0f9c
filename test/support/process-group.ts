import { type ChildProcess, spawn } from 'node:child_process';
import { privateTempDir } from '../../src/shared/private-temp-dir.ts';

/**
 * A long-lived helper process for tests and benches (Selenium Grid, Appium) in its own process group: what it
 * prints is kept for a failing test's message, and `stop` kills the whole group (its drivers and browsers
 * too), as does this process's exit should a test forget. The group's temporary files (its TMPDIR: the
 * singleton-socket folders of the browsers its drivers quit, the profiles of those it killed) go with it.
 */
export interface ProcessGroup {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export function spawnGroup(file: string, args: readonly string[], env?: NodeJS.ProcessEnv): ProcessGroup {
  const tmp = privateTempDir('hg-group-');
  const child = spawn(file, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: tmp.env(env),
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const onExit = () => {
    killGroup();
    tmp.remove();
  };
  process.once('exit', onExit);
  const stop = async () => {
    process.removeListener('exit', onExit);
    const gone = child.exitCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r));
    killGroup();
    await gone;
    tmp.remove();
  };
  return { child, output: () => out, stop };
}

import { type ChildProcess, spawn } from 'node:child_process';

/**
 * A long-lived helper process for tests and benches (Selenium Grid, Appium) in its own process group: what it
 * prints is kept for a failing test's message, and `stop` kills the whole group (its drivers and browsers
 * too), as does this process's exit should a test forget.
 */
export interface ProcessGroup {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export function spawnGroup(file: string, args: readonly string[], env?: NodeJS.ProcessEnv): ProcessGroup {
  const child = spawn(file, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(env ? { env } : {}),
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
  process.once('exit', killGroup);
  const stop = async () => {
    process.removeListener('exit', killGroup);
    const gone = child.exitCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r));
    killGroup();
    await gone;
  };
  return { child, output: () => out, stop };
}

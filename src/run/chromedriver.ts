import { type ChildProcess, spawn } from 'node:child_process';
import { CHROMEDRIVER } from '../shared/chromium.ts';
import { privateTempDir } from '../shared/private-temp-dir.ts';

/**
 * One chromedriver for every emulated handset of a run, started in onPrepare: WebdriverIO would otherwise
 * start one per worker (and probe the browser before it). chromedriver serves many sessions at once; each
 * session still gets its own Chromium with its own profile, flags, proxy and emulation.
 *
 * Its temporary files live in a directory of its own (its TMPDIR), removed when it stops: each Chromium it quits
 * leaves its singleton-socket directory (`org.chromium.Chromium.XXXXXX`) in the temp dir, and a browser killed
 * with a crashed worker leaves its whole profile, three or more directories a run, every night.
 */
export interface RunningChromedriver {
  port: number;
  stop(): Promise<void>;
}

export async function startChromedriver(
  port: number,
  options: { binary?: string; readyTimeoutMs?: number } = {},
): Promise<RunningChromedriver> {
  const binary = options.binary ?? CHROMEDRIVER;
  const tmp = privateTempDir('hg-chromedriver-');
  // Its own process group: the browsers it starts are in it too, so one kill ends them all, also when this
  // process is ending (a run stopped by SIGTERM must not leave Chromium behind).
  const child: ChildProcess = spawn(binary, [`--port=${port}`, '--log-level=OFF'], {
    stdio: 'ignore',
    detached: true,
    env: tmp.env(),
  });
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  let exited: string | undefined;
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (err) => {
      exited = `could not start ${binary}: ${err.message}`;
      reject(new Error(exited));
    });
    child.once('exit', (code, signal) => {
      exited = `${binary} exited (${signal ?? `code ${code}`}) before it was ready`;
      reject(new Error(exited));
    });
  });
  spawnError.catch(() => {});
  const killOnExit = () => {
    killGroup();
    tmp.remove();
  };
  process.once('exit', killOnExit);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) {
      killGroup();
      tmp.remove();
      return;
    }
    // /shutdown ends chromedriver and the browsers of any session a crashed worker left open.
    await fetch(`http://127.0.0.1:${port}/shutdown`, { signal: AbortSignal.timeout(2000) }).catch(() => {});
    const gone = new Promise((r) => child.once('exit', r));
    const timer = setTimeout(killGroup, 2000);
    await gone;
    clearTimeout(timer);
    // Whatever its sessions left in its group (a browser whose worker crashed) goes with it, and their files.
    killGroup();
    tmp.remove();
  };
  try {
    await Promise.race([waitReady(port, options.readyTimeoutMs ?? 10_000, () => exited), spawnError]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, stop };
}

async function waitReady(port: number, timeoutMs: number, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  while (Date.now() < deadline && !exited()) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/status`, { signal: AbortSignal.timeout(1000) });
      const body = (await res.json()) as { value?: { ready?: boolean } };
      if (body.value?.ready) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 100);
  }
  throw new Error(exited() ?? `chromedriver on port ${port} was not ready within ${timeoutMs / 1000} s`);
}

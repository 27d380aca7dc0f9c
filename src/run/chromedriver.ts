import { type ChildProcess, spawn } from 'node:child_process';
import { CHROMEDRIVER } from '../shared/chromium.ts';
import { PortInUseError } from '../shared/errors.ts';
import { privateTempDir } from '../shared/private-temp-dir.ts';

/**
 * One chromedriver for every emulated handset of a run, started in onPrepare: WebdriverIO would otherwise
 * start one per worker (and probe the browser before it). chromedriver serves many sessions at once; each
 * session still gets its own Chromium with its own profile, flags, proxy and emulation.
 *
 * Its temporary files live in a directory of its own (its TMPDIR), removed when it stops: each Chromium it quits
 * leaves its singleton-socket directory (`org.chromium.Chromium.XXXXXX`) in the temp dir, and a browser killed
 * with a crashed worker leaves its whole profile, three or more directories a run, every night.
 *
 * The driver is ours only once it says so: `/status` on its port is answered by whatever listens there, and when
 * another process (another run's chromedriver, say) took the port first, ours exits ("IPv4 port not available")
 * while theirs answers. So its start counts only after its own banner, "ChromeDriver was started successfully on
 * port N" on its stdout (printed at `--log-level=SEVERE` and above, not at OFF; its log lines go to stderr,
 * discarded). A port taken is a PortInUseError, which `headerguard run` answers with another port.
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
  const child: ChildProcess = spawn(binary, [`--port=${port}`, '--log-level=SEVERE'], {
    stdio: ['ignore', 'pipe', 'ignore'],
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
  const banner = readBanner(child);
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (err) => {
      exited = `could not start ${binary}: ${err.message}`;
      reject(new Error(exited));
    });
    child.once('exit', (code, signal) => {
      // stdout is read to its end first: a port taken is said there, just before it exits. Not for ever: a
      // browser it started may hold the pipe open.
      const settled = new Promise<Banner>((resolve) =>
        setTimeout(() => resolve({ portTaken: false }), 1000).unref(),
      );
      void Promise.race([banner, settled]).then(({ portTaken }) => {
        exited = portTaken
          ? `127.0.0.1:${port}: the port is already in use`
          : `${binary} exited (${signal ?? `code ${code}`}) before it was ready`;
        reject(portTaken ? new PortInUseError(exited) : new Error(exited));
      });
    });
  });
  spawnError.catch(() => {});
  const killOnExit = () => {
    killGroup();
    tmp.remove();
  };
  process.once('exit', killOnExit);
  /** It said it listens on its port: what answers there is ours (until then, maybe another process). */
  let said = false;
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null || !said) {
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
  const timeoutMs = options.readyTimeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  const tooLong = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const what = said ? 'was not ready' : 'did not say it was listening ("started successfully on port")';
      reject(new Error(`chromedriver on port ${port} ${what} within ${timeoutMs / 1000} s`));
    }, timeoutMs);
  });
  try {
    const listening = await Promise.race([banner, spawnError, tooLong]);
    // Its stdout ended without the banner: it is exiting, and its exit says why.
    if (listening.port === undefined) await Promise.race([spawnError, tooLong]);
    if (listening.port !== port)
      throw new Error(`${binary} says it listens on port ${listening.port}, not ${port}`);
    said = true;
    await Promise.race([waitReady(port, timeoutMs, () => exited), spawnError, tooLong]);
  } catch (err) {
    await stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return { port, stop };
}

interface Banner {
  /** The port it says it listens on; undefined when its stdout ended without saying so. */
  port?: number;
  /** It said the port was not available (another process holds it). */
  portTaken: boolean;
}

const LISTENING = /ChromeDriver was started successfully on port (\d+)/;
const PORT_TAKEN = /port not available/i;
/** What of its stdout is kept while looking for the banner (it is a few hundred bytes). */
const BANNER_BYTES = 16 * 1024;

/**
 * Its stdout up to the banner, or to the end (exit) when there is none; what it prints afterwards is read and
 * dropped, so that its pipe never fills.
 */
function readBanner(child: ChildProcess): Promise<Banner> {
  return new Promise((resolve) => {
    const out = child.stdout;
    if (!out) {
      resolve({ portTaken: false });
      return;
    }
    let text = '';
    let found = false;
    out.setEncoding('utf8');
    out.on('data', (chunk: string) => {
      if (found) return;
      text = (text + chunk).slice(-BANNER_BYTES);
      const m = LISTENING.exec(text);
      if (m) {
        found = true;
        resolve({ port: Number(m[1]), portTaken: false });
      }
    });
    out.once('end', () => resolve({ portTaken: PORT_TAKEN.test(text) }));
    out.once('error', () => resolve({ portTaken: false }));
  });
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

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A temp dir of its own for a child process and everything it starts (given as its TMPDIR), removed with it:
 * Chromium leaves its singleton-socket folder (`org.chromium.Chromium.XXXXXX`) behind when its driver quits it,
 * and a killed one its whole profile. Under the system's temp dir and short, since Chromium's singleton socket
 * path must fit a Unix socket address.
 */
export interface PrivateTempDir {
  dir: string;
  /** The child's environment with TMPDIR set to this dir. */
  env(base?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** Remove it and all it holds; never throws (a file still being written by a process being killed stays). */
  remove(): void;
}

export function privateTempDir(prefix: string): PrivateTempDir {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return {
    dir,
    env: (base = process.env) => ({ ...base, TMPDIR: dir }),
    remove() {
      try {
        rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
      } catch {
        // what is left is one folder in the temp dir
      }
    },
  };
}

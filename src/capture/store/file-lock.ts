/**
 * One endpoint process per SQLite file: the store keeps each live run's block counter in memory, so a second
 * process on the same file would collide with the first (measured: a run's probes answered 200, 200, 503, 200).
 * A lock file beside the database holds the owner's pid; a second process refuses to start, naming the file
 * and the owner. A lock left by a process that died (kill -9) is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { UserError } from '../../shared/errors.ts';

export interface FileLock {
  release(): void;
}

/** Locks held by this process, counted (one process may open its own file more than once). */
const held = new Map<string, number>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ownerOf(lockPath: string): number | undefined {
  try {
    const pid = Number(readFileSync(lockPath, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function lockDatabase(dbPath: string): FileLock {
  const lockPath = `${dbPath}.lock`;
  const count = held.get(lockPath) ?? 0;
  if (count === 0) take(dbPath, lockPath);
  held.set(lockPath, count + 1);
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      const left = (held.get(lockPath) ?? 1) - 1;
      if (left > 0) {
        held.set(lockPath, left);
        return;
      }
      held.delete(lockPath);
      if (ownerOf(lockPath) === process.pid) {
        try {
          unlinkSync(lockPath);
        } catch {
          // already gone
        }
      }
    },
  };
}

function take(dbPath: string, lockPath: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        throw new UserError(`cannot lock database ${dbPath}: ${code ?? 'unknown error'} (${lockPath})`);
      }
    }
    const owner = ownerOf(lockPath);
    if (owner !== undefined && owner !== process.pid && alive(owner)) {
      throw new UserError(
        `database ${dbPath} is in use by another headerguard process (pid ${owner}): one endpoint per database file (lock ${lockPath})`,
      );
    }
    // Left by a process that is gone (or unreadable): take it over.
    try {
      unlinkSync(lockPath);
    } catch {
      // raced with another taker: the next attempt decides
    }
  }
  throw new UserError(`cannot lock database ${dbPath}: another process keeps taking ${lockPath}`);
}

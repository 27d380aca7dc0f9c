/**
 * Stop when the parent goes away. Wrappers such as `npx` (npm exec → sh -c → node) do not pass SIGTERM on to
 * the command they run: when the wrapper is killed, the command is re-parented (to PID 1 or a subreaper) and
 * would linger as an orphan. `sim` and `serve` watch the parent they started under and stop when it is gone.
 */
import { readFileSync } from 'node:fs';

/** How often the parent is checked. */
export const PARENT_POLL_MS = 250;

/** Whether the process we started under is still our parent (Linux: /proc; elsewhere: does it still exist). */
export function parentAlive(parent: number): boolean {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (Number.isInteger(ppid)) return ppid === parent;
  } catch {
    // no procfs: fall through
  }
  try {
    process.kill(parent, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Call `onGone` once when the parent this process has now goes away. Does not keep the process alive.
 * Returns a function that stops watching.
 */
export function watchParent(onGone: () => void, intervalMs = PARENT_POLL_MS): () => void {
  const parent = process.ppid; // fixed now: whoever adopts us later is not who started us
  const timer = setInterval(() => {
    if (parentAlive(parent)) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

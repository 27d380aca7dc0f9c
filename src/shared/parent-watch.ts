/**
 * Stop when the parent goes away. Wrappers such as `npx` (npm exec → sh -c → node) do not always pass a signal on
 * to the command they run: when the wrapper is killed, the command is re-parented (to PID 1 or a subreaper) and
 * would linger as an orphan. `sim` and `serve` watch the parent they started under and stop when it is gone.
 *
 * A shell between the wrapper and us (`npm exec` runs every bin through `sh -c`) outlives the wrapper: it waits
 * for us, so our parent never changes. So when the parent is a shell, its own parent is watched too: the shell
 * re-parented means the wrapper is gone.
 */
import { readFileSync } from 'node:fs';

/** How often the parent is checked. */
export const PARENT_POLL_MS = 250;

/** Process names that run a command for someone else and wait for it (`sh -c CMD`). */
const SHELLS = new Set(['sh', 'dash', 'bash', 'ash', 'zsh', 'ksh', 'mksh', 'busybox']);

/** A process's name and parent from /proc/<pid>/stat, or undefined (no procfs, or no such process). */
export function procStat(pid: number | 'self'): { comm: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    if (!Number.isInteger(ppid)) return undefined;
    return { comm: stat.slice(stat.indexOf('(') + 1, close), ppid };
  } catch {
    return undefined;
  }
}

/** Whether the process we started under is still our parent (Linux: /proc; elsewhere: does it still exist). */
export function parentAlive(parent: number): boolean {
  const self = procStat('self');
  if (self) return self.ppid === parent;
  try {
    process.kill(parent, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * The links to watch, nearest first, as [child, its parent at start]: ours, and when our parent is a shell
 * wrapper, the shell's too. `stat` is injectable for tests.
 */
export function watchedLinks(
  selfPpid: number,
  stat: (pid: number) => { comm: string; ppid: number } | undefined = procStat,
): Array<[number | 'self', number]> {
  const links: Array<[number | 'self', number]> = [['self', selfPpid]];
  const parent = stat(selfPpid);
  if (parent && SHELLS.has(parent.comm) && parent.ppid > 1) links.push([selfPpid, parent.ppid]);
  return links;
}

/**
 * Call `onGone` once when the parent this process has now goes away (or, under a shell wrapper, the wrapper
 * above the shell). Does not keep the process alive. Returns a function that stops watching.
 */
export function watchParent(onGone: () => void, intervalMs = PARENT_POLL_MS): () => void {
  const parent = process.ppid; // fixed now: whoever adopts us later is not who started us
  const links = watchedLinks(parent);
  const intact = () =>
    links.every(([child, was]) => (child === 'self' ? parentAlive(was) : procStat(child)?.ppid === was));
  const timer = setInterval(() => {
    if (intact()) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * One line to standard output. What `headerguard run` itself prints in its launcher process (progress, the
 * verdict table) goes through here rather than console.log: outside `--verbose` the run mutes console.log while
 * WebdriverIO's launcher runs (src/run/launch.ts), which is how WDIO's own progress lines come and go.
 */
export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

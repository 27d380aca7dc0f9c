import type { Infrastructure } from './infrastructure.ts';

/**
 * What the run needs (capture endpoint, simulators, chromedriver), started by `headerguard run` before it loads
 * WebdriverIO's launcher: chromedriver and the listeners get ready on the other core while the launcher's third
 * of a second of code loads, and the suite's build need not load a second copy of the endpoint and simulators.
 * The launcher service takes it in onPrepare (where a start failure is still WDIO's SevereServiceError), or
 * starts its own when nothing is held (`npx wdio run wdio.conf.ts`). Held on globalThis: the CLI's build and the
 * suite's are two copies of this module in one process.
 */
const HELD = Symbol.for('headerguard.infrastructure');
type Holder = { [HELD]?: { starting: Promise<Infrastructure>; taken: boolean } };

export function holdInfrastructure(starting: Promise<Infrastructure>): void {
  // Awaited by whoever takes it; a failure meanwhile is not an unhandled rejection.
  starting.catch(() => {});
  (globalThis as Holder)[HELD] = { starting, taken: false };
}

/** The held infrastructure, once: the launcher service's (it stops it after the workers). */
export function takeHeldInfrastructure(): Promise<Infrastructure> | undefined {
  const held = (globalThis as Holder)[HELD];
  if (!held || held.taken) return undefined;
  held.taken = true;
  return held.starting;
}

/** After the launcher: what no service took (WDIO failed before onPrepare) is stopped here. */
export async function releaseHeldInfrastructure(): Promise<void> {
  const holder = globalThis as Holder;
  const held = holder[HELD];
  holder[HELD] = undefined;
  if (held && !held.taken) await held.starting.then((infra) => infra.stop()).catch(() => {});
}

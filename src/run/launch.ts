import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { keepBuildInUse } from '../../bin/build-cache.js';
import type { RunSummary } from '../report/summary.ts';
import { describeError } from '../shared/errors.ts';
import { EXIT, exitCodeOf } from '../shared/exit-codes.ts';
import { maskDigitRuns } from '../shared/mask.ts';
import { writeStoppedSummary } from './finish-run.ts';
import { holdInfrastructure, releaseHeldInfrastructure } from './held-infrastructure.ts';
import { startInfrastructure } from './infrastructure.ts';
import { launcherBeside } from './precompile.ts';
import { holdSession, PROJECT_ROOT, planSession, publishSession, type RunOptions } from './session.ts';
import { stoppedBecause, stopSignal, watchStopSignals } from './stop-signal.ts';
import { mark } from './timing.ts';

/**
 * `headerguard run`: validate the farm and options (bad input exits 2 before anything starts), publish the
 * session plan, run WebdriverIO, and exit by the verdict in summary.json. No summary means broken (3).
 */
export async function runFarm(options: RunOptions): Promise<number> {
  // The embedded endpoint and simulators log at info for `serve`/`sim`; inside a run only warnings matter.
  process.env.HEADERGUARD_LOG_LEVEL ??= 'warn';
  const session = await planSession(options);
  // wdio.conf.ts, loaded by WDIO's launcher in this process, uses this session rather than loading the farm again.
  holdSession(session);
  mark('session-planned');
  const { plan, handsets } = session;
  console.log(
    `headerguard: run ${plan.runId}: ${handsets.length} handset(s) from ${session.farm.name}` +
      `${plan.simFault ? `, simulator fault ${plan.simFault}` : ''}`,
  );
  watchStopSignals((signal) => {
    try {
      const summary = writeStoppedSummary(session, stoppedBecause(signal));
      const unjudged = summary.handsets.filter((h) => h.attempts === 0).length;
      console.error(
        `headerguard: stopped by ${signal}: ${unjudged} handset(s) not judged; the run is broken (summary.json written, no Allure report)`,
      );
    } catch (err) {
      console.error(
        `headerguard: stopped by ${signal}; summary.json not written: ${maskDigitRuns(describeError(err))}`,
      );
    }
  });
  // Started now, while WebdriverIO's launcher loads; the launcher service takes it in onPrepare. A port
  // another process took since the plan chose it is replaced, before WDIO reads the plan (below).
  const starting = startInfrastructure(session, { rebindTakenPorts: true });
  holdInfrastructure(starting);
  let launcherError: unknown;
  let stopKeeping = () => {};
  try {
    const configFile = await suiteConfigFile();
    // Imported here, not at the top: @wdio/cli has import-time side effects (a SIGINT handler that exits)
    // that other subcommands must not get. The compiled suite carries its own, bundled (src/run/precompile.ts).
    const { Launcher } = (await import(
      configFile.endsWith('.js') ? pathToFileURL(launcherBeside(configFile)).href : '@wdio/cli'
    )) as typeof import('@wdio/cli');
    const launcher = new Launcher(configFile, {});
    // However long the run lasts, its build is in use: pruning (a day unused) must not take its chunks away.
    if (configFile.endsWith('.js')) stopKeeping = keepBuildInUse(path.dirname(configFile));
    // Once the endpoint, the simulators and chromedriver listen, the plan's ports are final: published then, as
    // WDIO's launcher reads them with its configuration (capabilities, the workers' session). A failed start is
    // the launcher service's to say.
    await starting.then(
      () => {},
      () => {},
    );
    publishSession(plan);
    // WDIO's own console lines ("[0-0] RUNNING in chrome - file:///.cache/…", "Spec Files: 3 passed") repeat
    // the run's progress and verdict in its words; with --verbose only. headerguard's lines go to stdout itself.
    const unmute = plan.output === 'verbose' ? () => {} : muteConsoleLog();
    try {
      await launcher.run();
    } finally {
      unmute();
    }
    mark('launcher-done');
  } catch (err) {
    launcherError = err;
  }
  stopKeeping();
  await releaseHeldInfrastructure();
  let summary: RunSummary;
  try {
    summary = JSON.parse(await readFile(path.join(plan.runDir, 'summary.json'), 'utf8')) as RunSummary;
  } catch {
    if (launcherError)
      console.error(
        `headerguard: the WebdriverIO run failed: ${maskDigitRuns(describeError(launcherError))}`,
      );
    console.error('headerguard: no summary.json was written: the run is broken');
    return keepExitCode(EXIT.broken);
  }
  if (launcherError) {
    // The launcher service's own one-line reason (what could not start) is in every handset's failure.
    const reasons = [...new Set(summary.handsets.map((h) => h.failure).filter((f) => f !== null))];
    const why = reasons.length ? reasons.join('; ') : maskDigitRuns(describeError(launcherError));
    console.error(`headerguard: BROKEN: ${why}`);
  }
  return keepExitCode(stopSignal() ? EXIT.broken : exitCodeOf(summary.verdict));
}

/** The compiled suite (src/run/precompile.ts), or wdio.conf.ts through tsx when it cannot be compiled. */
async function suiteConfigFile(): Promise<string> {
  try {
    const { precompileSuite } = await import('./precompile.ts');
    const file = await precompileSuite();
    mark('suite-compiled');
    return file;
  } catch (err) {
    console.error(
      `headerguard: running the suite through tsx (could not compile it: ${maskDigitRuns(describeError(err))})`,
    );
    return path.join(PROJECT_ROOT, 'wdio.conf.ts');
  }
}

/**
 * WebdriverIO's launcher installs async-exit-hook, which ends the process with `process.exit(0)` on
 * 'beforeExit', whatever the exit code was meant to be. Restore ours on the way out.
 */
function keepExitCode(code: number): number {
  process.exitCode = code;
  process.once('exit', () => {
    process.exitCode = code;
  });
  return code;
}

/** console.log does nothing until the returned function puts it back. */
function muteConsoleLog(): () => void {
  const log = console.log;
  console.log = () => {};
  return () => {
    console.log = log;
  };
}

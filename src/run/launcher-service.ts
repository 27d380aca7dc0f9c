/**
 * headerguard's WebdriverIO launcher service: what runs in the launcher process around the workers.
 * - Before any worker starts it has the capture endpoint, the bearer simulators and the shared chromedriver the
 *   farm needs: started by `headerguard run` while WDIO loaded (held-infrastructure.ts), or else started here.
 *   When one cannot start, it throws WDIO's SevereServiceError, so the run stops within seconds instead of every
 *   worker failing later with a symptom.
 * - The verdict (summary.json, junit.xml, the table) is written as soon as every handset has its result, while
 *   the workers are still ending their sessions (result-watch.ts). With `--verbose`, or when a handset has no
 *   result, it waits for the workers (onComplete).
 * - After the workers: the HTML report, then it stops what was started.
 * wdio.conf.ts imports this file in every process (workers too), so the launcher-only modules it uses (capture
 * server, simulators, reports) are loaded inside its hooks, not at the top.
 */
import { SevereServiceError } from 'webdriverio';
import { describeError } from '../shared/errors.ts';
import { maskDigitRuns } from '../shared/mask.ts';
import { say } from '../shared/say.ts';
import { HANDSET_CAPABILITY } from './capabilities.ts';
import type { FinishOptions } from './finish-run.ts';
import { gatewayLabel } from './gateway-label.ts';
import { takeHeldInfrastructure } from './held-infrastructure.ts';
import type { Infrastructure } from './infrastructure.ts';
import { Progress } from './progress.ts';
import { ResultWatch } from './result-watch.ts';
import type { Session } from './session.ts';
import { stoppedBecause, stopSignal } from './stop-signal.ts';
import { mark } from './timing.ts';

export interface LauncherServiceOptions {
  session: Session;
  /** Whether WDIO runs the compiled suite: then workers must start without tsx's loader. */
  precompiled?: boolean;
  /** Starts what the run needs (a seam for tests). */
  start?: (session: Session) => Promise<Infrastructure>;
  /** Writes summary.json and junit.xml and prints the verdict (a seam for tests). */
  verdict?: (session: Session, options?: FinishOptions) => Promise<unknown>;
  /** Writes the HTML report (a seam for tests). */
  htmlReport?: (session: Session) => Promise<unknown>;
  /** How often to look for the handsets' results while the workers run, in ms (default 50). */
  resultPollMs?: number;
  /** Where progress lines go (default: standard output). */
  log?: (line: string) => void;
}

/** Why a run that never started is broken, as each handset's failure says. */
export function notStartedBecause(startFailure: string): string {
  return `the run could not start: ${startFailure}`;
}

export class HeaderguardLauncherService {
  private readonly options: LauncherServiceOptions;
  private infrastructure?: Infrastructure;
  private readonly progress?: Progress;
  private readonly results: ResultWatch;
  /** The verdict being written: once, when every handset is judged or else when the workers are done. */
  private verdictWritten?: Promise<unknown>;
  /** WDIO worker id → the handset it checks. */
  private readonly workers = new Map<string, string>();
  /** Set when onPrepare failed: one masked line naming what could not start and why. */
  startFailure?: string;

  constructor(options: LauncherServiceOptions) {
    this.options = options;
    const { plan, handsets } = options.session;
    if (plan.output !== 'quiet') this.progress = new Progress(handsets.length, options.log ?? say);
    this.results = new ResultWatch(
      plan.runDir,
      handsets.map((h) => h.id),
      (id, result) => this.progress?.finished(id, result),
    );
  }

  onWorkerStart(cid: string, capabilities: WebdriverIO.Capabilities): void {
    const id = capabilities[HANDSET_CAPABILITY];
    const handset = this.options.session.handsets.find((h) => h.id === id);
    if (!handset) return;
    this.workers.set(cid, handset.id);
    this.progress?.started(handset.id, gatewayLabel(handset, this.options.session.plan.simFault));
  }

  async onWorkerEnd(cid: string): Promise<void> {
    const id = this.workers.get(cid);
    if (id) await this.results.workerEnded(id);
  }

  async onPrepare(): Promise<void> {
    mark('prepare-start');
    if (this.options.precompiled) {
      // Workers inherit NODE_OPTIONS: the compiled suite needs no TypeScript loader (it costs each ~1 s).
      const { withoutTsxLoader } = await import('./precompile.ts');
      process.env.NODE_OPTIONS = withoutTsxLoader(process.env.NODE_OPTIONS);
    }
    try {
      const start =
        this.options.start ??
        (async (s: Session) =>
          takeHeldInfrastructure() ?? (await import('./infrastructure.ts')).startInfrastructure(s));
      this.infrastructure = await start(this.options.session);
    } catch (err) {
      this.startFailure = maskDigitRuns(describeError(err));
      throw new SevereServiceError(this.startFailure);
    }
    mark('infrastructure-ready');
    // Loaded while the workers run, not after the last handset's judgement, when the verdict waits for it.
    if (!this.options.verdict) void import('./finish-run.ts').catch(() => {});
    if (this.options.session.plan.output !== 'verbose') {
      this.results.start(this.options.resultPollMs);
      void this.results.allJudged.then(() => {
        mark('all-judged');
        this.writeVerdict({});
      });
    }
  }

  private writeVerdict(options: FinishOptions): Promise<unknown> {
    if (!this.verdictWritten) {
      const verdict =
        this.options.verdict ?? (async (s, o) => (await import('./finish-run.ts')).writeVerdict(s, o));
      this.verdictWritten = verdict(this.options.session, options);
      // Awaited by onComplete, which reports a failure; until then it is not an unhandled rejection.
      this.verdictWritten.catch(() => {});
    }
    return this.verdictWritten;
  }

  /** Runs whether or not onPrepare succeeded: a run that never started still gets a (broken) report. */
  async onComplete(): Promise<void> {
    mark('workers-done');
    try {
      await this.results.stop();
      const signal = stopSignal();
      const whyMissing = this.startFailure
        ? notStartedBecause(this.startFailure)
        : signal
          ? stoppedBecause(signal)
          : undefined;
      // Already written when every handset was judged before the workers ended (nothing was missing then).
      await this.writeVerdict(whyMissing ? { whyMissing } : {});
      const htmlReport = this.options.htmlReport ?? (await import('./finish-run.ts')).writeHtmlReport;
      await htmlReport(this.options.session);
    } finally {
      await this.infrastructure?.stop();
      this.infrastructure = undefined;
    }
  }
}

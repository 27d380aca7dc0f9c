/**
 * headerguard's WebdriverIO launcher service: what runs in the launcher process around the workers. Before any
 * worker starts it starts (or reaches) the capture endpoint, the bearer simulators and the shared chromedriver
 * the farm needs; when one cannot start, it throws WDIO's SevereServiceError, so the run stops within seconds
 * instead of every worker failing later with a symptom. After the workers it writes the reports and stops what
 * it started. wdio.conf.ts imports this file in every process (workers too), so the launcher-only modules it
 * uses (capture server, simulators, reports) are loaded inside its hooks, not at the top.
 */
import { SevereServiceError } from 'webdriverio';
import { describeError } from '../shared/errors.ts';
import { maskDigitRuns } from '../shared/mask.ts';
import { HANDSET_CAPABILITY } from './capabilities.ts';
import type { FinishOptions } from './finish-run.ts';
import { gatewayLabel } from './gateway-label.ts';
import { readHandsetResult } from './handset-result.ts';
import type { Infrastructure } from './infrastructure.ts';
import { Progress } from './progress.ts';
import type { Session } from './session.ts';
import { stoppedBecause, stopSignal } from './stop-signal.ts';
import { mark } from './timing.ts';

export interface LauncherServiceOptions {
  session: Session;
  /** Whether WDIO runs the compiled suite: then workers must start without tsx's loader. */
  precompiled?: boolean;
  /** Starts what the run needs (a seam for tests). */
  start?: (session: Session) => Promise<Infrastructure>;
  /** Writes the reports (a seam for tests). */
  finish?: (session: Session, options?: FinishOptions) => Promise<unknown>;
}

/** Why a run that never started is broken, as each handset's failure says. */
export function notStartedBecause(startFailure: string): string {
  return `the run could not start: ${startFailure}`;
}

export class HeaderguardLauncherService {
  private readonly options: LauncherServiceOptions;
  private infrastructure?: Infrastructure;
  private readonly progress?: Progress;
  /** WDIO worker id → the handset it checks. */
  private readonly workers = new Map<string, string>();
  /** Set when onPrepare failed: one masked line naming what could not start and why. */
  startFailure?: string;

  constructor(options: LauncherServiceOptions) {
    this.options = options;
    const { plan, handsets } = options.session;
    if (plan.output !== 'quiet') this.progress = new Progress(handsets.length, (l) => console.log(l));
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
    if (!id || !this.progress) return;
    this.progress.finished(id, await readHandsetResult(this.options.session.plan.runDir, id));
  }

  async onPrepare(): Promise<void> {
    mark('prepare-start');
    if (this.options.precompiled) {
      // Workers inherit NODE_OPTIONS: the compiled suite needs no TypeScript loader (it costs each ~1 s).
      const { withoutTsxLoader } = await import('./precompile.ts');
      process.env.NODE_OPTIONS = withoutTsxLoader(process.env.NODE_OPTIONS);
    }
    try {
      const start = this.options.start ?? (await import('./infrastructure.ts')).startInfrastructure;
      this.infrastructure = await start(this.options.session);
    } catch (err) {
      this.startFailure = maskDigitRuns(describeError(err));
      throw new SevereServiceError(this.startFailure);
    }
    mark('infrastructure-ready');
  }

  /** Runs whether or not onPrepare succeeded: a run that never started still gets a (broken) report. */
  async onComplete(): Promise<void> {
    mark('workers-done');
    try {
      const finish = this.options.finish ?? (await import('./finish-run.ts')).finishRun;
      const signal = stopSignal();
      const whyMissing = this.startFailure
        ? notStartedBecause(this.startFailure)
        : signal
          ? stoppedBecause(signal)
          : undefined;
      await finish(this.options.session, whyMissing ? { whyMissing } : {});
    } finally {
      await this.infrastructure?.stop();
      this.infrastructure = undefined;
    }
  }
}

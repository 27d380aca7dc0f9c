/**
 * headerguard's WebdriverIO launcher service: what runs in the launcher process around the workers. Before any
 * worker starts it starts (or reaches) the capture endpoint and the bearer simulators the farm names; when one
 * cannot start, it throws WDIO's SevereServiceError, so the run stops within seconds instead of every worker
 * failing later with a symptom. After the workers it writes the reports and stops what it started.
 */
import { SevereServiceError } from 'webdriverio';
import { describeError } from '../shared/errors.ts';
import { maskDigitRuns } from '../shared/mask.ts';
import { finishRun } from './finish-run.ts';
import { type Infrastructure, startInfrastructure } from './infrastructure.ts';
import type { Session } from './session.ts';

export interface LauncherServiceOptions {
  session: Session;
  /** Starts what the run needs (a seam for tests). */
  start?: (session: Session) => Promise<Infrastructure>;
  /** Writes the reports (a seam for tests). */
  finish?: typeof finishRun;
}

/** Why a run that never started is broken, as each handset's failure says. */
export function notStartedBecause(startFailure: string): string {
  return `the run could not start: ${startFailure}`;
}

export class HeaderguardLauncherService {
  private readonly session: Session;
  private readonly start: (session: Session) => Promise<Infrastructure>;
  private readonly finish: typeof finishRun;
  private infrastructure?: Infrastructure;
  /** Set when onPrepare failed: one masked line naming what could not start and why. */
  startFailure?: string;

  constructor(options: LauncherServiceOptions) {
    this.session = options.session;
    this.start = options.start ?? startInfrastructure;
    this.finish = options.finish ?? finishRun;
  }

  async onPrepare(): Promise<void> {
    try {
      this.infrastructure = await this.start(this.session);
    } catch (err) {
      this.startFailure = maskDigitRuns(describeError(err));
      throw new SevereServiceError(this.startFailure);
    }
  }

  /** Runs whether or not onPrepare succeeded: a run that never started still gets a (broken) report. */
  async onComplete(): Promise<void> {
    try {
      await this.finish(
        this.session,
        this.startFailure ? { whyMissing: notStartedBecause(this.startFailure) } : {},
      );
    } finally {
      await this.infrastructure?.stop();
      this.infrastructure = undefined;
    }
  }
}

/**
 * The worker side of a WDIO run: which handset this worker drives, its check with one retry for
 * infrastructure failures, and one mocha test body per rule. Spec files stay short; the logic lives here.
 */
import { AssertionError } from 'node:assert';
import {
  addArgument,
  addAttachment,
  addEpic,
  addFeature,
  addHistoryId,
  addLabel,
  addSeverity,
  addStory,
  addTag,
} from '@wdio/allure-reporter';
import { CaptureClient } from '../capture/client/capture-client.ts';
import { needlesFor } from '../detect/index.ts';
import type { Handset } from '../farm/index.ts';
import type { Observed, ObservedProbe } from '../model/baseline.ts';
import type { Finding } from '../model/finding.ts';
import { type RuleId, ruleInfo } from '../model/rules.ts';
import { formatFinding, summariseFindings } from '../report/format-finding.ts';
import { renderProbePairHtml } from '../report/masked-capture.ts';
import { describeError } from '../shared/errors.ts';
import { maskDigitRuns } from '../shared/mask.ts';
import { androidOffBearer, androidUdid } from './android-attestation.ts';
import { againstBaseline } from './baseline-drift.ts';
import { HANDSET_CAPABILITY } from './capabilities.ts';
import {
  type CheckAttempts,
  type CheckOptions,
  checkHandset,
  DEFAULT_CHECK_OPTIONS,
  type HandsetCheck,
  type PageProgress,
  type ProbeDriver,
  withOneRetry,
} from './check-handset.ts';
import { type HandsetOutcome, notChecked, outcomeOf, writeHandsetResult } from './handset-result.ts';
import { DEFAULT_HANDSET_TIMEOUT_S } from './limits.ts';
import { PROBE_PAGE_PROGRESS_WEBDRIVER } from './probe-page-script.ts';
import { apiOf, currentSession, type Session } from './session.ts';

/** A finding is the whole story: a stack trace into our own code would only bury it. */
function withoutStack<E extends Error>(err: E): E {
  err.stack = `${err.name}: ${err.message}`;
  return err;
}

/** A WDIO browser as a ProbeDriver. */
export function wdioDriver(b: WebdriverIO.Browser): ProbeDriver {
  const driver: ProbeDriver = {
    async open(url) {
      await b.url(url);
    },
    // The page's progress now: the same script, asked not to wait.
    pageProgress: () => driver.pageProgressWhenComplete!(0),
    // One asynchronous script that returns when the page sets data-complete (a MutationObserver), or after
    // waitMs; the script timeout (10 s) stays above the longest wait asked for (5 s slices).
    async pageProgressWhenComplete(waitMs) {
      return (await b.executeAsync(PROBE_PAGE_PROGRESS_WEBDRIVER, waitMs)) as PageProgress;
    },
  };
  return driver;
}

export { outcomeOf } from './handset-result.ts';

export class HandsetUnderTest {
  readonly handset: Handset;
  /** The handset's identifiers in every plain form, for masking report attachments. */
  private readonly secrets: readonly string[];
  private readonly client: CaptureClient;
  readonly session: Session;
  private check?: HandsetCheck;
  private error?: string;
  private judgement?: HandsetOutcome;
  private observed: Observed = { verdict: 'broken', probes: [] };

  private constructor(session: Session, handset: Handset) {
    this.session = session;
    this.handset = handset;
    this.secrets = needlesFor(handset.identity, handset.policy.country).secrets;
    const api = apiOf(session);
    this.client = new CaptureClient(
      api.url,
      api.apiKey,
      api.connection ? { connection: api.connection } : {},
    );
  }

  /** The handset this worker's browser session was started for. */
  static async fromBrowser(b: WebdriverIO.Browser): Promise<HandsetUnderTest> {
    const session = await currentSession();
    const id = b.requestedCapabilities[HANDSET_CAPABILITY];
    const handset = session.handsets.find((h) => h.id === id);
    if (!handset) throw new Error(`this worker's capabilities name no handset of the farm (${String(id)})`);
    const hut = new HandsetUnderTest(session, handset);
    // While WDIO starts the browser session, warm up this worker's HTTP client (Node loads fetch's
    // implementation on first use) with the endpoint's health check; its answer does not matter here.
    void hut.client.health();
    return hut;
  }

  /** Suite title: handset, bearer and APN, so that Allure history stays apart per handset and per APN. */
  get title(): string {
    const apn = this.handset.apn === undefined ? '' : ` APN ${this.handset.apn}`;
    return `${this.handset.id} on ${this.handset.bearer}${apn} (${this.handset.device})`;
  }

  /** A step of this handset's check, printed with --verbose only (the launcher prints progress otherwise). */
  log(line: string): void {
    if (this.session.plan.output === 'verbose') console.log(`[${this.handset.id}] ${maskDigitRuns(line)}`);
  }

  /** When this handset's `--handset-timeout` runs out (epoch ms), counted from its worker's start. */
  get deadline(): number {
    return performance.timeOrigin + (this.session.plan.handsetTimeoutS ?? DEFAULT_HANDSET_TIMEOUT_S) * 1000;
  }

  /**
   * The browser's page-load limit: 30 s, or less when the handset timeout is nearer, so that a page that never
   * loads does not hold the session (and the worker) past the handset's deadline.
   */
  pageLoadTimeoutMs(): number {
    return Math.max(1000, Math.min(30_000, Math.ceil(this.deadline - Date.now())));
  }

  /**
   * Run the check (one retry for infrastructure failures only, never for a leak) and write the result. The
   * handset has `--handset-timeout` seconds from its worker's start (session start included) to be judged;
   * past that it is broken, and its failure names the timeout and the last step reached.
   */
  async run(driver: ProbeDriver): Promise<void> {
    const startedAt = new Date().toISOString();
    const timeoutS = this.session.plan.handsetTimeoutS ?? DEFAULT_HANDSET_TIMEOUT_S;
    const deadline = this.deadline;
    let lastStep = 'browser session started';
    const log = (line: string) => {
      lastStep = line;
      this.log(line);
    };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
    });
    const checked = this.checkWithRetry(driver, log);
    const outcome = await Promise.race([checked, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      // The abandoned check may still finish; its result is ignored (a late pass must not count).
      checked.catch(() => {});
      this.check = undefined;
      this.error = `handset timeout: not judged within ${timeoutS} s of its worker's start (--handset-timeout); last step: ${lastStep}`;
      this.log(this.error);
      this.judgement = notChecked(this.error);
    } else {
      this.check = outcome.check;
      this.error = outcome.error;
      this.judgement = outcomeOf(this.check, outcome.partial, this.error);
    }
    this.compareWithBaseline(
      outcome === 'timeout' ? [] : (outcome.check?.observed ?? outcome.partial?.observed ?? []),
    );
    this.log(
      `verdict ${this.judgement.verdict.toUpperCase()} (${this.judgement.findings.length} finding(s))`,
    );
    await this.writeResult(startedAt, outcome === 'timeout' ? 1 : outcome.attempts);
  }

  /** An Android phone on a local Appium: what it says about Wi-Fi, mobile data and its SIM (adb). */
  private async deviceView(log: (line: string) => void): Promise<CheckOptions['device']> {
    const udid = androidUdid(this.handset, Boolean(this.handset.grid));
    if (!udid) return undefined;
    const offBearer = await androidOffBearer(udid, this.handset.policy.mccmnc);
    log(
      offBearer.length
        ? `phone ${udid}: ${offBearer.map((o) => o.evidence).join('; ')}`
        : `phone ${udid}: on a mobile connection of the bearer`,
    );
    return { offBearer };
  }

  private checkWithRetry(driver: ProbeDriver, log: (line: string) => void): Promise<CheckAttempts> {
    return withOneRetry(
      async () => {
        const device = await this.deviceView(log);
        return checkHandset(this.handset, driver, this.client, {
          ...DEFAULT_CHECK_OPTIONS,
          log,
          ...(device ? { device } : {}),
        });
      },
      (line) => this.log(line),
    );
  }

  /** Mark a run that threw before judging (the `before` hook's own failure) as broken, still writing a result. */
  async failBeforeJudging(err: unknown): Promise<void> {
    this.error = maskDigitRuns(describeError(err));
    this.judgement = notChecked(this.error);
    this.compareWithBaseline([]);
    await this.writeResult(new Date().toISOString(), 1);
  }

  /** Keep what was observed (the verdict before drift) and add the drift against `--baseline`, if given. */
  private compareWithBaseline(probes: ObservedProbe[]): void {
    this.observed = { verdict: this.judgement!.verdict, probes };
    this.judgement = againstBaseline(this.judgement!, this.observed, this.handset, this.session.plan);
  }

  private async writeResult(startedAt: string, attempts: number): Promise<void> {
    const judgement = this.judgement!;
    await writeHandsetResult(this.session.plan.runDir, {
      id: this.handset.id,
      bearer: this.handset.bearer,
      device: this.handset.device,
      verdict: judgement.verdict,
      findings: judgement.findings,
      checks: judgement.checks,
      ...(judgement.ipv6Path ? { ipv6Path: judgement.ipv6Path } : {}),
      failure: judgement.failure,
      probes: { planned: this.check?.run.plan.length ?? 0, captured: this.check?.captured ?? 0 },
      observed: this.observed,
      attempts,
      workerStartedAt: new Date(performance.timeOrigin).toISOString(),
      startedAt,
      finishedAt: new Date().toISOString(),
    });
  }

  ruleTitle(rule: RuleId): string {
    return `${rule}: ${ruleInfo(rule).title}`;
  }

  /** The body of one rule's test: Allure labels, then an assertion whose message is the masked finding. */
  async assertRule(rule: RuleId): Promise<'passed' | 'skipped'> {
    const findings = this.judgement?.findings.filter((f) => f.rule === rule) ?? [];
    await this.label(rule);
    await this.attachCaptures(rule, findings);
    const check = this.judgement?.checks.find((c) => c.rule === rule);
    if (!check) {
      throw withoutStack(new Error(`not checked: ${this.error ?? 'the handset could not be checked'}`));
    }
    if (check.status === 'passed' || check.status === 'skipped') return check.status;
    if (check.status === 'warned') {
      // `--drift warn`: the test passes, and the drift is listed on it.
      await addAttachment('drift (--drift warn)', findings.map(formatFinding).join('\n'), 'text/plain');
      return 'passed';
    }
    if (findings.length === 0) {
      // Broken without a finding of its own: the handset was not checked, or only on what arrived.
      const why = check.reason ?? 'not checked';
      throw withoutStack(new Error(this.check ? `[incomplete] ${why}` : why));
    }
    // The message is one line that reports group by; the details (every masked finding) are an attachment.
    // WebdriverIO's launcher prints each failing test's trace: with --verbose only is it every finding, so
    // the console shows each finding once (in the verdict table) by default.
    const summary = summariseFindings(findings);
    const details = findings.map(formatFinding).join('\n');
    await addAttachment('findings', details, 'text/plain');
    // Broken (a plain Error), not failed, when something could not be checked.
    const err = check.status === 'broken' ? new Error(summary) : new AssertionError({ message: summary });
    err.stack = this.session.plan.output === 'verbose' ? `${summary}\n${details}` : summary;
    throw err;
  }

  private async label(rule: RuleId): Promise<void> {
    const h = this.handset;
    await addEpic(h.policy.name);
    await addFeature(ruleInfo(rule).feature);
    await addStory(rule);
    // The rule's severity, whether it passed or failed: a passing identity-value test is still a blocker test.
    await addSeverity(ruleInfo(rule).severity);
    if (this.session.plan.tag) await addTag(this.session.plan.tag);
    if (this.session.plan.change) await addTag(`change:${this.session.plan.change}`);
    await addArgument('device', h.device);
    await addArgument('bearer', h.bearer);
    await addArgument('MCC-MNC', h.policy.mccmnc.join(', '));
    if (h.apn !== undefined) {
      await addArgument('APN', h.apn);
      await addLabel('apn', h.apn);
    }
    // One APN's history never mixes with another's: the APN is part of the id (none: as before).
    await addHistoryId(`${h.id}:${h.bearer}${h.apn === undefined ? '' : `/${h.apn}`}:${rule}`);
  }

  /**
   * Masked attachments, each an HTTP probe's capture beside its HTTPS twin: every probe on the coverage test,
   * and on a failing rule's test the probes its findings name.
   */
  private async attachCaptures(rule: RuleId, findings: readonly Finding[]): Promise<void> {
    if (!this.check) return;
    const { captures } = this.check;
    const named = new Set(findings.map((f) => f.probe));
    const shown = captures.filter((c) => (rule === 'incomplete' ? !c.tls : named.has(c.probe)));
    for (const c of shown) {
      const twin = captures.find((x) => x.probe === c.twin);
      await addAttachment(
        `probe ${c.probe}`,
        renderProbePairHtml(c, twin, this.judgement?.findings ?? [], this.secrets),
        'text/html',
      );
    }
  }
}

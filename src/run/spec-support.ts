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
  addSeverity,
  addStory,
  addTag,
} from '@wdio/allure-reporter';
import { CaptureClient } from '../capture/client/capture-client.ts';
import { needlesFor } from '../detect/index.ts';
import type { Handset } from '../farm/index.ts';
import { type Finding, type Judgement, RULE_IDS, type RuleId, type Severity } from '../model/finding.ts';
import { formatFinding, summariseFindings } from '../report/format-finding.ts';
import { renderProbePairHtml } from '../report/masked-capture.ts';
import { describeError } from '../shared/errors.ts';
import { maskDigitRuns } from '../shared/mask.ts';
import { HANDSET_CAPABILITY } from './capabilities.ts';
import {
  checkHandset,
  DEFAULT_CHECK_OPTIONS,
  type HandsetCheck,
  InfrastructureError,
  type PageProgress,
  type ProbeDriver,
} from './check-handset.ts';
import { brokenJudgement, writeHandsetResult } from './handset-result.ts';
import { DEFAULT_HANDSET_TIMEOUT_S } from './limits.ts';
import { apiOf, currentSession, type Session } from './session.ts';

/** The rules in the order the suite reports them: coverage first, so a broken run says so at the top. */
export const RULE_ORDER: readonly RuleId[] = ['incomplete', ...RULE_IDS.filter((r) => r !== 'incomplete')];

const RULE_TITLES: Record<RuleId, string> = {
  incomplete: 'every planned probe was captured',
  'identity-header': 'no identity header reaches the probe host',
  'identity-value': 'no known identifier reaches the probe host, in any form',
  'identity-like-value': 'no injected header carries an identifier-shaped value',
  'unexpected-injection': 'no header injected beyond the bearer allowlist',
  'partner-enrichment-missing': 'the partner host gets the enrichment the policy expects',
  spoofable: 'a client-sent identity header does not reach the partner host',
};

const RULE_FEATURE: Record<RuleId, string> = {
  incomplete: 'probe coverage',
  'identity-header': 'third-party probes',
  'identity-value': 'third-party probes',
  'identity-like-value': 'third-party probes',
  'unexpected-injection': 'HTTP vs HTTPS diff',
  'partner-enrichment-missing': 'partner probes',
  spoofable: 'partner probes',
};

const SEVERITY_RANK: Severity[] = ['trivial', 'minor', 'normal', 'critical', 'blocker'];

/** A finding is the whole story: a stack trace into our own code would only bury it. */
function withoutStack<E extends Error>(err: E): E {
  err.stack = `${err.name}: ${err.message}`;
  return err;
}

/** A WDIO browser as a ProbeDriver. */
export function wdioDriver(b: WebdriverIO.Browser): ProbeDriver {
  return {
    async open(url) {
      await b.url(url);
    },
    async pageProgress() {
      return b.execute(() => {
        const d = document.body?.dataset ?? {};
        return {
          complete: d.complete === 'true',
          done: Number(d.probesDone ?? 0),
          total: Number(d.probesTotal ?? 0),
        };
      });
    },
    // One asynchronous script that returns when the page sets data-complete (a MutationObserver), or after
    // waitMs; the script timeout (10 s) stays above the longest wait asked for (5 s slices).
    async pageProgressWhenComplete(waitMs) {
      return b.executeAsync((ms: number, finish: (p: PageProgress) => void) => {
        const progress = () => {
          const d = document.body?.dataset ?? {};
          return {
            complete: d.complete === 'true',
            done: Number(d.probesDone ?? 0),
            total: Number(d.probesTotal ?? 0),
          };
        };
        if (progress().complete || !document.body) {
          finish(progress());
          return;
        }
        const observer = new MutationObserver(() => {
          if (progress().complete) end();
        });
        const timer = setTimeout(() => end(), ms);
        function end() {
          observer.disconnect();
          clearTimeout(timer);
          finish(progress());
        }
        observer.observe(document.body, { attributes: true, attributeFilter: ['data-complete'] });
      }, waitMs);
    },
  };
}

export class HandsetUnderTest {
  readonly handset: Handset;
  /** The handset's identifiers in every plain form, for masking report attachments. */
  private readonly secrets: readonly string[];
  private readonly client: CaptureClient;
  readonly session: Session;
  private check?: HandsetCheck;
  private error?: string;
  private judgement?: Judgement;

  private constructor(session: Session, handset: Handset) {
    this.session = session;
    this.handset = handset;
    this.secrets = needlesFor(handset.identity, handset.policy.country).secrets;
    const api = apiOf(session);
    this.client = new CaptureClient(api.url, api.apiKey);
  }

  /** The handset this worker's browser session was started for. */
  static async fromBrowser(b: WebdriverIO.Browser): Promise<HandsetUnderTest> {
    const session = await currentSession();
    const id = (b.requestedCapabilities as Record<string, unknown>)[HANDSET_CAPABILITY];
    const handset = session.handsets.find((h) => h.id === id);
    if (!handset) throw new Error(`this worker's capabilities name no handset of the farm (${String(id)})`);
    const hut = new HandsetUnderTest(session, handset);
    // While WDIO starts the browser session, warm up this worker's HTTP client (Node loads fetch's
    // implementation on first use) with the endpoint's health check; its answer does not matter here.
    void hut.client.health();
    return hut;
  }

  /** Suite title: handset and bearer, so that Allure history stays apart per handset. */
  get title(): string {
    return `${this.handset.id} on ${this.handset.bearer} (${this.handset.device})`;
  }

  log(line: string): void {
    console.log(`[${this.handset.id}] ${maskDigitRuns(line)}`);
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
   * past that it is broken, and its finding names the timeout and the last step reached.
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
      this.judgement = brokenJudgement(this.error);
    } else {
      this.check = outcome.check;
      this.error = outcome.error;
      this.judgement = this.check?.judgement ?? brokenJudgement(this.error ?? 'not checked');
    }
    this.log(
      `verdict ${this.judgement.verdict.toUpperCase()} (${this.judgement.findings.length} finding(s))`,
    );
    await this.writeResult(startedAt, outcome === 'timeout' ? 1 : outcome.attempts);
  }

  private async checkWithRetry(
    driver: ProbeDriver,
    log: (line: string) => void,
  ): Promise<{ check?: HandsetCheck; error?: string; attempts: number }> {
    const client = this.client;
    let attempts = 0;
    let error: string | undefined;
    while (attempts < 2) {
      attempts++;
      try {
        const check = await checkHandset(this.handset, driver, client, { ...DEFAULT_CHECK_OPTIONS, log });
        return { check, attempts };
      } catch (err) {
        error = maskDigitRuns(describeError(err));
        this.log(`could not check (attempt ${attempts}): ${error}`);
        if (!(err instanceof InfrastructureError)) break;
      }
    }
    return { ...(error ? { error } : {}), attempts };
  }

  /** Mark a run that threw before judging (the `before` hook's own failure) as broken, still writing a result. */
  async failBeforeJudging(err: unknown): Promise<void> {
    this.error = maskDigitRuns(describeError(err));
    this.judgement = brokenJudgement(this.error);
    await this.writeResult(new Date().toISOString(), 1);
  }

  private async writeResult(startedAt: string, attempts: number): Promise<void> {
    const judgement = this.judgement!;
    await writeHandsetResult(this.session.plan.runDir, {
      id: this.handset.id,
      bearer: this.handset.bearer,
      device: this.handset.device,
      verdict: judgement.verdict,
      findings: judgement.findings,
      ...(this.error ? { error: this.error } : {}),
      probes: { planned: this.check?.run.plan.length ?? 0, captured: this.check?.captured ?? 0 },
      attempts,
      workerStartedAt: new Date(performance.timeOrigin).toISOString(),
      startedAt,
      finishedAt: new Date().toISOString(),
    });
  }

  ruleTitle(rule: RuleId): string {
    return `${rule}: ${RULE_TITLES[rule]}`;
  }

  /** The body of one rule's test: Allure labels, then an assertion whose message is the masked finding. */
  async assertRule(rule: RuleId): Promise<void> {
    const findings = this.judgement?.findings.filter((f) => f.rule === rule) ?? [];
    await this.label(rule, findings);
    await this.attachCaptures(rule, findings);
    if (!this.judgement || (this.judgement.verdict === 'broken' && !this.check)) {
      throw withoutStack(
        new Error(`[incomplete] not checked: ${this.error ?? 'the handset could not be checked'}`),
      );
    }
    if (findings.length === 0) return;
    // The message is one line that reports group by; the details (every masked finding) go in the trace.
    const summary = summariseFindings(findings);
    const details = findings.map(formatFinding).join('\n');
    // Broken (a plain Error), not failed, when something could not be checked.
    const err = rule === 'incomplete' ? new Error(summary) : new AssertionError({ message: summary });
    err.stack = `${summary}\n${details}`;
    throw err;
  }

  private async label(rule: RuleId, findings: readonly Finding[]): Promise<void> {
    const h = this.handset;
    await addEpic(h.policy.name);
    await addFeature(RULE_FEATURE[rule]);
    await addStory(rule);
    const worst = findings.reduce<Severity | undefined>(
      (w, f) => (!w || SEVERITY_RANK.indexOf(f.severity) > SEVERITY_RANK.indexOf(w) ? f.severity : w),
      undefined,
    );
    await addSeverity(worst ?? (rule.startsWith('identity') || rule === 'spoofable' ? 'critical' : 'normal'));
    if (this.session.plan.tag) await addTag(this.session.plan.tag);
    if (this.session.plan.change) await addTag(`change:${this.session.plan.change}`);
    await addArgument('device', h.device);
    await addArgument('bearer', h.bearer);
    await addArgument('MCC-MNC', h.policy.mccmnc.join(', '));
    await addHistoryId(`${h.id}:${h.bearer}:${rule}`);
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

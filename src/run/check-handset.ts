import type { CaptureClient, CreatedRun, RunCaptures } from '../capture/index.ts';
import { type EvaluationInput, evaluate, observedProbes, type ScanCapture } from '../detect/index.ts';
import type { Handset } from '../farm/index.ts';
import type { ObservedProbe } from '../model/baseline.ts';
import { isIpv6Probe } from '../model/capture.ts';
import type { Judgement } from '../model/finding.ts';
import { describeError } from '../shared/errors.ts';
import { maskDigitRuns } from '../shared/mask.ts';
import { mark } from './timing.ts';
import { toScanCaptures } from './to-scan-captures.ts';

export interface PageProgress {
  complete: boolean;
  done: number;
  total: number;
  /**
   * Set when the browser finished loading a page that is not the probe page (a gateway's error or block page,
   * a captive portal): its title or first words. Waiting longer cannot help.
   */
  foreign?: string;
}

/** What the check needs from a browser: open a URL, read the probe page's progress. */
export interface ProbeDriver {
  open(url: string): Promise<void>;
  pageProgress(): Promise<PageProgress>;
  /**
   * Optional: resolve with the progress as soon as the page reports completion, or after at most `waitMs`
   * (incomplete). Lets the check wait on the page's own event instead of polling it.
   */
  pageProgressWhenComplete?(waitMs: number): Promise<PageProgress>;
}

export interface CheckOptions {
  /** Bounded wait for the probe page to report completion. */
  pageTimeoutMs: number;
  /** Bounded wait for the server to have every planned probe, after the page finished (or gave up). */
  captureTimeoutMs: number;
  /** Longest pause between two polls; the first polls come sooner (5 ms, doubling up to this). */
  pollIntervalMs: number;
  /** Longest single wait on the page's own completion event (the whole wait is still pageTimeoutMs). */
  pageWaitSliceMs?: number;
  /** The handset's own view of its connection (Android over adb), judged with the captures. */
  device?: EvaluationInput['device'];
  log: (line: string) => void;
}

export const DEFAULT_CHECK_OPTIONS: CheckOptions = {
  pageTimeoutMs: 30_000,
  captureTimeoutMs: 10_000,
  pollIntervalMs: 250,
  pageWaitSliceMs: 5_000,
  log: () => {},
};

/** What the check needs from the capture endpoint's API (CaptureClient; a fake in unit tests). */
export type CaptureApi = Pick<CaptureClient, 'createRun' | 'getCaptures' | 'deleteRun'>;

/** Something outside the network under test failed (endpoint, browser, session): worth one retry. */
export class InfrastructureError extends Error {
  override name = 'InfrastructureError';
  /**
   * When the browser failed after the run was created: the judgement of whatever did reach the endpoint (its
   * missing probes are real `incomplete` findings, and a leak that arrived is still a leak).
   */
  partial?: HandsetCheck;
}

export interface HandsetCheck {
  judgement: Judgement;
  run: CreatedRun;
  captures: ScanCapture[];
  captured: number;
  /** The baseline view of the captures: injected and enrichment header names per probe (names only). */
  observed: ObservedProbe[];
  /** Why the probe page did not run, when the browser showed another page instead (masked). */
  foreignPage?: string;
}

/**
 * One handset's check: create a run, browse its probe plan, wait until the server has every probe (or time
 * out), judge. Fails closed: whatever was not captured becomes an `incomplete` finding, never a pass.
 */
export async function checkHandset(
  handset: Handset,
  driver: ProbeDriver,
  client: CaptureApi,
  options: CheckOptions = DEFAULT_CHECK_OPTIONS,
): Promise<HandsetCheck> {
  const run = await infra('capture endpoint', () =>
    client.createRun({
      handset: handset.id,
      bearer: handset.bearer,
      meta: { device: handset.device, ...(handset.apn !== undefined ? { apn: handset.apn } : {}) },
      ...(handset.policy.ipv6 === 'off' ? { ipv6: false } : {}),
    }),
  );
  options.log(`run created: ${run.plan.length} probes`);
  mark('run-created');
  try {
    try {
      await infra('browser', () => driver.open(run.startUrl));
    } catch (err) {
      (err as InfrastructureError).partial = await client
        .getCaptures(run.token)
        .then((records) => judgeRun(handset, run, records, options.device))
        .catch(() => undefined);
      throw err;
    }
    mark('page-opened');
    const slice = options.pageWaitSliceMs ?? 5_000;
    const pageDeadline = Date.now() + options.pageTimeoutMs;
    const waitOnPage = driver.pageProgressWhenComplete?.bind(driver);
    const page = await waitFor(
      options.pageTimeoutMs,
      options.pollIntervalMs,
      waitOnPage
        ? () => waitOnPage(Math.max(0, Math.min(slice, pageDeadline - Date.now())))
        : () => driver.pageProgress(),
      (p) => p.complete || p.foreign !== undefined,
    );
    mark('page-complete');
    const foreignPage = page.value?.foreign === undefined ? undefined : maskDigitRuns(page.value.foreign);
    options.log(
      page.value?.complete
        ? `probe page complete (${page.value.done}/${page.value.total})`
        : foreignPage !== undefined
          ? `the probe page did not load: the browser shows another page ('${foreignPage}')`
          : `probe page did not complete in ${options.pageTimeoutMs / 1000}s (${page.value?.done ?? 0}/${page.value?.total ?? '?'})`,
    );
    const captured = await waitFor(
      options.captureTimeoutMs,
      options.pollIntervalMs,
      () => infra('capture endpoint', () => client.getCaptures(run.token)),
      (c: RunCaptures) => c.complete || (page.value?.complete === true && onlyIpv6Absent(handset, c)),
    );
    if (captured.value === undefined)
      throw captured.lastError ?? new InfrastructureError('capture endpoint: no answer');
    const records = captured.value;
    mark('captures-complete');
    options.log(
      records.complete
        ? 'server has every planned probe'
        : `server is missing ${records.missing.length} probe(s)`,
    );
    const checked = judgeRun(handset, run, records, options.device);
    mark('judged');
    return foreignPage === undefined ? checked : { ...checked, foreignPage };
  } finally {
    // Captures are subscriber data: drop them as soon as they are judged (best effort; they expire anyway).
    await client.deleteRun(run.token).catch(() => {});
  }
}

/** A check's attempts: its judgement, or the error that stopped it (and what arrived before it did). */
export interface CheckAttempts {
  check?: HandsetCheck;
  partial?: HandsetCheck;
  error?: string;
  attempts: number;
}

/**
 * Run a check, and once more after an infrastructure failure only (never after a leak or a bug of ours). The
 * error is one masked line; `partial` is the judgement of what arrived before the last browser failure.
 */
export async function withOneRetry(
  attempt: () => Promise<HandsetCheck>,
  log: (line: string) => void,
): Promise<CheckAttempts> {
  let attempts = 0;
  let error: string | undefined;
  let partial: HandsetCheck | undefined;
  while (attempts < 2) {
    attempts++;
    try {
      return { check: await attempt(), attempts };
    } catch (err) {
      error = maskDigitRuns(describeError(err));
      log(`could not check (attempt ${attempts}): ${error}`);
      if (!(err instanceof InfrastructureError)) break;
      partial = err.partial;
    }
  }
  return { ...(error ? { error } : {}), ...(partial ? { partial } : {}), attempts };
}

/**
 * Whether all that is missing, once the page has finished, is the IPv6 path as a whole on a bearer where it is
 * optional: the endpoint commits a capture before answering it, so nothing more is on its way. Saves the
 * capture wait on a network without IPv6; one IPv6 probe in (a path that works) and the wait is as usual.
 */
function onlyIpv6Absent(handset: Handset, c: RunCaptures): boolean {
  if (handset.policy.ipv6 === 'required') return false;
  return c.missing.every(isIpv6Probe) && !c.captures.some((r) => isIpv6Probe(r.probe));
}

/** Judge a run's captures against its plan: whatever never arrived is `incomplete`. */
function judgeRun(
  handset: Handset,
  run: CreatedRun,
  records: RunCaptures,
  device: CheckOptions['device'],
): HandsetCheck {
  const captures = toScanCaptures(run.plan, records.captures);
  const input = {
    policy: handset.policy,
    identity: handset.identity,
    captures,
    plan: run.plan.map((p) => p.probe),
  };
  const judgement = evaluate({ ...input, canary: run.canary, ...(device ? { device } : {}) });
  const probesCaptured = new Set(records.captures.map((c) => c.probe)).size;
  return { judgement, run, captures, captured: probesCaptured, observed: observedProbes(input) };
}

async function infra<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new InfrastructureError(`${what}: ${maskDigitRuns(describeError(err))}`);
  }
}

/**
 * Poll until `done(value)` or the deadline, pausing 5 ms after the first poll and doubling up to `intervalMs`
 * (what is nearly there is seen at once; what takes long costs few polls). Errors of a poll are kept and
 * returned if no value ever came.
 */
async function waitFor<T>(
  timeoutMs: number,
  intervalMs: number,
  poll: () => Promise<T>,
  done: (value: T) => boolean,
): Promise<{ value: T | undefined; lastError?: unknown }> {
  const deadline = Date.now() + timeoutMs;
  let value: T | undefined;
  let lastError: unknown;
  let pause = Math.min(5, intervalMs);
  for (;;) {
    try {
      value = await poll();
      lastError = undefined;
      if (done(value)) return { value };
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) return { value, lastError };
    await new Promise((r) => setTimeout(r, Math.min(pause, Math.max(0, deadline - Date.now()))));
    pause = Math.min(pause * 2, intervalMs);
  }
}

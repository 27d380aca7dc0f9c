import { describeError, UserError } from '../shared/errors.ts';
import { maskDigitRuns } from '../shared/mask.ts';
import type { NotificationPayload } from './payload.ts';

/**
 * POSTing a notification to a `--notify` webhook: 3 tries with a bounded backoff, each try bounded by a
 * timeout. A webhook that fails is reported as a line for the log and never throws: a notification never
 * changes a run's verdict or exit code. Webhook URLs carry their secret in the path or query (Slack, Teams),
 * so a URL is only ever shown as `scheme://host[:port]/…`.
 */

export interface WebhookOptions {
  tries?: number;
  /** Wait before try 2, doubled before each later try. */
  backoffMs?: number;
  /** One try gives up after this long. */
  timeoutMs?: number;
}

export const WEBHOOK_DEFAULTS = { tries: 3, backoffMs: 1000, timeoutMs: 10_000 } as const;

/** `https://hooks.slack.com/…`: scheme, host and port only; never credentials, path or query. */
export function redactUrl(url: URL | string): string {
  try {
    const u = typeof url === 'string' ? new URL(url) : url;
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '(not a URL)';
  }
}

/** A `--notify` value as a URL; a UserError (exit 2) naming the problem, never the URL, when it is not one. */
export function parseWebhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError('--notify: not a URL (expected http://… or https://…)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UserError(`--notify: ${redactUrl(url)}: only http and https webhooks are supported`);
  return url;
}

export interface Delivery {
  /** The redacted URL. */
  target: string;
  ok: boolean;
  tries: number;
  /** Why the last try failed; undefined when delivered. */
  error?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Statuses worth another try: the receiver may get better (rate limits, server errors, timeouts). */
function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** POST the payload to one webhook. Never throws. */
export async function postNotification(
  url: URL,
  payload: NotificationPayload,
  options: WebhookOptions = {},
): Promise<Delivery> {
  const { tries, backoffMs, timeoutMs } = { ...WEBHOOK_DEFAULTS, ...options };
  const body = JSON.stringify(payload);
  const target = redactUrl(url);
  let error = 'not sent';
  for (let attempt = 1; attempt <= tries; attempt++) {
    if (attempt > 1) await sleep(backoffMs * 2 ** (attempt - 2));
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { target, ok: true, tries: attempt };
      error = `HTTP ${res.status}`;
      if (!retryable(res.status)) return { target, ok: false, tries: attempt, error };
    } catch (err) {
      error = errorWithoutUrl(err, url);
    }
  }
  return { target, ok: false, tries, error };
}

/** fetch's errors may quote the URL: keep only the reason. */
function errorWithoutUrl(err: unknown, url: URL): string {
  const cause = (err as { cause?: unknown }).cause;
  const reason =
    err instanceof Error && err.name === 'TimeoutError'
      ? 'timed out'
      : describeError(cause instanceof Error ? cause : err);
  return maskDigitRuns(reason.split(url.href).join(redactUrl(url)));
}

/** POST to every webhook at once; one line on stderr per webhook that failed. */
export async function notifyAll(
  urls: readonly URL[],
  payload: NotificationPayload,
  options: WebhookOptions = {},
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<Delivery[]> {
  const deliveries = await Promise.all(urls.map((u) => postNotification(u, payload, options)));
  for (const d of deliveries)
    if (!d.ok)
      log(
        `headerguard: notification (${payload.event}) to ${d.target} failed after ${d.tries} ${d.tries === 1 ? 'try' : 'tries'}: ${d.error}`,
      );
  return deliveries;
}

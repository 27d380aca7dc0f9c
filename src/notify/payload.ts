import type { Verdict } from '../model/finding.ts';
import { maskDigitRuns } from '../shared/mask.ts';
import type { NotifiableHandset, NotifiableSummary } from './run-facts.ts';

/**
 * The JSON a `--notify` webhook receives. `event` is `finished` for a plain `run`; `watch` sends `red`,
 * `broken` and `recovered` on a change of state. Everything comes from summary.json (already masked) and is
 * masked again on the way out; `text` is one line a Slack or Teams incoming webhook shows as it is.
 */
export type NotifyEvent = 'red' | 'broken' | 'recovered' | 'finished';

export interface NotifiedHandset {
  id: string;
  bearer: string;
  /** The handset's APN, when summary.json names one; null otherwise. */
  apn: string | null;
  verdict: Verdict;
  /** Rule ids with findings, in first-seen order. */
  rules: string[];
  /** Header names (lower-case) named by its findings, in first-seen order. */
  headers: string[];
}

export interface NotificationPayload {
  event: NotifyEvent;
  verdict: Verdict;
  farm: string | null;
  tag: string | null;
  change: string | null;
  runId: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** The run's report folder (absolute path), null when the run left none. */
  report: string | null;
  handsets: NotifiedHandset[];
  text: string;
}

/** What a notification is built from: a run's summary, or (no summary) what is known about a broken run. */
export interface RunFacts {
  summary?: NotifiableSummary;
  /** The run folder, when there is one. */
  report?: string;
  /** Used when there is no summary (the run crashed before writing one). */
  fallback?: { farm: string; startedAt: string; finishedAt: string; reason: string };
}

/** Rules whose finding means the header (or value) reached the third-party probe host. */
const REACHED_RULES = new Set([
  'identity-value',
  'identity-header',
  'identity-like-value',
  'spoofable',
  'unexpected-injection',
]);

/** Finding `header` values that name no header. */
const NO_HEADER = new Set(['', '(url)', '(none)']);

/** The header names (lower-case, once each) a handset's findings name, optionally only for some rules. */
export function headersOf(h: NotifiableHandset, rules?: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  for (const f of h.findings) {
    if (rules && !rules.has(f.rule)) continue;
    if (!NO_HEADER.has(f.header)) out.add(f.header.toLowerCase());
  }
  return [...out];
}

function notifiedHandset(h: NotifiableHandset): NotifiedHandset {
  return {
    id: h.id,
    bearer: h.bearer,
    apn: h.apn ?? null,
    verdict: h.verdict,
    rules: [...new Set(h.findings.map((f) => f.rule))],
    headers: headersOf(h),
  };
}

/** The payload for `event` about one run, masked. */
export function buildPayload(event: NotifyEvent, facts: RunFacts): NotificationPayload {
  const s = facts.summary;
  const verdict: Verdict = s?.verdict ?? 'broken';
  const payload: NotificationPayload = {
    event,
    verdict,
    farm: s?.farm ?? facts.fallback?.farm ?? null,
    tag: s?.tag ?? null,
    change: s?.change ?? null,
    runId: s?.runId ?? null,
    startedAt: s?.startedAt ?? facts.fallback?.startedAt ?? null,
    finishedAt: s?.finishedAt ?? facts.fallback?.finishedAt ?? null,
    report: facts.report ?? null,
    handsets: (s?.handsets ?? []).map(notifiedHandset),
    text: '',
  };
  payload.text = summaryLine(event, facts);
  return maskStrings(payload);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Up to three names, then `+N more`. */
function list(names: readonly string[]): string {
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} +${names.length - 3} more`;
}

/**
 * One line for a chat channel: `RED o2: x-up-calling-line-id reached the probe host on 3 handsets`,
 * `BROKEN o2: 1 of 3 handsets not checked (…)`, `RECOVERED o2: all 3 handsets pass`.
 */
export function summaryLine(event: NotifyEvent, facts: RunFacts): string {
  const s = facts.summary;
  const verdict: Verdict = s?.verdict ?? 'broken';
  const label = (event === 'finished' ? verdict : event).toUpperCase();
  const labels = [s?.tag, s?.change].filter((x): x is string => !!x);
  const farm = `${s?.farm ?? facts.fallback?.farm ?? 'farm'}${labels.length ? ` (${labels.join(', ')})` : ''}`;
  if (!s) return `${label} ${farm}: no result (${facts.fallback?.reason ?? 'the run left no summary'})`;
  const total = s.handsets.length;
  const failing = s.handsets.filter((h) => h.verdict === 'fail');
  const broken = s.handsets.filter((h) => h.verdict === 'broken');
  const parts: string[] = [];
  if (failing.length > 0) {
    const reached = [...new Set(failing.flatMap((h) => headersOf(h, REACHED_RULES)))];
    const reachedOn = failing.filter((h) => headersOf(h, REACHED_RULES).length > 0).length;
    if (reached.length > 0)
      parts.push(`${list(reached)} reached the probe host on ${plural(reachedOn, 'handset')}`);
    const other = new Map<string, number>();
    for (const h of failing)
      for (const rule of new Set(h.findings.map((f) => f.rule)))
        if (!REACHED_RULES.has(rule) && rule !== 'incomplete') other.set(rule, (other.get(rule) ?? 0) + 1);
    for (const [rule, n] of other) parts.push(`${rule} on ${plural(n, 'handset')}`);
  }
  if (broken.length > 0) {
    const why = broken[0]?.failure ?? 'not checked';
    parts.push(`${broken.length} of ${plural(total, 'handset')} not checked (${why})`);
  }
  if (parts.length === 0) parts.push(total === 0 ? 'no handsets' : `all ${plural(total, 'handset')} pass`);
  return `${label} ${farm}: ${parts.join('; ')}`.replace(/\s*\n\s*/g, ' ');
}

/** Every string in a JSON-like value through maskDigitRuns (summary.json is masked already: belt and braces). */
function maskStrings<T>(value: T): T {
  if (typeof value === 'string') return maskDigitRuns(value) as T;
  if (Array.isArray(value)) return value.map(maskStrings) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskStrings(v)])) as T;
  return value;
}

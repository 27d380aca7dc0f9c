/**
 * The one place that masks subscriber data. Reports, the console, logs, API errors and the simulator all call it.
 *
 * Identifiers keep a short head and tail so an engineer can tell which one leaked (`447700900123` →
 * `4477******23`); hashes and opaque tokens keep only a short prefix, since a 10-digit number space is cheap
 * to brute-force from a full hash.
 */

import { digitsOf } from './digits.ts';
import { RUN_ID_STAMP, RUN_ID_STAMP_LENGTH } from './run-id.ts';

const MASK = '*';

/** Mask an identifier-like string: first 4 and last 2 characters kept when it is long enough. */
export function maskIdentifier(value: string): string {
  const n = value.length;
  if (n >= 8) return value.slice(0, 4) + MASK.repeat(n - 6) + value.slice(-2);
  if (n >= 5) return value.slice(0, 2) + MASK.repeat(n - 3) + value.slice(-1);
  return MASK.repeat(n);
}

/** Mask a hash, token or encoded blob: a short prefix and the original length. */
export function maskOpaque(value: string, keep = 6): string {
  if (value.length <= keep) return MASK.repeat(value.length);
  return `${value.slice(0, keep)}…(${value.length} chars)`;
}

/**
 * Mask every run of 6 or more digits in free text (optionally with `+`, spaces, dots or dashes between them),
 * for log lines and error messages where the identifiers are not known. Runs that are plainly not subscriber
 * data stay readable: IPv4 addresses (`127.0.0.1`), the dates and times of timestamps and run ids
 * (`2026-12-01`, `T21-43-03-135Z`), and a run id's random part when it is all digits (`…-135Z-120117`).
 */
export function maskDigitRuns(text: string): string {
  // An address is its own token, even right after other digits and a space or bracket (`handset o2-pixel-7
  // (127.0.0.1:25874)` is no 7-digit number): the text between addresses is masked piece by piece.
  let out = '';
  let last = 0;
  for (const m of text.matchAll(IPV4_TOKEN)) {
    out += maskRunsIn(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + maskRunsIn(text.slice(last));
}

/**
 * A dotted-decimal IPv4 address in text: four octets of 0-255 without leading zeros (`077.009.001.23` is a
 * number written with dots), not touching another digit or dot.
 */
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4_TOKEN = new RegExp(`(?<![\\d.])(?:${OCTET}\\.){3}${OCTET}(?![\\d.])`, 'g');

function maskRunsIn(text: string): string {
  return text.replace(/\+?\d[\d .\-()]{4}[\d .\-()]*\d/g, (run, offset: number) => {
    const digits = digitsOf(run);
    if (
      digits.length < 6 ||
      isDate(run) ||
      isTimeOfDay(run, text[offset - 1]) ||
      isRunIdSuffix(run, text.slice(Math.max(0, offset - RUN_ID_STAMP_LENGTH), offset))
    )
      return run;
    return maskIdentifier(digits);
  });
}

/** `2026-12-02T18-22-36-930Z-` at the end: a run id's time stamp, before its six random hex digits. */
const BEFORE_RUN_ID_SUFFIX = new RegExp(`${RUN_ID_STAMP}$`);

/** A run id's random part that happens to be all digits (`…-930Z-120117`): six of them, right after the stamp. */
function isRunIdSuffix(run: string, before: string): boolean {
  return /^\d{6}$/.test(run) && BEFORE_RUN_ID_SUFFIX.test(before);
}

/** `2026-12-01`: a calendar date of this or the last century. */
function isDate(run: string): boolean {
  const m = /^(19|20)\d\d-(\d\d)-(\d\d)$/.exec(run);
  return m !== null && Number(m[2]) >= 1 && Number(m[2]) <= 12 && Number(m[3]) >= 1 && Number(m[3]) <= 31;
}

/** `21-43-03-135` right after a timestamp's `T` (run ids write times with dashes). */
function isTimeOfDay(run: string, before: string | undefined): boolean {
  const m = /^(\d\d)-(\d\d)-(\d\d)(?:-\d{3})?$/.exec(run);
  return before === 'T' && m !== null && Number(m[1]) < 24 && Number(m[2]) < 60 && Number(m[3]) < 61;
}

/**
 * Replace each occurrence of the given secrets (identifiers, tokens) in text by its masked form. Longest first,
 * so that a form inside a longer one (a national number inside its E.164 form) does not break the longer match.
 */
export function maskKnown(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  const longestFirst = secrets.filter((s): s is string => !!s).sort((a, b) => b.length - a.length);
  for (const s of longestFirst) {
    if (s.length < 4) continue;
    out = out.split(s).join(maskIdentifier(s));
  }
  return out;
}

/**
 * Mask runs of `min` or more consecutive digits (no separators), leaving shorter numbers such as version
 * strings (`Chrome/159.0.8154.6`) readable. For displaying captures whose known identifiers are already masked.
 */
export function maskLongDigitRuns(text: string, min = 9): string {
  return text.replace(new RegExp(`\\d{${min}}\\d*`, 'g'), (run) => maskIdentifier(run));
}

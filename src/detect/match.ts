import { digitsOf } from '../shared/digits.ts';
import { maskOpaque } from '../shared/mask.ts';
import type { Hit } from './hit.ts';
import type { Needles } from './needles.ts';

/**
 * Finds known identifiers in a piece of text (a header name, a header value, a URL), whatever the encoding:
 * plain digits with or without separators, URL-encoded (any depth), base64 / base64url of any string that holds
 * one (at any byte offset), hex of the ASCII digits, and MD5 / SHA-1 / SHA-256 digests in hex or base64.
 * Decoders compose: each decoded text is scanned again, to a bounded depth.
 */

const MAX_DEPTH = 4;
/*
 * Every pattern here runs on header values of any size. V8 keeps a backtrack entry per iteration of a
 * counted repeat (`x{32,}`) or a group repeat (`(?:…)*`), which overflows its stack on a run of a few MiB;
 * a fixed count followed by a plain star of one class (`x{32}x*`) needs none. Keep them in that form.
 */
const HEX_RUN = /[0-9a-fA-F]{32}[0-9a-fA-F]*/g;

/** Base64 alphabet (both variants) by char code. */
const B64_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-')
  B64_CHAR[c.charCodeAt(0)] = 1;
/** Separators allowed between the digits of a number: space, dot, dash, parentheses, no-break space. */
const isSep = (c: number) => c === 32 || c === 46 || c === 45 || c === 40 || c === 41 || c === 160;
const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Maximal runs of base64-alphabet characters at least `min` long. A hand-written scanner: about twice as fast
 * as the equivalent regular expression on header values, and this is the hottest loop of the engine.
 */
export function base64Runs(s: string, min: number): string[] {
  const out: string[] = [];
  let start = -1;
  const n = s.length;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : 0;
    if (c < 128 && B64_CHAR[c] === 1) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      if (i - start >= min) out.push(s.slice(start, i));
      start = -1;
    }
  }
  return out;
}

/**
 * Runs of at least `minDigits` digits, optionally led by `+`, with up to two separators between digits
 * (`+44 (0)7700 900123`, `07700-900-123`). Hand-written for the same reason as base64Runs.
 */
export function digitRuns(s: string, minDigits: number): string[] {
  const out: string[] = [];
  const n = s.length;
  let i = 0;
  while (i < n) {
    if (!isDigit(s.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i > 0 && s.charCodeAt(i - 1) === 43 ? i - 1 : i;
    let digits = 1;
    let end = i + 1;
    let j = end;
    while (j < n) {
      if (isDigit(s.charCodeAt(j))) {
        digits++;
        end = ++j;
        continue;
      }
      let k = j;
      while (k < n && k - j < 2 && isSep(s.charCodeAt(k))) k++;
      if (k > j && k < n && isDigit(s.charCodeAt(k))) {
        j = k;
        continue;
      }
      break;
    }
    if (digits >= minDigits) out.push(s.slice(start, end));
    i = end;
  }
  return out;
}
const HEX_TEXT_RUN = /[0-9a-fA-F]{20}[0-9a-fA-F]*/g;
const HEX_LETTER = /[a-fA-F]/;
const HASH_HEX_LENGTHS = [32, 40, 64];
const HASH_B64_LENGTHS = [22, 27, 43];

/** All hits in `text`. Cheap when nothing is there: one pass for digit runs, one for base64-like runs. */
export function findIdentifiers(text: string, needles: Needles): Hit[] {
  const hits: Hit[] = [];
  // Every form of an identifier (digits, base64, hex, digests, URL-encoding) is at least as long as its digits.
  if (needles.empty || text.length < needles.minDigits) return hits;
  scan(text, needles, [], 0, hits);
  return hits;
}

function scan(text: string, n: Needles, chain: string[], depth: number, hits: Hit[]): void {
  scanDigits(text, n, chain, depth, hits);
  if (text.length >= 12) scanRuns(text, n, chain, depth, hits);
  if (depth < MAX_DEPTH && text.indexOf('%') !== -1) {
    const decoded = percentDecode(text);
    if (decoded !== text) scan(decoded, n, [...chain, 'URL-encoded'], depth + 1, hits);
  }
}

function scanDigits(text: string, n: Needles, chain: string[], depth: number, hits: Hit[]): void {
  for (const raw of digitRuns(text, Math.min(6, n.minDigits))) {
    if (raw.length < n.minDigits) continue;
    const plus = raw.charCodeAt(0) === 43;
    const digits = digitsOf(raw);
    if (digits.length < n.minDigits) continue;
    const separators = digits.length !== raw.length - (plus ? 1 : 0);
    for (const d of n.digit) {
      const i = digits.indexOf(d.core);
      if (i === -1) continue;
      hits.push({
        kind: d.kind,
        masked: d.masked,
        form: d.classify(digits.slice(0, i), digits.slice(i + d.core.length), plus),
        chain,
        separators,
      });
    }
    // Hex of ASCII digits is itself a digit run (0x30–0x39): "3434…" → "44…".
    if (depth < MAX_DEPTH && digits.length >= 2 * n.minDigits && !separators) {
      for (let a = 0; a < 2; a++) {
        const dec = hexDigitsDecode(digits, a);
        if (dec.length >= n.minDigits)
          scanDigits(dec, n, [...chain, 'hex of the ASCII digits'], depth + 1, hits);
      }
    }
  }
}

/**
 * Decode the longest stretch of `3d` pairs from alignment `a` into digits ("3434" → "44"); `20` (a space) and
 * `28`/`29` (parentheses) are separators inside the stretch.
 */
function hexDigitsDecode(digits: string, a: number): string {
  let best = '';
  let cur = '';
  for (let i = a; i + 1 < digits.length; i += 2) {
    const hi = digits.charCodeAt(i);
    const lo = digits.charCodeAt(i + 1);
    if (hi === 51) cur += digits[i + 1];
    else if (hi === 50 && (lo === 48 || lo === 56 || lo === 57) && cur.length > 0) continue;
    else {
      if (cur.length > best.length) best = cur;
      cur = '';
    }
  }
  return cur.length > best.length ? cur : best;
}

function scanRuns(text: string, n: Needles, chain: string[], depth: number, hits: Hit[]): void {
  for (const run of base64Runs(text, 12)) {
    const urlSafe = run.indexOf('-') !== -1 || run.indexOf('_') !== -1;
    const std = urlSafe ? run.replace(/-/g, '+').replace(/_/g, '/') : run;
    const b64Name = urlSafe ? 'base64url' : 'base64';
    if (run.length >= 32) hexDigests(run, n, chain, hits);
    if (run.length >= 20 && depth < MAX_DEPTH) hexText(run, n, chain, depth, hits);
    if (run.length >= 22) b64Digests(std, n, chain, b64Name, hits);
    if (depth >= MAX_DEPTH) continue;
    // Decode from the start of the run, and from any offset where an aligned core says an identifier sits.
    const starts = [0];
    if (n.b64CoreRe && std.length >= 8) {
      // Searched from lastIndex, not on slices: a long run with many hits costs one pass, not one per hit.
      const re = n.b64CoreRe;
      re.lastIndex = 0;
      for (let m = re.exec(std); m && starts.length < 4; m = re.exec(std)) {
        if (!starts.includes(m.index % 4)) starts.push(m.index % 4);
        re.lastIndex = m.index + 1;
      }
    }
    for (const s of starts) {
      if (!looksLikeBase64OfText(std, s)) continue;
      const decoded = decodeBase64Text(std.slice(s));
      if (decoded !== undefined) scan(decoded, n, [...chain, b64Name], depth + 1, hits);
    }
  }
}

/**
 * Hex of ASCII text with letters in it (`2b` for '+', `2d` for '-', …): decode hex runs, at both alignments,
 * and scan the text again. All-digit hex (the digits alone) is handled by the digit-run scan.
 */
function hexText(run: string, n: Needles, chain: string[], depth: number, hits: Hit[]): void {
  for (const hex of run.match(HEX_TEXT_RUN) ?? []) {
    if (!HEX_LETTER.test(hex)) continue;
    for (let a = 0; a < 2; a++) {
      if (!looksLikeHexOfText(hex, a)) continue;
      const even = hex.length - a - ((hex.length - a) % 2);
      const decoded = printableText(Buffer.from(hex.slice(a, a + even), 'hex'));
      if (decoded !== undefined) scan(decoded, n, [...chain, 'hex of the ASCII text'], depth + 1, hits);
    }
  }
}

/** Hex of printable ASCII has a high nibble of 2–7 in every byte: check the first few before decoding. */
function looksLikeHexOfText(hex: string, a: number): boolean {
  const end = Math.min(hex.length - 1, a + 16);
  for (let i = a; i < end; i += 2) {
    const c = hex.charCodeAt(i);
    if (c < 50 || c > 55) return false;
  }
  return true;
}

function hexDigests(run: string, n: Needles, chain: string[], hits: Hit[]): void {
  for (const m of run.match(HEX_RUN) ?? []) {
    const hex = m.toLowerCase();
    // A digest is a whole hex run, or sits at either end of one (`<md5>` glued to other hex is not realistic).
    for (const len of HASH_HEX_LENGTHS) {
      if (len > hex.length) continue;
      const at = len === hex.length ? [0] : [0, hex.length - len];
      for (const i of at) {
        const digest = len === hex.length ? hex : hex.slice(i, i + len);
        const h = n.hashHex.get(digest);
        if (h) {
          hits.push({
            kind: h.kind,
            masked: h.masked,
            form: `${h.algo} (hex) of ${h.form}`,
            chain,
            digestPrefix: maskOpaque(digest),
          });
        }
      }
    }
  }
}

function b64Digests(std: string, n: Needles, chain: string[], name: string, hits: Hit[]): void {
  // Candidate windows start at the run's start or after a punctuation character, or end at its end or before
  // one: digests in tokens are delimited, and this keeps long cookie tokens cheap.
  const starts: number[] = [0];
  const ends: number[] = [std.length];
  for (let i = 0; i < std.length; i++) {
    const c = std.charCodeAt(i);
    if (c === 43 || c === 47) {
      starts.push(i + 1);
      ends.push(i);
    }
  }
  for (const len of HASH_B64_LENGTHS) {
    if (len > std.length) break;
    for (const s of starts) digestAt(std, s, len, n, chain, name, hits);
    for (const e of ends) if (e - len !== 0) digestAt(std, e - len, len, n, chain, name, hits);
  }
}

function digestAt(
  std: string,
  i: number,
  len: number,
  n: Needles,
  chain: string[],
  name: string,
  hits: Hit[],
) {
  if (i < 0 || i + len > std.length) return;
  if (!n.hashB64Heads.has(std.charCodeAt(i) * 128 + std.charCodeAt(i + 1))) return;
  const cand = i === 0 && len === std.length ? std : std.slice(i, i + len);
  const h = n.hashB64.get(cand);
  if (h) {
    hits.push({
      kind: h.kind,
      masked: h.masked,
      form: `${h.algo} (${name}) of ${h.form}`,
      chain,
      digestPrefix: maskOpaque(cand),
    });
  }
}

/**
 * Base64 of printable ASCII starts every 4-character group with one of `I`–`Z`, `a`–`f` (the top six bits of a
 * byte in 0x20–0x7e): checking the first groups rejects words and binary tokens before any decoding.
 */
function looksLikeBase64OfText(std: string, start: number): boolean {
  const end = Math.min(std.length - 4, start + 8);
  for (let i = start; i <= end; i += 4) {
    const c = std.charCodeAt(i);
    if (!((c >= 73 && c <= 90) || (c >= 97 && c <= 102))) return false;
  }
  return std.length - start >= 8;
}

/** Decode base64 (either alphabet) when the result is text; undefined for binary. */
function decodeBase64Text(b64: string): string | undefined {
  const usable = b64.length - (b64.length % 4 === 1 ? 1 : 0);
  return printableText(Buffer.from(b64.slice(0, usable), 'base64'));
}

/** Bytes as Latin-1 text when they are (nearly all) printable ASCII; undefined for binary. */
function printableText(buf: Buffer): string | undefined {
  if (buf.length < 4) return undefined;
  let bad = 0;
  const allowed = Math.max(1, buf.length >> 4);
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if (b < 0x20 || b > 0x7e) {
      if (b !== 9 && b !== 10 && b !== 13 && ++bad > allowed) return undefined;
    }
  }
  return buf.toString('latin1');
}

/** Value of a hex digit's char code, or -1. */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * Lenient percent-decoding (invalid escapes are left as they are; bytes map to Latin-1). A scanner writing
 * UTF-16 code units, so a value of millions of escapes makes a few strings, not one per escape.
 */
export function percentDecode(text: string): string {
  let i = text.indexOf('%');
  if (i === -1) return text;
  const out = new Uint16Array(text.length);
  for (let k = 0; k < i; k++) out[k] = text.charCodeAt(k);
  let o = i;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 37 && i + 2 < n) {
      const hi = hexValue(text.charCodeAt(i + 1));
      const lo = hi === -1 ? -1 : hexValue(text.charCodeAt(i + 2));
      if (lo !== -1) {
        out[o++] = hi * 16 + lo;
        i += 3;
        continue;
      }
    }
    out[o++] = c;
    i++;
  }
  const parts: string[] = [];
  for (let k = 0; k < o; k += 8192)
    parts.push(String.fromCharCode(...out.subarray(k, Math.min(o, k + 8192))));
  return parts.join('');
}

/** One human line for a hit: `MSISDN 4477******23 as E.164 with '+' (URL-encoded, with separators)`. */
export function describeHit(h: Hit): string {
  const notes: string[] = [];
  if (h.chain.length) notes.push(`decoded: ${h.chain.join(' → ')}`);
  if (h.separators) notes.push('with separators');
  const tail = notes.length ? ` (${notes.join(', ')})` : '';
  const digest = h.digestPrefix ? ` [digest ${h.digestPrefix}]` : '';
  return `${h.kind} ${h.masked} as ${h.form}${tail}${digest}`;
}

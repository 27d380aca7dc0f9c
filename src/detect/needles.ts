import { createHash } from 'node:crypto';
import type { Identity } from '../model/finding.ts';
import { luhnCheckDigit } from '../model/identity.ts';
import { maskIdentifier } from '../shared/mask.ts';
import type { Hit, IdKind } from './hit.ts';
import { countryInfo, parsePhone } from './phone.ts';

/**
 * Everything needed to find one handset's identifiers in text, computed once per identity and memoised:
 * the digit cores searched in digit runs, the hashes of every plain form, and base64 alignment cores.
 */

export type HashAlgo = 'MD5' | 'SHA-1' | 'SHA-256';

/** A digit string whose presence in a (separator-collapsed) digit run means the identifier is there. */
export interface DigitNeedle {
  kind: IdKind;
  core: string;
  /** Canonical identifier masked for evidence (`4477******23`). */
  masked: string;
  /** Describes which form the core was found in, from the digits around it. */
  classify(before: string, after: string, plus: boolean): string;
}

export interface HashNeedle {
  kind: IdKind;
  masked: string;
  algo: HashAlgo;
  /** The plain form that was hashed, e.g. `E.164 without '+'`. */
  form: string;
}

export interface Needles {
  digit: DigitNeedle[];
  /** Shortest digit core: runs with fewer digits cannot hold any identifier. */
  minDigits: number;
  /** Lower-case hex digest → what it is a hash of. */
  hashHex: Map<string, HashNeedle>;
  /** Standard-alphabet unpadded base64 digest → what it is a hash of. */
  hashB64: Map<string, HashNeedle>;
  /** First two characters of every base64 digest (`c0 * 128 + c1`): a cheap pre-check before slicing. */
  hashB64Heads: Set<number>;
  /**
   * Base64 of each digit core at the three byte alignments (standard alphabet, only the characters that
   * depend on the core alone): finds a core inside base64 of a longer string whatever its offset.
   */
  b64Cores: { needle: string; kind: IdKind }[];
  /** All of `b64Cores` as one alternation (one regex pass instead of one search per core); undefined if none. */
  /** Global (`g`): callers set `lastIndex` before searching. */
  b64CoreRe: RegExp | undefined;
  /** Every full identifier in every plain form, for masking free text. */
  secrets: string[];
  /** Digit strings of the known identifiers (canonical), to tell known values from merely shaped ones. */
  known: string[];
  empty: boolean;
  /** Scan results for header names (memoised by evaluate). */
  nameMemo: Map<string, Hit[]>;
}

const ALGOS: [HashAlgo, string][] = [
  ['MD5', 'md5'],
  ['SHA-1', 'sha1'],
  ['SHA-256', 'sha256'],
];

const cache = new Map<string, Needles>();
const CACHE_MAX = 256;

/** Needles for an identity (memoised per identity and country). */
export function needlesFor(identity: Identity, country: string): Needles {
  const key = `${country}|${identity.msisdn ?? ''}|${identity.imsi ?? ''}|${identity.imei ?? ''}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const built = buildNeedles(identity, country);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, built);
  return built;
}

function buildNeedles(identity: Identity, country: string): Needles {
  const digit: DigitNeedle[] = [];
  const hashForms: { kind: IdKind; masked: string; form: string; text: string }[] = [];
  const secrets: string[] = [];
  const known: string[] = [];

  let msisdn = identity.msisdn?.replace(/\D/g, '');
  if (msisdn && msisdn.length >= 6) {
    // parseIdentity gives E.164 digits; read them with the bearer's country first (libphonenumber strips a
    // leading calling code itself), then as international, so a raw national input still works here.
    const raw = identity.msisdn!.trim();
    let p = raw.startsWith('+') ? parsePhone(raw, country) : parsePhone(msisdn, country);
    if (!p?.isPossible()) p = parsePhone(`+${msisdn}`, country);
    if (p?.isPossible()) msisdn = p.number.slice(1);
    else p = undefined;
    const info = countryInfo(p?.country ?? country);
    const cc = p?.countryCallingCode ?? info?.cc ?? '';
    const nsn = p ? p.nationalNumber : cc && msisdn.startsWith(cc) ? msisdn.slice(cc.length) : msisdn;
    const nationalDigits = p?.formatNational().replace(/\D/g, '') ?? nsn;
    const trunk = nationalDigits.endsWith(nsn)
      ? nationalDigits.slice(0, nationalDigits.length - nsn.length)
      : '';
    const masked = maskIdentifier(msisdn);
    known.push(msisdn);
    digit.push({
      kind: 'MSISDN',
      core: nsn,
      masked,
      classify(before, _after, plus) {
        if (cc && before.endsWith(`00${cc}`)) return `00-prefixed international (00${cc}…)`;
        if (cc && before.endsWith(cc)) return plus && before === cc ? "E.164 with '+'" : "E.164 without '+'";
        if (cc && trunk && before.endsWith(cc + trunk))
          return `international with the trunk prefix (${cc}(${trunk})…)`;
        if (trunk && before.endsWith(trunk)) return `national with trunk prefix (${trunk}…)`;
        return 'national significant number';
      },
    });
    const forms: [string, string][] = [
      ["E.164 without '+'", msisdn],
      ["E.164 with '+'", `+${msisdn}`],
      ['00-prefixed', `00${msisdn}`],
      ['national significant number', nsn],
    ];
    if (trunk) forms.push(['national with trunk prefix', trunk + nsn]);
    if (p) {
      forms.push(['international format', p.formatInternational()]);
      forms.push(['national format', p.formatNational()]);
      forms.push(['tel: URI', p.format('RFC3966')]);
    }
    for (const [form, text] of forms) {
      hashForms.push({ kind: 'MSISDN', masked, form, text });
      secrets.push(text);
    }
  }

  const imsi = identity.imsi?.replace(/\D/g, '');
  if (imsi && imsi.length >= 6) {
    const masked = maskIdentifier(imsi);
    known.push(imsi);
    digit.push({ kind: 'IMSI', core: imsi, masked, classify: () => 'IMSI digits' });
    hashForms.push({ kind: 'IMSI', masked, form: 'IMSI digits', text: imsi });
    secrets.push(imsi);
  }

  const imei = identity.imei?.replace(/\D/g, '');
  if (imei && imei.length >= 14) {
    const core = imei.slice(0, 14);
    const check = imei.length === 15 ? imei[14]! : luhnCheckDigit(core);
    const full = core + check;
    const masked = maskIdentifier(imei.length === 16 ? imei : full);
    known.push(full, core);
    if (imei.length === 16) known.push(imei);
    digit.push({
      kind: 'IMEI',
      core,
      masked,
      classify(_before, after) {
        if (after.length >= 2 && after[0] !== check) return 'IMEISV (14-digit core + software version)';
        if (after[0] === check)
          return after.length === 1
            ? 'IMEI with check digit'
            : 'IMEI with check digit, inside a longer digit run';
        if (after.length >= 2) return 'IMEISV (14-digit core + software version)';
        return '14-digit IMEI core';
      },
    });
    const forms: [string, string][] = [
      ['IMEI with check digit', full],
      ['14-digit IMEI core', core],
    ];
    if (imei.length === 16) forms.push(['IMEISV', imei]);
    for (const [form, text] of forms) {
      hashForms.push({ kind: 'IMEI', masked, form, text });
      secrets.push(text);
    }
  }

  const hashHex = new Map<string, HashNeedle>();
  const hashB64 = new Map<string, HashNeedle>();
  for (const f of hashForms) {
    for (const [algo, nodeAlgo] of ALGOS) {
      const digest = createHash(nodeAlgo).update(f.text, 'utf8').digest();
      const needle: HashNeedle = { kind: f.kind, masked: f.masked, algo, form: f.form };
      hashHex.set(digest.toString('hex'), needle);
      hashB64.set(digest.toString('base64').replace(/=+$/, ''), needle);
    }
  }

  const hashB64Heads = new Set<number>();
  for (const k of hashB64.keys()) hashB64Heads.add(k.charCodeAt(0) * 128 + k.charCodeAt(1));

  const b64Cores: { needle: string; kind: IdKind }[] = [];
  for (const d of digit) {
    for (let k = 0; k < 3; k++) {
      const core = alignedBase64Core(d.core, k);
      if (core.length >= 8) b64Cores.push({ needle: core, kind: d.kind });
    }
  }

  return {
    digit,
    minDigits: digit.length ? Math.min(...digit.map((d) => d.core.length)) : Number.POSITIVE_INFINITY,
    hashHex,
    hashB64,
    hashB64Heads,
    b64Cores,
    b64CoreRe: b64Cores.length
      ? new RegExp(b64Cores.map((c) => c.needle.replace(/[+/]/g, (ch) => `\\${ch}`)).join('|'), 'g')
      : undefined,
    secrets: [...new Set(secrets)].sort((a, b) => b.length - a.length),
    known,
    empty: digit.length === 0,
    nameMemo: new Map(),
  };
}

/**
 * The base64 characters that encode `text` when it starts `k` bytes into the encoded string (k = 0, 1, 2),
 * keeping only the characters that depend on `text` alone.
 */
function alignedBase64Core(text: string, k: number): string {
  const bytes = Buffer.concat([Buffer.alloc(k, 0x41), Buffer.from(text, 'latin1')]);
  const enc = bytes.toString('base64');
  const start = k === 0 ? 0 : 4; // first group fully inside `text`
  const fullGroups = Math.floor(bytes.length / 3);
  return enc.slice(start, fullGroups * 4);
}

import { IMSI_DIGITS, luhnValid } from '../model/identity.ts';
import { digitsOf } from '../shared/digits.ts';
import { maskIdentifier } from '../shared/mask.ts';
import { digitRuns, percentDecode } from './match.ts';
import { type CountryInfo, countryInfo, isMobileShaped } from './phone.ts';

/**
 * Values shaped like a subscriber identifier of the bearer, for text the network injected: a mobile number of
 * the bearer's country (E.164 with or without `+`, `00`, national with trunk prefix, or the bare national
 * significant number; separators allowed), an IMSI starting with one of the bearer's MCC-MNCs, or a Luhn-valid
 * 15-digit IMEI. An IMEISV has no check digit, so it is matched only against a known IMEI (identity-value).
 */

export interface LikeHit {
  shape: 'mobile number' | 'IMSI' | 'IMEI';
  /** The digits as they matched (used to skip values that are known identifiers). */
  digits: string;
  description: string;
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

export function findLikeValues(text: string, country: string, mccmnc: readonly string[]): LikeHit[] {
  const info = countryInfo(country);
  const prefixes = mccmnc.map((m) => m.replace(/\D/g, ''));
  const out: LikeHit[] = [];
  const seen = new Set<string>();
  const texts = text.indexOf('%') === -1 ? [text] : [text, percentDecode(text)];
  for (const t of texts) {
    // Digits with up to two separators between them, led by an optional `+`: a scanner, not a regular
    // expression, since a group repeat overflows V8's backtrack stack on a value of a few MiB.
    for (const raw of digitRuns(t, 1)) {
      if (raw.length < 7 || IPV4.test(raw)) continue;
      const plus = raw.startsWith('+');
      const candidates = new Set<string>([digitsOf(raw)]);
      for (const part of digitGroups(raw, 7)) candidates.add(part);
      for (const digits of candidates) {
        const key = `${plus}|${digits}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const hit = classify(digits, plus, info, prefixes);
        if (hit) out.push(hit);
      }
    }
  }
  return out;
}

function classify(
  digits: string,
  plus: boolean,
  info: CountryInfo | undefined,
  mcc: string[],
): LikeHit | undefined {
  if (digits.length >= IMSI_DIGITS.min && digits.length <= IMSI_DIGITS.max) {
    const prefix = mcc.find((p) => p.length > 0 && digits.startsWith(p));
    if (prefix) {
      return {
        shape: 'IMSI',
        digits,
        description: `IMSI-shaped value of MCC-MNC ${prefix.slice(0, 3)}-${prefix.slice(3)}: ${maskIdentifier(digits)}`,
      };
    }
  }
  if (digits.length === 15 && luhnValid(digits)) {
    return {
      shape: 'IMEI',
      digits,
      description: `Luhn-valid 15-digit IMEI-shaped value: ${maskIdentifier(digits)}`,
    };
  }
  if (!info) return undefined;
  const readings: [string, string][] = [];
  if (digits.startsWith(`00${info.cc}`))
    readings.push(['00-prefixed international', digits.slice(2 + info.cc.length)]);
  if (digits.startsWith(info.cc)) {
    readings.push([plus ? "E.164 with '+'" : "E.164 without '+'", digits.slice(info.cc.length)]);
  }
  if (!plus) {
    if (info.trunk && digits.startsWith(info.trunk)) {
      readings.push([`national with trunk prefix ${info.trunk}`, digits.slice(info.trunk.length)]);
    }
    readings.push(['national significant number', digits]);
  }
  for (const [form, nsn] of readings) {
    if (isMobileShaped(nsn, info)) {
      return {
        shape: 'mobile number',
        digits: info.cc + nsn,
        description: `value shaped like a ${info.country} mobile number (${form}): ${maskIdentifier(info.cc + nsn)}`,
      };
    }
  }
  return undefined;
}

/** The unbroken digit groups of `raw` at least `min` long (`raw.split(/\D+/)` without a string per group). */
function digitGroups(raw: string, min: number): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i <= raw.length; i++) {
    const c = i < raw.length ? raw.charCodeAt(i) : 0;
    if (c >= 48 && c <= 57) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      if (i - start >= min) out.push(raw.slice(start, i));
      start = -1;
    }
  }
  return out;
}

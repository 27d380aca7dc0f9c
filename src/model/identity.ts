import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { unknownKey, wrongType } from '../shared/config-error.ts';
import { UserError } from '../shared/errors.ts';
import { maskDigitRuns, maskIdentifier } from '../shared/mask.ts';
import type { Identity } from './finding.ts';

/**
 * THE identity rules: what a valid subscriber identifier is and its canonical form. Farm validation, `scan`
 * input and the bearer simulator's options all call these (see docs/rules.md, "Identifiers").
 *
 * - **MSISDN** (ITU-T E.164): at most 15 digits, written with or without `+`, `00`-prefixed, or national with
 *   the trunk prefix (`07…` for GB); spaces, dots, dashes and parentheses are allowed. It must be a *possible*
 *   number (right length for its numbering plan: Ofcom's drama range 07700 900xxx is fine); digits without
 *   `+` are read as a number of the bearer's country first (libphonenumber also recognises a leading calling
 *   code: `447…`), then as E.164 without `+` (`12025550123`). Canonical: E.164 digits without `+`.
 * - **IMSI** (3GPP TS 23.003 §2.2): MCC (3 digits) + MNC (2–3) + MSIN, at most 15 digits in all. IMSIs in
 *   service have 15 digits, a few older ones 14; a shorter value is refused as a typo, since a short
 *   identifier would match unrelated digit runs. Canonical: the digits.
 * - **IMEI** (3GPP TS 23.003 §6.2): TAC (8) + serial number (6) + a Luhn check digit = 15 digits; the 14-digit
 *   core (check digit left off, as the network sends it) is accepted too. **IMEISV**: TAC + serial + software
 *   version (2) = 16 digits, no check digit. Canonical: the digits as given.
 *
 * Separators (spaces, dots, dashes) are allowed in IMSIs and IMEIs too. No message ever shows a whole
 * identifier: values are masked (`4477******23`).
 */

/** A rule's verdict on one value: its canonical form, or what is wrong with it (one line, masked). */
export type IdentifierCheck = { ok: true; value: string } | { ok: false; problem: string };

/** A bad identifier: one line, `<where>: <what is wrong>`, digit runs masked; exit code 2. */
export class IdentityError extends UserError {
  constructor(message: string) {
    super(maskDigitRuns(message.replace(/\s*\n\s*/g, ' ')));
    this.name = 'IdentityError';
  }
}

const E164_MAX_DIGITS = 15;
/** An IMSI's length in digits (see above). */
export const IMSI_DIGITS = { min: 14, max: 15 } as const;
const PHONE_SYNTAX = /^\+?[\d\s().-]+$/;
const SEPARATORS = /[\s().-]/g;

/** Check an MSISDN for `country` (ISO 3166 alpha-2, e.g. `GB`): E.164 digits without `+`, or the problem. */
export function checkMsisdn(text: string, country: string): IdentifierCheck {
  const cc = country.toUpperCase();
  if (!isSupportedCountry(cc)) return bad(`unknown country '${country}'`);
  const trimmed = text.trim();
  if (trimmed === '') return bad('is empty');
  if (!PHONE_SYNTAX.test(trimmed)) return bad("a phone number is digits, optionally with '+' and separators");
  let compact = trimmed.replace(SEPARATORS, '');
  if (compact.startsWith('00')) compact = `+${compact.slice(2)}`;
  const digits = compact.replace(/\D/g, '');
  const masked = maskIdentifier(digits);
  if (compact.startsWith('+') && digits.length > E164_MAX_DIGITS) {
    return bad(`an MSISDN has at most ${E164_MAX_DIGITS} digits (E.164), got ${digits.length} (${masked})`);
  }
  const readings = compact.startsWith('+') ? [compact] : [compact, `+${compact}`];
  for (const reading of readings) {
    const p = parsePhone(reading, cc);
    if (p?.isPossible()) return { ok: true, value: p.number.slice(1) };
  }
  return bad(`not a possible ${cc} phone number (${masked})`);
}

/** Check an IMSI: 14–15 digits (separators allowed). */
export function checkImsi(text: string): IdentifierCheck {
  const digits = digitsOf(text, 'an IMSI');
  if (!digits.ok) return digits;
  const n = digits.value.length;
  if (n < IMSI_DIGITS.min || n > IMSI_DIGITS.max) {
    const range = `${IMSI_DIGITS.min}–${IMSI_DIGITS.max}`;
    return bad(`an IMSI has ${range} digits (MCC + MNC + MSIN), got ${n} (${maskIdentifier(digits.value)})`);
  }
  return digits;
}

/** Check an IMEI (15 digits, Luhn-valid), its 14-digit core, or an IMEISV (16 digits). */
export function checkImei(text: string): IdentifierCheck {
  const digits = digitsOf(text, 'an IMEI');
  if (!digits.ok) return digits;
  const d = digits.value;
  if (d.length < 14 || d.length > 16) {
    return bad(
      `an IMEI has 15 digits (14 without its check digit; an IMEISV 16), got ${d.length} (${maskIdentifier(d)})`,
    );
  }
  if (d.length === 15 && !luhnValid(d)) {
    return bad(
      `the last digit of a 15-digit IMEI is its Luhn check digit, and ${maskIdentifier(d)} fails the check`,
    );
  }
  return digits;
}

/** Luhn check over a digit string (the IMEI check digit). */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}

/** The Luhn check digit that completes a 14-digit IMEI core. */
export function luhnCheckDigit(core: string): string {
  for (let c = 0; c <= 9; c++) if (luhnValid(core + c)) return String(c);
  return '0';
}

/** `checkMsisdn`, throwing `<where>: <problem>` as an IdentityError. */
export function normaliseMsisdn(text: string, country: string, where = 'msisdn'): string {
  return orThrow(checkMsisdn(text, country), where);
}

/** `checkImsi`, throwing `<where>: <problem>` as an IdentityError. */
export function normaliseImsi(text: string, where = 'imsi'): string {
  return orThrow(checkImsi(text), where);
}

/** `checkImei`, throwing `<where>: <problem>` as an IdentityError. */
function normaliseImei(text: string, where = 'imei'): string {
  return orThrow(checkImei(text), where);
}

const IDENTITY_KEYS = ['msisdn', 'imsi', 'imei'] as const;

/**
 * Validate a handset identity `{msisdn?, imsi?, imei?}` (farm files, scan inputs) for the bearer's `country`
 * and return it canonical. Throws a one-line IdentityError that names `where` and the field.
 */
export function parseIdentity(value: unknown, country: string, where: string): Identity {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new IdentityError(`${where}: ${wrongType('an object {msisdn?, imsi?, imei?}', value)}`);
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!(IDENTITY_KEYS as readonly string[]).includes(key)) {
      throw new IdentityError(`${where}.${key}: ${unknownKey(key, IDENTITY_KEYS)}`);
    }
  }
  const out: Identity = {};
  for (const key of IDENTITY_KEYS) {
    const v = obj[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw new IdentityError(`${where}.${key}: ${wrongType('a string', v)}`);
    if (key === 'msisdn') out.msisdn = normaliseMsisdn(v, country, `${where}.msisdn`);
    else if (key === 'imsi') out.imsi = normaliseImsi(v, `${where}.imsi`);
    else out.imei = normaliseImei(v, `${where}.imei`);
  }
  return out;
}

function digitsOf(text: string, what: string): IdentifierCheck {
  const cleaned = text.trim().replace(/[\s.-]/g, '');
  if (cleaned === '') return bad('is empty');
  if (!/^\d+$/.test(cleaned)) return bad(`${what} is digits only`);
  return { ok: true, value: cleaned };
}

function parsePhone(text: string, country: string) {
  try {
    return parsePhoneNumberFromString(text, country as CountryCode);
  } catch {
    return undefined;
  }
}

function bad(problem: string): IdentifierCheck {
  return { ok: false, problem };
}

function orThrow(check: IdentifierCheck, where: string): string {
  if (check.ok) return check.value;
  throw new IdentityError(`${where}: ${check.problem}`);
}

import {
  type CountryCode,
  getCountryCallingCode,
  isSupportedCountry,
  type NumberType,
  type PhoneNumber,
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
} from 'libphonenumber-js/max';
import { unknownKey, wrongType } from '../shared/config-error.ts';
import { UserError } from '../shared/errors.ts';
import { maskDigitRuns, maskIdentifier } from '../shared/mask.ts';
import type { Identity } from './finding.ts';
import { nationalPrefixOf } from './national-prefix.ts';

/**
 * THE identity rules: what a valid subscriber identifier is and its canonical form. Farm validation, `scan`
 * input and the bearer simulator's options all call these (see docs/rules.md, "Identifiers"). An identifier
 * belongs to a bearer: its country and its networks (MCC-MNC), so a typo that still looks like *a* number is
 * refused instead of being searched for (a search for the wrong number passes, whatever leaks).
 *
 * - **MSISDN** (ITU-T E.164): the subscriber's number in international form, with or without `+`, or
 *   `00`-prefixed; a national form only with its trunk prefix (`07700 900123` for GB). Spaces, dots, dashes
 *   and parentheses are allowed. It must be a valid *mobile* number of the bearer's country in libphonenumber's
 *   metadata (type MOBILE, or FIXED_LINE_OR_MOBILE where a plan cannot tell them apart); Ofcom's drama range
 *   07700 900000–900999, which the metadata does not list, counts as GB mobile. Canonical: E.164 digits
 *   without `+`.
 * - **IMSI** (3GPP TS 23.003 §2.2): MCC (3 digits) + MNC (2–3) + MSIN, at most 15 digits in all, starting with
 *   one of the bearer's MCC-MNCs. IMSIs in service have 15 digits, a few older ones 14; a shorter value is
 *   refused as a typo, since a short identifier would match unrelated digit runs. Canonical: the digits.
 * - **IMEI** (3GPP TS 23.003 §6.2): TAC (8) + serial number (6) + a Luhn check digit = 15 digits. **IMEISV**:
 *   TAC + serial + software version (2) = 16 digits, no check digit. Canonical: the digits as given.
 *
 * Separators (spaces, dots, dashes) are allowed in IMSIs and IMEIs too. No message ever shows a whole
 * identifier: values are masked (`4477******23`).
 */

/** A rule's verdict on one value: its canonical form, or what is wrong with it (one line, masked). */
export type IdentifierCheck = { ok: true; value: string } | { ok: false; problem: string };

/** What an identifier must belong to: the bearer's country (ISO 3166 alpha-2) and its networks (`234-10`). */
export interface IdentityBearer {
  country: string;
  mccmnc: readonly string[];
}

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
const MOBILE_TYPES: readonly (NumberType | undefined)[] = ['MOBILE', 'FIXED_LINE_OR_MOBILE'];
/** Ofcom's numbers for drama (TV, film, examples): 07700 900000–900999, mobile, never assigned. */
const GB_DRAMA_MOBILE = /^7700900\d{3}$/;
/**
 * A number nobody holds (Ofcom's drama range, as E.164 digits `447700900xxx`): test data, not subscriber data,
 * so it may be written into a farm file even for a real handset.
 */
export function isFictionalMsisdn(e164Digits: string): boolean {
  return /^447700900\d{3}$/.test(e164Digits);
}
const LENGTH_WORDS: Record<string, string> = { TOO_SHORT: 'too short', TOO_LONG: 'too long' };
const REGION_NAMES = new Intl.DisplayNames(['en'], { type: 'region' });

/**
 * Check an MSISDN for `country` (ISO 3166 alpha-2, e.g. `GB`): E.164 digits without `+`, or the problem, as
 * `expected <forms>, got <masked> (<why not>)`.
 */
export function checkMsisdn(text: string, country: string): IdentifierCheck {
  const cc = country.toUpperCase();
  if (!isSupportedCountry(cc)) return bad(`unknown country '${country}'`);
  const trimmed = text.trim();
  if (trimmed === '') return bad('is empty');
  const expected = `expected ${expectedMsisdn(cc)}`;
  if (!PHONE_SYNTAX.test(trimmed)) return bad(`${expected}; a phone number is digits, '+' and separators`);
  const compact = trimmed.replace(SEPARATORS, '');
  const digits = compact.replace(/\D/g, '');
  const got = (why: string) => bad(`${expected}, got ${maskIdentifier(digits)} (${why})`);
  const reading = readMsisdn(compact, cc);
  if (reading.international) {
    if (reading.digits.startsWith('0')) return got("after '+' or 00 comes a country calling code, not 0");
    if (reading.digits.length > E164_MAX_DIGITS)
      return got(`more than ${E164_MAX_DIGITS} digits, the E.164 maximum`);
  }
  const phone = parsePhone(reading.text, cc);
  if (!phone) return got('not a phone number');
  const callingCode = getCountryCallingCode(cc as CountryCode);
  if (phone.countryCallingCode !== callingCode) {
    return got(`a +${phone.countryCallingCode}${regionOf(phone)} number, not a +${callingCode} one`);
  }
  if (cc === 'GB' && GB_DRAMA_MOBILE.test(phone.nationalNumber))
    return { ok: true, value: phone.number.slice(1) };
  const length = validatePhoneNumberLength(phone.number);
  if (length !== undefined) {
    const n = phone.nationalNumber.length;
    return got(
      `${n} digit${n === 1 ? '' : 's'} after +${callingCode}: ${LENGTH_WORDS[length] ?? 'the wrong length'} for ${cc}`,
    );
  }
  if (!phone.isValid()) return got(`not in any ${cc} numbering range`);
  if (phone.country !== cc) return got(`a number of ${regionName(phone.country)}, not ${cc}`);
  const type = phone.getType();
  if (!MOBILE_TYPES.includes(type)) return got(`a ${typeName(type)} number, not a mobile one`);
  return { ok: true, value: phone.number.slice(1) };
}

/**
 * How the written number is read: `+…` and `00…` are international, a number that starts with the country's
 * trunk prefix (`0` for GB) is national, anything else is international without its `+`.
 */
function readMsisdn(compact: string, cc: string): { text: string; international: boolean; digits: string } {
  const intl = (digits: string) => ({ text: `+${digits}`, international: true, digits });
  if (compact.startsWith('+')) return intl(compact.slice(1));
  if (compact.startsWith('00')) return intl(compact.slice(2));
  const trunk = nationalPrefixOf(cc);
  if (trunk && compact.startsWith(trunk)) return { text: compact, international: false, digits: compact };
  return intl(compact);
}

/** `a GB mobile number (44…, +44…, 0044… or national 0…)`: the forms accepted for the country. */
function expectedMsisdn(cc: string): string {
  const code = getCountryCallingCode(cc as CountryCode);
  const trunk = nationalPrefixOf(cc);
  const national = trunk ? ` or national ${trunk}…` : '';
  return `a ${cc} mobile number (${code}…, +${code}…, 00${code}…${national})`;
}

function regionOf(phone: PhoneNumber): string {
  return phone.country ? ` (${phone.country})` : '';
}

function regionName(code: string | undefined): string {
  if (!code) return 'another country';
  const name = REGION_NAMES.of(code);
  return name && name !== code ? `${name} (${code})` : code;
}

/** `FIXED_LINE` → `fixed-line`, `VOIP` → `VoIP`; `undefined` (no type in the metadata) → `non-mobile`. */
function typeName(type: NumberType | undefined): string {
  if (type === undefined) return 'non-mobile';
  if (type === 'VOIP') return 'VoIP';
  if (type === 'UAN') return 'UAN (universal access)';
  return type.toLowerCase().replace(/_/g, '-');
}

/**
 * Check an IMSI against the bearer's networks (`mccmnc`, e.g. `['234-10']`): 14–15 digits (separators allowed)
 * that start with one of them.
 */
export function checkImsi(text: string, mccmnc: readonly string[]): IdentifierCheck {
  const digits = digitsOf(text, 'an IMSI');
  if (!digits.ok) return digits;
  const d = digits.value;
  const n = d.length;
  if (n < IMSI_DIGITS.min || n > IMSI_DIGITS.max) {
    const range = `${IMSI_DIGITS.min}–${IMSI_DIGITS.max}`;
    return bad(`an IMSI has ${range} digits (MCC + MNC + MSIN), got ${n} (${maskIdentifier(d)})`);
  }
  const networks = mccmnc.map((c) => c.replace(/\D/g, ''));
  if (!networks.some((net) => net.length >= 5 && d.startsWith(net))) {
    // `MCC 310 MNC 260`, not `310-260`: a six-digit run would be masked as if it were an identifier.
    const list = networks.map((n) => `MCC ${n.slice(0, 3)} MNC ${n.slice(3)}`).join(' or ');
    return bad(`expected an IMSI of the bearer's network (${list}), got ${maskIdentifier(d)}`);
  }
  return digits;
}

/** Check an IMEI (15 digits, the last a Luhn check digit) or an IMEISV (16 digits). */
export function checkImei(text: string): IdentifierCheck {
  const digits = digitsOf(text, 'an IMEI');
  if (!digits.ok) return digits;
  const d = digits.value;
  if (d.length !== 15 && d.length !== 16) {
    const hint = d.length === 14 ? '; write all 15, check digit included' : '';
    return bad(`expected an IMEI of 15 digits (an IMEISV 16), got ${d.length} (${maskIdentifier(d)})${hint}`);
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
export function normaliseImsi(text: string, mccmnc: readonly string[], where = 'imsi'): string {
  return orThrow(checkImsi(text, mccmnc), where);
}

const IDENTITY_KEYS = ['msisdn', 'imsi', 'imei'] as const;

/** One thing wrong with an identity: the field path below it (`msisdn`, `(top level)`) and the problem. */
export interface IdentityProblem {
  field: string;
  problem: string;
}

/**
 * Check a handset identity `{msisdn?, imsi?, imei?}` (farm files, scan inputs) against its bearer: the
 * canonical identity of the fields that passed, and every problem (one line each, masked).
 */
export function checkIdentity(
  value: unknown,
  bearer: IdentityBearer,
): { identity: Identity; problems: IdentityProblem[] } {
  const identity: Identity = {};
  const problems: IdentityProblem[] = [];
  if (value === undefined || value === null) return { identity, problems };
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ field: '', problem: wrongType('an object {msisdn?, imsi?, imei?}', value) });
    return { identity, problems };
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!(IDENTITY_KEYS as readonly string[]).includes(key)) {
      problems.push({ field: key, problem: unknownKey(key, IDENTITY_KEYS) });
    }
  }
  for (const key of IDENTITY_KEYS) {
    const v = obj[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') {
      problems.push({ field: key, problem: wrongType('a string', v) });
      continue;
    }
    const check =
      key === 'msisdn'
        ? checkMsisdn(v, bearer.country)
        : key === 'imsi'
          ? checkImsi(v, bearer.mccmnc)
          : checkImei(v);
    if (check.ok) identity[key] = check.value;
    else problems.push({ field: key, problem: maskDigitRuns(check.problem) });
  }
  return { identity, problems };
}

/**
 * Validate a handset identity for its bearer and return it canonical. Throws a one-line IdentityError that
 * names `where` and the field of the first problem.
 */
export function parseIdentity(value: unknown, bearer: IdentityBearer, where: string): Identity {
  const { identity, problems } = checkIdentity(value, bearer);
  const first = problems[0];
  if (first) throw new IdentityError(`${where}${first.field ? `.${first.field}` : ''}: ${first.problem}`);
  return identity;
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

import type { Identity } from '../model/finding.ts';
import { maskIdentifier } from '../shared/mask.ts';
import { DetectInputError } from './errors.ts';
import { countryInfo, parsePhone } from './phone.ts';

const KEYS = ['msisdn', 'imsi', 'imei'] as const;

/**
 * Validate a handset identity. MSISDNs must be *possible* numbers for `country` (not necessarily assigned:
 * Ofcom's drama range 07700 900xxx is fine) and come back as E.164 digits without `+`; IMSIs are 14–15
 * digits, IMEIs 14–16 (core, IMEI with check digit, or IMEISV); spaces, dashes and dots are allowed in input.
 * Throws a one-line DetectInputError that names `where` and never shows the whole identifier.
 */
export function parseIdentity(value: unknown, country: string, where: string): Identity {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new DetectInputError(`${where}: expected an object {msisdn?, imsi?, imei?}`);
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw new DetectInputError(`${where}.${key}: unknown key (expected msisdn, imsi or imei)`);
    }
  }
  const out: Identity = {};
  for (const key of KEYS) {
    const v = obj[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' || v.trim() === '') {
      throw new DetectInputError(`${where}.${key}: expected a non-empty string`);
    }
    if (key === 'msisdn') out.msisdn = normaliseMsisdn(v, country, `${where}.msisdn`);
    else if (key === 'imsi') out.imsi = digitsOnly(v, 14, 15, `${where}.imsi`, 'an IMSI');
    else out.imei = digitsOnly(v, 14, 16, `${where}.imei`, 'an IMEI');
  }
  return out;
}

function digitsOnly(v: string, min: number, max: number, where: string, what: string): string {
  const cleaned = v.trim().replace(/[\s.-]/g, '');
  if (!/^\d+$/.test(cleaned)) throw new DetectInputError(`${where}: ${what} is digits only`);
  if (cleaned.length < min || cleaned.length > max) {
    throw new DetectInputError(
      `${where}: ${what} has ${min}–${max} digits, got ${cleaned.length} (${maskIdentifier(cleaned)})`,
    );
  }
  return cleaned;
}

/** E.164 digits without `+`, or throws. */
export function normaliseMsisdn(v: string, country: string, where: string): string {
  const info = countryInfo(country);
  if (!info) throw new DetectInputError(`${where}: unknown country '${country}'`);
  const trimmed = v.trim();
  if (!/^\+?[\d\s().-]+$/.test(trimmed)) {
    throw new DetectInputError(`${where}: a phone number is digits, optionally with '+' and separators`);
  }
  let text = trimmed.replace(/[\s().-]/g, '');
  if (text.startsWith('00')) text = `+${text.slice(2)}`;
  const masked = maskIdentifier(text.replace(/\D/g, ''));
  const p = parsePhone(text, info.country);
  if (!p?.isPossible()) {
    throw new DetectInputError(`${where}: not a possible ${info.country} phone number (${masked})`);
  }
  return p.number.slice(1);
}

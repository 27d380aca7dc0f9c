/**
 * The simulated subscriber: identifier normalisation and the values a gateway derives from them.
 * Everything that could end up in a message is masked with src/shared/mask.ts.
 */
import { createHash } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { UserError } from '../shared/errors.ts';
import { maskIdentifier } from '../shared/mask.ts';

/**
 * Normalise an MSISDN to E.164 digits without "+": accepts `447700900123`, `+447700900123`, and — when the
 * bearer's country is given — the national form (`07700900123` for GB). Throws a one-line UserError.
 */
export function normaliseMsisdn(input: string, country?: 'GB'): string {
  const raw = input.trim();
  if (!/^\+?\d{8,15}$/.test(raw)) {
    throw new UserError(
      `--msisdn must be 8 to 15 digits with an optional leading "+" (got ${describeBad(raw)})`,
    );
  }
  let digits: string;
  if (raw.startsWith('+')) {
    digits = raw.slice(1);
  } else if (raw.startsWith('00')) {
    digits = raw.slice(2); // international call prefix
  } else if (raw.startsWith('0')) {
    if (!country) {
      throw new UserError(
        `--msisdn ${maskIdentifier(raw)} is in national form; give it in international form (E.164)`,
      );
    }
    const parsed = parsePhoneNumberFromString(raw, country);
    if (!parsed?.isPossible()) {
      throw new UserError(`--msisdn ${maskIdentifier(raw)} is not a possible ${country} number`);
    }
    digits = parsed.number.slice(1);
  } else {
    digits = raw;
  }
  if (!/^[1-9]\d{7,14}$/.test(digits)) {
    throw new UserError(
      `--msisdn ${maskIdentifier(raw)} is not an E.164 number (country code first, 8 to 15 digits)`,
    );
  }
  return digits;
}

/** Validate an IMSI: 6 to 15 digits (MCC, MNC, MSIN). Throws a one-line UserError. */
export function normaliseImsi(input: string): string {
  const raw = input.trim();
  if (!/^\d{6,15}$/.test(raw)) {
    throw new UserError(`--imsi must be 6 to 15 digits (got ${describeBad(raw)})`);
  }
  return raw;
}

/** A user's bad value, described without ever echoing a long digit run. */
function describeBad(raw: string): string {
  if (raw === '') return 'an empty value';
  const shown = raw.length > 24 ? `${raw.slice(0, 24)}…` : raw;
  return `"${shown.replace(/\d{4,}/g, (d) => maskIdentifier(d))}"`;
}

function digest(label: string, value: string): Buffer {
  return createHash('sha256').update(`headerguard-sim/${label}/`).update(value).digest();
}

/**
 * The subscriber's carrier-grade-NAT address (RFC 6598, 100.64.0.0/10), stable per subscriber: 22 bits of a
 * salted hash of the MSISDN, avoiding .0 and .255 in the last octet.
 */
export function cgnatAddress(msisdn: string): string {
  const h = digest('cgnat', msisdn);
  const bits = ((h[0]! << 16) | (h[1]! << 8) | h[2]!) & 0x3fffff;
  const second = 64 + (bits >> 16);
  const third = (bits >> 8) & 0xff;
  const fourth = 1 + ((bits & 0xff) % 254);
  return `100.${second}.${third}.${fourth}`;
}

/** The fixed salt of the tracking id (public: the simulator is a test double, not a secret). */
export const TRACKING_SALT = 'headerguard-sim/x-uidh/v1';

/** A stable X-UIDH-style tracking id: base64 of SHA-256(salt ‖ MSISDN). Not reversible without the salt. */
export function trackingId(msisdn: string): string {
  return createHash('sha256').update(TRACKING_SALT).update(msisdn).digest('base64');
}

/** The `encoded` fault's forms of the number: base64 of the E.164 digits, and their SHA-256 in hex. */
export function encodedForms(msisdn: string): { base64: string; sha256Hex: string } {
  return {
    base64: Buffer.from(msisdn, 'utf8').toString('base64'),
    sha256Hex: createHash('sha256').update(msisdn).digest('hex'),
  };
}

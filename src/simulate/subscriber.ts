/**
 * The simulated subscriber: the values a gateway derives from the subscriber's identifiers (validated by
 * src/model/identity.ts). Nothing here echoes an identifier.
 */
import { createHash } from 'node:crypto';

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
const TRACKING_SALT = 'headerguard-sim/x-uidh/v1';

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

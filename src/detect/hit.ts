/**
 * What the identifier search reports. Its own module so that the needles (which memoise hits per header name)
 * and the matcher (which produces them) both depend on it and not on each other.
 */

/** Which kind of subscriber identifier a needle or a hit is about. */
export type IdKind = 'MSISDN' | 'IMSI' | 'IMEI';

/** One known identifier found in a piece of text. */
export interface Hit {
  kind: IdKind;
  /** Masked canonical identifier. */
  masked: string;
  /** Which plain form, e.g. `E.164 with '+'`, or `SHA-256 (hex) of E.164 without '+'`. */
  form: string;
  /** Encodings peeled off, outermost first (e.g. `URL-encoded`, `base64url`). */
  chain: string[];
  /** For hashes: a short prefix of the digest, never the whole of it. */
  digestPrefix?: string;
  separators?: boolean;
}

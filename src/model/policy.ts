import { isSupportedCountry } from 'libphonenumber-js/max';
import { z } from 'zod';

/**
 * The bearer policy as data: its schema (what users write in bearers/*.ts, farm files and scan inputs) and its
 * resolved shape. Validation and inheritance live in src/detect/policy.ts; see docs/bearers.md.
 *
 * MCC-MNC is written `MCC-MNC` (`234-10`); input may also say `23410` or `234 10`. A five-digit input is read
 * as a 3-digit MCC and a 2-digit MNC, a six-digit one as a 3-digit MNC.
 */

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const headerName = z.string().regex(HEADER_NAME, 'not a valid header name');
const mccmnc = z.string().regex(/^\s*\d{3}[-\s]?\d{2,3}\s*$/, "not an MCC-MNC (write '234-10' or '23410')");

const attestSchema = z.strictObject({
  remoteCidrs: z
    .array(z.union([z.cidrv4(), z.cidrv6()], { error: 'not an IPv4 or IPv6 CIDR range' }))
    .optional(),
  viaPattern: z
    .string()
    .min(1)
    .refine(
      (s) => {
        try {
          new RegExp(s);
          return true;
        } catch {
          return false;
        }
      },
      { error: 'not a valid regular expression' },
    )
    .optional(),
});

/** Whether the bearer's IPv6 path must be checked (`required`), is checked when it works (`optional`), or not. */
export const IPV6_MODES = ['required', 'optional', 'off'] as const;
export type Ipv6Mode = (typeof IPV6_MODES)[number];

const APN_NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/i;

/** The fields one APN of a bearer may override (an enrichment rule is configured per APN on the gateway). */
const apnOverrideFields = {
  allowInjected: z.array(headerName).optional(),
  partnerEnrichment: z.array(headerName).optional(),
  attest: attestSchema.optional(),
  ipv6: z.enum(IPV6_MODES).optional(),
};

export const apnOverrideSchema = z.strictObject(apnOverrideFields);

export const policySchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'ids are letters, digits, dots, dashes and underscores'),
  name: z.string().min(1).optional(),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'a two-letter ISO 3166 country code')
    .refine((c) => isSupportedCountry(c.toUpperCase()), {
      error: 'not a country the phone-number library knows',
    })
    .optional(),
  mccmnc: z.array(mccmnc).optional(),
  parent: z.string().min(1).optional(),
  ...apnOverrideFields,
  apns: z
    .record(
      z.string().regex(APN_NAME, 'APN names are letters, digits, dots, dashes and underscores'),
      apnOverrideSchema,
    )
    .optional(),
});

/** A bearer policy as users write it (bearers/*.ts, farm files, scan inputs). */
export type PolicyInput = z.input<typeof policySchema>;

/** A resolved policy: inheritance applied, defaults filled, header names lower-case, MCC-MNC as `234-10`. */
export interface BearerPolicy {
  id: string;
  name: string;
  country: string;
  mccmnc: string[];
  parent?: string;
  allowInjected: string[];
  partnerEnrichment: string[];
  attest?: { remoteCidrs?: string[]; viaPattern?: string };
  /** Default `optional`: IPv6 probes that never arrive leave the IPv6 path "not checked" (not broken). */
  ipv6: Ipv6Mode;
  /** Per-APN overrides, as written (resolved per handset by `policyForApn`). */
  apns?: Record<string, ApnOverride>;
  /** Set on a policy resolved for one APN (`policyForApn`). */
  apn?: string;
}

/** One APN's overrides of its bearer's policy. */
export type ApnOverride = z.output<typeof apnOverrideSchema>;

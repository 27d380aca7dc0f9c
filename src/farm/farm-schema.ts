import { z } from 'zod';

/**
 * The farm file's user-facing shape (docs/farms.md). One schema, validated once by `loadFarm`;
 * cross-field rules (duplicate ids, bearers, identities, devices) live in `validate-farm.ts`.
 */

/** A literal value, or `env:VAR` to read it from the environment when the farm loads. */
const envOrLiteral = z.string().min(1, 'must not be empty');

const identitySchema = z.strictObject({
  msisdn: envOrLiteral.optional(),
  imsi: envOrLiteral.optional(),
  imei: envOrLiteral.optional(),
});

export const handsetSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, dot, dash or underscore'),
  bearer: z.string().min(1, 'must name a bearer'),
  identity: identitySchema.default({}),
  /** A Playwright device descriptor name, e.g. "Pixel 7": local Chromium with that mobile emulation. */
  emulate: z.string().min(1).optional(),
  /** `sim:<bearer>[:<fault>][@<egress>]`, `http://host:port` (a gateway the user runs) or `direct`. */
  proxy: z.string().min(1).optional(),
  /** W3C + `appium:` capabilities for a real handset through Appium or a grid. */
  appium: z.record(z.string(), z.unknown()).optional(),
  /** Display name of the device for reports (defaults to `emulate` or the Appium device name). */
  device: z.string().min(1).optional(),
  /**
   * The APN the handset's data session uses (O2 UK: separate internet, WAP and prepaid APNs, each with its own
   * enrichment rules): selects the bearer policy's `apns[<apn>]` overrides and keeps its reports apart.
   */
  apn: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be 1-100 letters, digits, dot, dash or underscore')
    .optional(),
});

const gridSchema = z.strictObject({
  protocol: z.enum(['http', 'https']).default('http'),
  hostname: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  path: z.string().default('/'),
  user: z.string().optional(),
  key: z.string().optional(),
});

/** A deployed capture endpoint instead of the embedded one. */
export const captureSchema = z.strictObject({
  /** Base URL of the endpoint's API, e.g. `https://hg.example.net:8443`. */
  url: z.string().min(1),
  /** The API key, normally `env:VAR`. */
  apiKey: envOrLiteral,
  /** Accept a self-signed certificate on the endpoint's HTTPS probes (default false). */
  acceptInsecureCerts: z.boolean().default(false),
});

export const farmSchema = z.strictObject({
  name: z.string().min(1),
  grid: gridSchema.optional(),
  capture: captureSchema.optional(),
  /** Bearer policies to add, or to override built-ins by id (validated by the verdict engine's schema). */
  bearers: z.array(z.unknown()).default([]),
  handsets: z.array(handsetSchema).min(1, 'must list at least one handset'),
});

export type FarmInput = z.input<typeof farmSchema>;
export type FarmOutput = z.output<typeof farmSchema>;
export type ParsedHandset = z.output<typeof handsetSchema>;

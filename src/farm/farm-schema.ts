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

/** A Selenium Grid 4 hub, an appium-device-farm hub or a device cloud (WebDriver endpoint). */
export const gridSchema = z.strictObject({
  protocol: z.enum(['http', 'https']).default('http'),
  hostname: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  path: z.string().default('/'),
  user: z.string().optional(),
  /** The hub's access key, normally `env:VAR`. */
  key: envOrLiteral.optional(),
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
   * The hub this handset's session goes to (an emulated handset's Chromium on a Grid node, or a real phone
   * behind a hub); default: the farm's `grid` for `appium` handsets, the run's own chromedriver for `emulate` ones.
   */
  grid: gridSchema.optional(),
  /**
   * The APN the handset's data session uses (O2 UK: separate internet, WAP and prepaid APNs, each with its own
   * enrichment rules): selects the bearer policy's `apns[<apn>]` overrides and keeps its reports apart.
   */
  apn: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be 1-100 letters, digits, dot, dash or underscore')
    .optional(),
});

/** A deployed capture endpoint instead of the embedded one. */
export const captureSchema = z.strictObject({
  /** Base URL of the endpoint's API, e.g. `https://hg.example.net:8443`. */
  url: z.string().min(1),
  /** The API key, normally `env:VAR`. */
  apiKey: envOrLiteral,
  /**
   * Accept the endpoint's certificate unchecked, in the browser (HTTPS probes) and the API client alike
   * (default false: checked).
   */
  acceptInsecureCerts: z.boolean().default(false),
  /** PEM file (relative to the farm file) of a private CA, or of the endpoint's own certificate, to trust. */
  ca: z.string().min(1).optional(),
  /**
   * Host names resolved without DNS (host -> IP address), for the browser (Chromium's host-resolver rules), the
   * bearer simulators and the API client: a lab endpoint's `probe.hg.test` / `partner.hg.test` where it runs.
   */
  resolve: z.record(z.string(), z.string()).optional(),
  /** The endpoint's partner host (its `--partner-host`): where simulated gateways enrich. Default partner.localhost. */
  partnerHost: z.string().min(1).optional(),
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

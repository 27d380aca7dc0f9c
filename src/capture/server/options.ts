/** Validation and defaults for `CaptureServerOptions`, shared by `startCaptureServer` and `headerguard serve`. */
import { isIP } from 'node:net';
import { z } from 'zod';
import { UserError } from '../../shared/errors.ts';
import type { CaptureServerOptions } from '../types.ts';

export const DEFAULTS = {
  bindAddress: '0.0.0.0',
  probeHost: 'probe.localhost',
  partnerHost: 'partner.localhost',
  retentionMs: 24 * 3600_000,
  purgeIntervalMs: 60_000,
  maxCapturesPerRun: 2000,
} as const;

/**
 * How long a client may hold a connection without completing a request, per listener (docs/capture-endpoint.md,
 * "bad input"). Node enforces `headersMs` and `requestMs` on HTTP/1 (the HTTPS listener's HTTP/1.1 included) at
 * each `checkIntervalMs`; `idleMs` closes idle keep-alive connections and idle h2 sessions; `handshakeMs` bounds
 * a TLS handshake. Tests pass shorter ones.
 */
export interface ConnectionTimeouts {
  headersMs: number;
  requestMs: number;
  idleMs: number;
  handshakeMs: number;
  checkIntervalMs: number;
}

export const DEFAULT_TIMEOUTS: ConnectionTimeouts = {
  headersMs: 30_000,
  requestMs: 60_000,
  idleMs: 30_000,
  handshakeMs: 10_000,
  checkIntervalMs: 30_000,
};

/** Captures are subscriber data: nothing is kept longer than this. */
export const MAX_RETENTION_MS = 7 * 24 * 3600_000;

/** Request header block limit (request line included) on every listener; larger gets 431. */
export const MAX_HEADER_BYTES = 64 * 1024;

/** Largest API request body; larger gets 413. */
export const MAX_BODY_BYTES = 64 * 1024;

const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

export function isHostName(value: string): boolean {
  return HOSTNAME.test(value) || isIP(value) !== 0;
}

/** An API key travels in a header: printable ASCII without spaces. */
export const API_KEY = /^[\x21-\x7e]{1,4096}$/;

export const portSchema = z.number().int().min(0).max(65535);
export const hostSchema = z.string().refine(isHostName, 'must be a host name or an IP address');
export const apiKeySchema = z
  .string()
  .regex(API_KEY, 'must be 1 to 4096 printable characters without spaces');
export const retentionSchema = z.number().int().min(1).max(MAX_RETENTION_MS);

const optionsSchema = z.object({
  httpPort: portSchema,
  altPort: portSchema,
  httpsPort: portSchema,
  bindAddress: hostSchema.optional(),
  bindAddress6: z
    .string()
    .refine((v) => isIP(v) === 6, 'must be an IPv6 address')
    .optional(),
  probeHost: hostSchema,
  probeHostV6: z
    .string()
    .transform((v) => v.replace(/^\[(.*)\]$/, '$1'))
    .refine(isHostName, 'must be a host name or an IPv6 address')
    .optional(),
  partnerHost: hostSchema,
  dbPath: z.string().min(1, 'must not be empty'),
  apiKey: apiKeySchema,
  retentionMs: retentionSchema,
  tlsCert: z.string().optional(),
  tlsKey: z.string().optional(),
  purgeIntervalMs: z.number().int().min(10).max(MAX_RETENTION_MS).optional(),
  maxCapturesPerRun: z.number().int().min(1).optional(),
  metricsListen: z.strictObject({ host: hostSchema, port: portSchema }).optional(),
  apiListen: z.strictObject({ host: hostSchema, port: portSchema }).optional(),
  timeouts: z
    .strictObject({
      headersMs: z.number().int().min(100),
      requestMs: z.number().int().min(100),
      idleMs: z.number().int().min(100),
      handshakeMs: z.number().int().min(100),
      checkIntervalMs: z.number().int().min(100),
    })
    .partial()
    .optional(),
});

export interface ResolvedOptions extends CaptureServerOptions {
  bindAddress: string;
  /** Whether `bindAddress6` was the implicit default (`::`): a machine without IPv6 then only warns. */
  bindAddress6Implicit: boolean;
  purgeIntervalMs: number;
  maxCapturesPerRun: number;
  timeouts: ConnectionTimeouts;
}

/** Check options and fill defaults; UserError naming the first bad option otherwise. */
export function resolveOptions(options: CaptureServerOptions): ResolvedOptions {
  const { logger, ...plain } = options;
  const parsed = optionsSchema.safeParse(plain);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`capture endpoint option ${issue.path.join('.')} ${issue.message}`);
  }
  const o = parsed.data;
  const probeHost = o.probeHost.toLowerCase();
  const partnerHost = o.partnerHost.toLowerCase();
  if (probeHost === partnerHost) throw new UserError('the probe host and the partner host must differ');
  const probeHostV6 = o.probeHostV6?.toLowerCase();
  if (probeHostV6 !== undefined && (probeHostV6 === probeHost || probeHostV6 === partnerHost))
    throw new UserError('the IPv6 probe host must differ from the probe host and the partner host');
  if (probeHostV6 !== undefined && isIP(probeHostV6) === 4)
    throw new UserError('the IPv6 probe host must be an IPv6 address or a name with only an AAAA record');
  const implicit6 = o.bindAddress6 === undefined && (o.bindAddress ?? DEFAULTS.bindAddress) === '0.0.0.0';
  const bindAddress6 = o.bindAddress6 ?? (implicit6 ? '::' : undefined);
  const fixed = [o.httpPort, o.altPort, o.httpsPort].filter((p) => p !== 0);
  if (new Set(fixed).size !== fixed.length)
    throw new UserError('the HTTP, alternate and HTTPS ports must differ');
  return {
    ...o,
    probeHost,
    ...(probeHostV6 !== undefined ? { probeHostV6 } : {}),
    partnerHost,
    bindAddress: o.bindAddress ?? DEFAULTS.bindAddress,
    ...(bindAddress6 !== undefined ? { bindAddress6 } : {}),
    bindAddress6Implicit: implicit6,
    // Expired runs are invisible at once; the purge removes their data within half the retention, at most 60 s.
    purgeIntervalMs:
      o.purgeIntervalMs ?? Math.min(DEFAULTS.purgeIntervalMs, Math.max(1000, Math.floor(o.retentionMs / 2))),
    maxCapturesPerRun: o.maxCapturesPerRun ?? DEFAULTS.maxCapturesPerRun,
    timeouts: { ...DEFAULT_TIMEOUTS, ...stripUndefined(o.timeouts ?? {}) },
    ...(logger ? { logger } : {}),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

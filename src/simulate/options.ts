import { isIP } from 'node:net';
/** Validation of simulator options: every bad value is a one-line UserError naming what is wrong. */
import { BUILTIN_POLICIES } from '../../bearers/index.ts';
import { type IdentityBearer, normaliseImsi, normaliseMsisdn } from '../model/identity.ts';
import { wrongType } from '../shared/config-error.ts';
import { UserError } from '../shared/errors.ts';
import type { GatewayConfig } from './enrich.ts';
import { ProxyInputError, parseAuthority } from './http-head.ts';
import {
  BEARER_PROFILES,
  FAULT_NAMES,
  type FaultName,
  isFaultName,
  isSimBearer,
  SIM_BEARERS,
  type SimBearer,
} from './profiles.ts';

export interface SimulatorOptions {
  bearer: SimBearer;
  msisdn: string;
  imsi?: string;
  fault?: FaultName;
  /** `--family 4|6`: the fault applies to destinations of this IP family only (the other one is healthy). */
  family?: 4 | 6;
  /** 0 / undefined = ephemeral. */
  port?: number;
  /** Bind address, default `127.0.0.1`. */
  host?: string;
  /** Default `partner.localhost`; matched on host name, any port. */
  partnerHost?: string;
  /** The endpoint's main HTTP port, so `alt-port-only` can tell main from alternate (default: 80 is main). */
  mainPort?: number;
  /** pino level for the simulator's logs (default: $HEADERGUARD_LOG_LEVEL or `info`). */
  logLevel?: string;
  /**
   * How long an upstream may take to connect, or stay silent while an answer is due, before the client gets
   * 504 (also bounds idle upstream sockets and an upgrade waiting for its answer). Default 30 000 ms.
   */
  upstreamTimeoutMs?: number;
  /**
   * The local address every upstream connection (plain HTTP, CONNECT tunnels, upgrades) leaves from, e.g. a
   * loopback alias such as 127.0.0.2 standing in for the carrier's NAT pool (bearer attestation). Default: the
   * system's choice.
   */
  egress?: string;
  /**
   * Host names resolved without DNS (`--resolve host=address`, like curl's and Chromium's host-resolver
   * rules): a deployed endpoint's real-looking names (`probe.hg.test`) mapped to where it runs.
   */
  resolve?: Record<string, string>;
}

export interface ResolvedOptions {
  gateway: GatewayConfig;
  port: number;
  host: string;
  logLevel: string | undefined;
  upstreamTimeoutMs: number;
  egress?: string;
  resolve?: Record<string, string>;
}

export const DEFAULT_PARTNER_HOST = 'partner.localhost';
export const DEFAULT_BIND_HOST = '127.0.0.1';
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000;
/** An hour: beyond that a silent upstream is not slow, it is gone. */
const MAX_UPSTREAM_TIMEOUT_MS = 3_600_000;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function checkBearer(value: unknown): SimBearer {
  if (typeof value === 'string' && isSimBearer(value)) return value;
  throw new UserError(
    `unknown bearer ${JSON.stringify(String(value))}: expected one of ${SIM_BEARERS.join(', ')}`,
  );
}

export function checkFault(value: unknown): FaultName {
  if (typeof value === 'string' && isFaultName(value)) return value;
  throw new UserError(
    `unknown fault ${JSON.stringify(String(value))}: expected one of ${FAULT_NAMES.join(', ')}`,
  );
}

/** A port number from a flag or an option; `allowZero` for a listening port (0 = ephemeral). */
export function checkPort(value: unknown, flag: string, allowZero: boolean): number {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const min = allowZero ? 0 : 1;
  if (/^\d{1,5}$/.test(text)) {
    const port = Number(text);
    if (port >= min && port <= 65535) return port;
  }
  throw new UserError(
    `${flag} must be a port number from ${min} to 65535 (got ${JSON.stringify(String(value))})`,
  );
}

/** `--upstream-timeout SECONDS`: a positive number of seconds (decimals allowed), at most an hour; in ms. */
export function checkUpstreamTimeoutSeconds(value: unknown): number {
  const text = typeof value === 'string' ? value.trim() : '';
  const ms = /^\d{1,4}(?:\.\d{1,3})?$/.test(text) ? Math.round(Number(text) * 1000) : Number.NaN;
  if (ms >= 1 && ms <= MAX_UPSTREAM_TIMEOUT_MS) return ms;
  throw new UserError(
    `--upstream-timeout must be a number of seconds above 0 and at most 3600 (got ${JSON.stringify(String(value))})`,
  );
}

/** `upstreamTimeoutMs`: a whole number of milliseconds from 1 to an hour. */
export function checkUpstreamTimeoutMs(value: unknown): number {
  if (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= 1 &&
    value <= MAX_UPSTREAM_TIMEOUT_MS
  ) {
    return value;
  }
  throw new UserError(
    `upstreamTimeoutMs must be a whole number of milliseconds, above 0 and at most an hour (got ${JSON.stringify(String(value))})`,
  );
}

export function checkHostName(value: unknown, flag: string): string {
  if (typeof value === 'string' && value.trim() !== '' && !value.includes(':')) {
    try {
      return parseAuthority(value.trim(), 80, flag).hostname;
    } catch (err) {
      if (!(err instanceof ProxyInputError)) throw err;
    }
  }
  throw new UserError(
    `${flag} must be a host name such as partner.localhost (got ${JSON.stringify(String(value))})`,
  );
}

/**
 * What a simulated subscriber's identifiers must belong to: the profile's country, and the MCC-MNC of its
 * built-in bearer policy (bearers/), inherited from the parent network as policies inherit (giffgaff → o2).
 */
export function simSubscriberBearer(bearer: SimBearer): IdentityBearer {
  let policy = BUILTIN_POLICIES.find((p) => p.id === bearer);
  const seen = new Set<string>();
  while (policy && !policy.mccmnc && policy.parent && !seen.has(policy.id)) {
    seen.add(policy.id);
    const parent = policy.parent;
    policy = BUILTIN_POLICIES.find((p) => p.id === parent);
  }
  return { country: BEARER_PROFILES[bearer].country, mccmnc: policy?.mccmnc ?? [] };
}

export function resolveOptions(options: SimulatorOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw new UserError('simulator options are missing');
  const bearer = checkBearer(options.bearer);
  if (options.msisdn === undefined) throw new UserError('--msisdn is required');
  if (typeof options.msisdn !== 'string') {
    throw new UserError(`--msisdn: ${wrongType('a string', options.msisdn)}`);
  }
  const subscriber = simSubscriberBearer(bearer);
  const msisdn = normaliseMsisdn(options.msisdn, subscriber.country, '--msisdn');
  const gateway: GatewayConfig = {
    bearer,
    msisdn,
    partnerHost: checkHostName(options.partnerHost ?? DEFAULT_PARTNER_HOST, '--partner-host'),
  };
  if (options.imsi !== undefined)
    gateway.imsi = normaliseImsi(String(options.imsi), subscriber.mccmnc, '--imsi');
  if (options.fault !== undefined) gateway.fault = checkFault(options.fault);
  if (options.family !== undefined) {
    if (options.fault === undefined)
      throw new UserError('--family limits a fault to one IP family: name the --fault too');
    gateway.faultFamily = checkFamily(options.family);
  }
  if (options.mainPort !== undefined) gateway.mainPort = checkPort(options.mainPort, '--main-port', false);
  const port = options.port === undefined ? 0 : checkPort(options.port, '--port', true);
  const host = options.host ?? DEFAULT_BIND_HOST;
  if (typeof host !== 'string' || host.trim() === '' || /[\s/]/.test(host)) {
    throw new UserError(`--host must be an address to listen on (got ${JSON.stringify(String(host))})`);
  }
  if (options.logLevel !== undefined && !LOG_LEVELS.includes(options.logLevel)) {
    throw new UserError(`log level must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const upstreamTimeoutMs =
    options.upstreamTimeoutMs === undefined
      ? DEFAULT_UPSTREAM_TIMEOUT_MS
      : checkUpstreamTimeoutMs(options.upstreamTimeoutMs);
  const resolved: ResolvedOptions = {
    gateway,
    port,
    host: host.trim(),
    logLevel: options.logLevel,
    upstreamTimeoutMs,
  };
  if (options.egress !== undefined) resolved.egress = checkEgress(options.egress);
  if (options.resolve !== undefined) resolved.resolve = checkResolve(options.resolve);
  return resolved;
}

/** `--resolve`: host name -> IP address, names lower-cased. */
export function checkResolve(value: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [host, address] of Object.entries(value)) {
    const name = checkHostName(host, '--resolve');
    if (!isIP(String(address))) {
      throw new UserError(
        `--resolve ${name}: ${JSON.stringify(String(address))} is not an IP address (--resolve host=address)`,
      );
    }
    out[name.toLowerCase()] = String(address);
  }
  return out;
}

/** One `--resolve host=address` flag, added to what came before (repeatable). */
export function parseResolveFlag(
  value: string,
  previous: Record<string, string> = {},
): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0)
    throw new UserError(
      `--resolve must be host=address, e.g. probe.hg.test=127.0.0.1 (got ${JSON.stringify(value)})`,
    );
  return { ...previous, [value.slice(0, eq).trim()]: value.slice(eq + 1).trim() };
}

/** `--family`: 4 or 6. */
export function checkFamily(value: unknown): 4 | 6 {
  const text = String(value).trim();
  if (text === '4' || text === '6') return Number(text) as 4 | 6;
  throw new UserError(`--family must be 4 or 6 (got ${JSON.stringify(String(value))})`);
}

/** `--egress`: an IPv4 or IPv6 address of this machine to connect from (not a name, not a range). */
export function checkEgress(value: unknown): string {
  const text = typeof value === 'string' ? value.trim().replace(/^\[(.*)\]$/, '$1') : '';
  if (isIP(text)) return text;
  throw new UserError(
    `--egress must be an IP address of this machine to connect from, e.g. 127.0.0.2 (got ${JSON.stringify(String(value))})`,
  );
}

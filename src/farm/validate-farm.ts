import { devices } from 'playwright-core';
import { BUILTIN_POLICIES } from '../../bearers/index.ts';
import { parsePolicyInput, resolvePolicies, unknownBearer } from '../detect/index.ts';
import type { Identity } from '../model/finding.ts';
import { parseIdentity } from '../model/identity.ts';
import type { BearerPolicy, PolicyInput } from '../model/policy.ts';
import { configErrorLine, describeZodIssue, pickIssue } from '../shared/config-error.ts';
import { UserError } from '../shared/errors.ts';
import { type FaultName, parseSimSpec, type SimBearer } from '../simulate/index.ts';
import { farmSchema, type ParsedHandset } from './farm-schema.ts';

/** How a handset reaches the network. */
export type ProxySpec =
  | { kind: 'direct' }
  | { kind: 'sim'; bearer: SimBearer; fault?: FaultName }
  | { kind: 'gateway'; url: string };

/** A handset after validation: identity resolved (env:VAR read) and checked, policy resolved. */
export interface Handset {
  id: string;
  bearer: string;
  policy: BearerPolicy;
  identity: Identity;
  /** Display name of the device. */
  device: string;
  emulate?: string;
  appium?: Record<string, unknown>;
  proxy: ProxySpec;
}

export interface Farm {
  name: string;
  /** Where the farm was loaded from (for reports). */
  source: string;
  grid?: {
    protocol: 'http' | 'https';
    hostname: string;
    port: number;
    path: string;
    user?: string;
    key?: string;
  };
  capture?: { url: string; apiKey: string; acceptInsecureCerts: boolean };
  policies: Map<string, BearerPolicy>;
  handsets: Handset[];
}

/** A farm-file error: one line, naming the file, the handset and the field. Exit code 2. */
export class FarmError extends UserError {}

type Env = Readonly<Record<string, string | undefined>>;

/** Validate a farm file's parsed content. `source` names the file in error messages. */
export function validateFarm(raw: unknown, source: string, env: Env = process.env): Farm {
  const fail = (what: string): never => {
    throw new FarmError(`farm ${source}: ${what}`);
  };
  const parsed = farmSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new FarmError(describeSchemaIssue(parsed.error.issues, raw, `farm ${source}`));
  const farm = parsed.data;

  const extraPolicies: PolicyInput[] = farm.bearers.map((b, i) =>
    guard(() => parsePolicyInput(b, `bearers[${i}]`), fail),
  );
  const policies = guard(() => resolvePolicies(BUILTIN_POLICIES, extraPolicies), fail);

  const seen = new Set<string>();
  const handsets = farm.handsets.map((h) => {
    const where = `handset "${h.id}"`;
    if (seen.has(h.id)) fail(`${where}: duplicate id`);
    seen.add(h.id);
    return validateHandset(h, where, policies, env, fail);
  });

  const capture = farm.capture && {
    url: checkHttpUrl(farm.capture.url, 'capture.url', fail),
    apiKey: resolveEnv(farm.capture.apiKey, 'capture.apiKey', env, fail),
    acceptInsecureCerts: farm.capture.acceptInsecureCerts,
  };
  return { name: farm.name, source, grid: farm.grid, capture, policies, handsets };
}

function validateHandset(
  h: ParsedHandset,
  where: string,
  policies: Map<string, BearerPolicy>,
  env: Env,
  fail: (what: string) => never,
): Handset {
  const policy = policies.get(h.bearer);
  if (!policy) fail(`${where}: bearer: ${unknownBearer(h.bearer, policies)}`);
  if (h.emulate && h.appium) fail(`${where}: has both emulate and appium; choose one`);
  if (!h.emulate && !h.appium) fail(`${where}: needs emulate (a device name) or appium (capabilities)`);
  if (h.emulate && !(h.emulate in devices)) {
    fail(`${where}: emulate: unknown emulated device "${h.emulate}"${suggestDevice(h.emulate)}`);
  }

  const rawIdentity: Record<string, string> = {};
  for (const field of ['msisdn', 'imsi', 'imei'] as const) {
    const value = h.identity[field];
    if (value !== undefined) rawIdentity[field] = resolveEnv(value, `identity.${field}`, env, fail, where);
  }
  const identity = guard(() => parseIdentity(rawIdentity, policy!, `${where}: identity`), fail);

  const proxy = parseProxy(h.proxy ?? 'direct', where, fail);
  if (h.appium && proxy.kind !== 'direct') {
    fail(
      `${where}: proxy ${h.proxy} applies to emulate handsets only; a real handset browses through its own bearer`,
    );
  }
  if (proxy.kind === 'sim' && !identity.msisdn) {
    fail(`${where}: proxy ${h.proxy} simulates this subscriber's gateway and needs identity.msisdn`);
  }
  const device = h.device ?? h.emulate ?? deviceNameOf(h.appium) ?? h.id;
  return {
    id: h.id,
    bearer: h.bearer,
    policy: policy!,
    identity,
    device,
    emulate: h.emulate,
    appium: h.appium,
    proxy,
  };
}

function parseProxy(value: string, where: string, fail: (what: string) => never): ProxySpec {
  if (value === 'direct') return { kind: 'direct' };
  if (value.startsWith('sim:')) {
    const spec = guard(
      () => parseSimSpec(value),
      (m) => fail(`${where}: proxy: ${m}`),
    );
    return spec.fault
      ? { kind: 'sim', bearer: spec.bearer, fault: spec.fault }
      : { kind: 'sim', bearer: spec.bearer };
  }
  const url = checkHttpUrl(value, 'proxy', (m) =>
    fail(`${where}: ${m} (or sim:<bearer>[:<fault>] or direct)`),
  );
  return { kind: 'gateway', url };
}

function checkHttpUrl(value: string, field: string, fail: (what: string) => never): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(`${field}: "${value}" is not a URL like http://host:port`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    fail(`${field}: "${value}" must be an http:// or https:// URL`);
  if (!url.hostname) fail(`${field}: "${value}" has no host`);
  return value;
}

function resolveEnv(
  value: string,
  field: string,
  env: Env,
  fail: (what: string) => never,
  where?: string,
): string {
  const prefix = where ? `${where}: ` : '';
  if (!value.startsWith('env:')) return value;
  const name = value.slice(4);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    fail(`${prefix}${field}: "${value}" is not a valid env:VAR reference`);
  const resolved = env[name];
  if (resolved === undefined || resolved === '')
    fail(`${prefix}${field}: environment variable ${name} is not set`);
  return resolved!;
}

function deviceNameOf(appium: Record<string, unknown> | undefined): string | undefined {
  const name = appium?.['appium:deviceName'] ?? appium?.deviceName;
  return typeof name === 'string' ? name : undefined;
}

function suggestDevice(name: string): string {
  const lower = name.toLowerCase().split(/\s+/)[0] ?? '';
  const close = Object.keys(devices)
    .filter((d) => !d.endsWith('landscape') && d.toLowerCase().startsWith(lower))
    .slice(0, 4);
  return close.length
    ? ` (did you mean ${close.map((d) => `"${d}"`).join(', ')}?)`
    : ' (see Playwright device names, e.g. "Pixel 7")';
}

/** Run a validator from another layer; turn its error into this file's one-line error. */
function guard<T>(fn: () => T, fail: (what: string) => never): T {
  try {
    return fn();
  } catch (err) {
    return fail(err instanceof Error ? (err.message.split('\n')[0] ?? 'invalid') : String(err));
  }
}

/** One line for the schema issue worth reporting, naming the handset by id where the path runs through one. */
function describeSchemaIssue(issues: Parameters<typeof pickIssue>[0], raw: unknown, where: string): string {
  const { path, what } = describeZodIssue(pickIssue(issues), farmSchema);
  if (path[0] === 'handsets' && typeof path[1] === 'number' && path.length > 2) {
    const id = (raw as { handsets?: { id?: unknown }[] }).handsets?.[path[1]]?.id;
    if (typeof id === 'string') return configErrorLine(`${where}: handset "${id}"`, path.slice(2), what);
  }
  return configErrorLine(where, path, what);
}

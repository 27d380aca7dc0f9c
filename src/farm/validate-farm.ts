import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import type { z } from 'zod';
import { BUILTIN_POLICIES } from '../../bearers/index.ts';
import { parsePolicyInput, policyForApn, resolvePolicies, unknownBearer } from '../detect/index.ts';
import type { Identity } from '../model/finding.ts';
import { checkIdentity, checkMsisdn, isFictionalMsisdn } from '../model/identity.ts';
import type { BearerPolicy, PolicyInput } from '../model/policy.ts';
import { closest, configErrorLine, describeZodIssue, knownKeysAt } from '../shared/config-error.ts';
import { BEARER_PROFILES, type FaultName, parseSimSpec, type SimBearer } from '../simulate/index.ts';
import { isDeviceName, unknownDevice } from './emulated-device.ts';
import { type EndpointTrust, readTrust } from './endpoint-trust.ts';
import { FarmError, FarmProblems } from './farm-problems.ts';
import {
  captureSchema,
  type FarmOutput,
  farmSchema,
  handsetSchema,
  type ParsedHandset,
} from './farm-schema.ts';

export { FarmError } from './farm-problems.ts';

/** How a handset reaches the network. */
export type ProxySpec =
  | { kind: 'direct' }
  | { kind: 'sim'; bearer: SimBearer; fault?: FaultName; egress?: string }
  | { kind: 'gateway'; url: string };

/** A handset after validation: identity resolved (env:VAR read) and checked, policy resolved. */
export interface Handset {
  id: string;
  bearer: string;
  /** The APN it uses, when the farm says: its policy is the bearer's with that APN's overrides applied. */
  apn?: string;
  policy: BearerPolicy;
  identity: Identity;
  /** Display name of the device. */
  device: string;
  emulate?: string;
  appium?: Record<string, unknown>;
  proxy: ProxySpec;
  /** The hub its session goes to: its own `grid`, else the farm's for an appium handset; none: local. */
  grid?: Grid;
}

/** A WebDriver hub (Selenium Grid 4, appium-device-farm, a device cloud), its key resolved. */
export interface Grid {
  protocol: 'http' | 'https';
  hostname: string;
  port: number;
  path: string;
  user?: string;
  key?: string;
}

export interface Farm {
  name: string;
  /** Where the farm was loaded from (for reports). */
  source: string;
  grid?: Grid;
  capture?: {
    url: string;
    apiKey: string;
    acceptInsecureCerts: boolean;
    ca?: EndpointTrust;
    resolve?: Record<string, string>;
    partnerHost?: string;
  };
  policies: Map<string, BearerPolicy>;
  handsets: Handset[];
}

type Env = Readonly<Record<string, string | undefined>>;
type Issue = z.core.$ZodIssue;

/**
 * Validate a farm file's parsed content; `source` names the file in error messages. Every problem is found
 * before anything is thrown: a FarmError lists them all (one line each, see farm-problems.ts).
 */
export function validateFarm(raw: unknown, source: string, env: Env = process.env): Farm {
  const problems = new FarmProblems(`farm ${source}`);
  const parsed = farmSchema.safeParse(raw, { reportInput: true });
  if (parsed.success) return checkFarm(parsed.data, source, env, problems);
  // The file's shape is wrong somewhere: report the schema's issues outside handsets, then check each handset
  // on its own, so a typo in one handset does not hide the mistakes of the others.
  const issues = parsed.error.issues;
  const obj =
    typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const rawHandsets = Array.isArray(obj.handsets) ? obj.handsets : [];
  const outside = issues.filter((i) => !(i.path[0] === 'handsets' && typeof i.path[1] === 'number'));
  for (const issue of withoutConsequences(outside)) problems.add(describeSchemaIssue(issue, raw));
  const policies = checkBearers(Array.isArray(obj.bearers) ? obj.bearers : [], problems);
  const seen = new Set<string>();
  rawHandsets.forEach((rh, index) => {
    const h = handsetSchema.safeParse(rh, { reportInput: true });
    if (h.success) {
      checkHandset(h.data, seen, policies, env, problems);
      return;
    }
    const full = h.error.issues.map((i) => ({ ...i, path: ['handsets', index, ...i.path] }) as Issue);
    for (const issue of withoutConsequences(full)) problems.add(describeSchemaIssue(issue, raw));
    // The rest of this handset's fields still get their own checks.
    const rest = soundFields(rh, h.error.issues);
    if (rest) checkHandset(rest, seen, policies, env, problems, `handsets[${index}]`);
  });
  const capture = captureSchema.safeParse(obj.capture);
  if (obj.capture !== undefined && capture.success) checkCapture(capture.data, source, env, problems);
  // A failed parse always leaves a problem above; should every line have been filtered, report the first issue.
  if (problems.count === 0 && issues[0]) problems.add(describeSchemaIssue(issues[0], raw));
  problems.throwIfAny();
  throw new FarmError(`farm ${source}: not a valid farm`);
}

function checkFarm(farm: FarmOutput, source: string, env: Env, problems: FarmProblems): Farm {
  const policies = checkBearers(farm.bearers, problems);
  const seen = new Set<string>();
  const handsets: Handset[] = [];
  for (const h of farm.handsets) {
    const handset = checkHandset(h, seen, policies, env, problems);
    if (handset) handsets.push(handset);
  }
  const capture = farm.capture && checkCapture(farm.capture, source, env, problems);
  const grid = farm.grid && checkGrid(farm.grid, 'grid', env, (what) => problems.add(what));
  problems.throwIfAny();
  return {
    name: farm.name,
    source,
    ...(grid ? { grid } : {}),
    capture,
    policies: policies.resolved,
    // A real handset without a hub of its own goes to the farm's; an emulated one runs locally unless it names one.
    handsets: handsets.map((h) => (!h.grid && h.appium && grid ? { ...h, grid } : h)),
  };
}

interface Policies {
  resolved: Map<string, BearerPolicy>;
  /** Ids of the farm's own bearers that could not be resolved (their handsets are not checked against them). */
  broken: Set<string>;
}

/** The farm's bearer policies on top of the built-in ones; each bad one is a problem. */
function checkBearers(rawBearers: readonly unknown[], problems: FarmProblems): Policies {
  const extra: PolicyInput[] = [];
  const broken = new Set<string>();
  rawBearers.forEach((b, i) => {
    try {
      extra.push(parsePolicyInput(b, `bearers[${i}]`));
    } catch (err) {
      problems.add(firstLine(err));
      const id = (b as { id?: unknown } | null)?.id;
      if (typeof id === 'string') broken.add(id);
    }
  });
  try {
    return { resolved: resolvePolicies(BUILTIN_POLICIES, extra), broken };
  } catch (err) {
    problems.add(firstLine(err));
    for (const p of extra) broken.add(p.id);
    return { resolved: resolvePolicies(BUILTIN_POLICIES), broken };
  }
}

/** One handset's cross-field rules; every problem is added. The handset, when it has none. */
function checkHandset(
  h: ParsedHandset | PartialHandset,
  seen: Set<string>,
  policies: Policies,
  env: Env,
  problems: FarmProblems,
  label?: string,
): Handset | undefined {
  const before = problems.count;
  // A handset whose shape is wrong elsewhere (`partial`) is checked field by field: the rules about a missing
  // field are left out, since the field may be the one that was misspelt.
  const partial = label !== undefined;
  const where = h.id !== undefined ? `handset "${h.id}"` : label;
  const fail = (what: string) => problems.add(`${where}: ${what}`);
  if (h.id !== undefined) {
    if (seen.has(h.id)) fail('duplicate id');
    seen.add(h.id);
  }
  const bearerPolicy = h.bearer === undefined ? undefined : policies.resolved.get(h.bearer);
  if (h.bearer !== undefined && !bearerPolicy && !policies.broken.has(h.bearer)) {
    fail(`bearer: ${unknownBearer(h.bearer, policies.resolved)}`);
  }
  const apns = bearerPolicy?.apns;
  if (h.apn !== undefined && apns && !Object.hasOwn(apns, h.apn)) {
    fail(
      `apn: bearer ${bearerPolicy!.id} has no APN ${JSON.stringify(h.apn)} (its policy's apns: ${Object.keys(apns).join(', ')})`,
    );
  }
  const policy = bearerPolicy && policyForApn(bearerPolicy, h.apn);
  if (h.emulate && h.appium) fail('has both emulate and appium; choose one');
  if (!h.emulate && !h.appium && !partial) fail('needs emulate (a device name) or appium (capabilities)');
  if (h.emulate && !isDeviceName(h.emulate)) fail(`emulate: ${unknownDevice(h.emulate)}`);

  const rawIdentity: Record<string, string> = {};
  const literal = new Set<string>();
  for (const field of ['msisdn', 'imsi', 'imei'] as const) {
    const value = h.identity?.[field];
    if (value === undefined) continue;
    if (!isReference(value)) literal.add(field);
    const resolved = resolveEnv(value, `identity.${field}`, env, fail);
    if (resolved !== undefined) rawIdentity[field] = resolved;
  }
  let identity: Identity = {};
  if (policy) {
    const checked = checkIdentity(rawIdentity, policy);
    identity = checked.identity;
    for (const p of checked.problems) fail(`identity.${p.field}: ${p.problem}`);
  }
  if (h.appium) {
    // A real phone's SIM is a subscriber: its identifiers come from the environment or a root-only file, never
    // from the farm file (a number of Ofcom's drama range is nobody's and may be written down).
    for (const field of literal) {
      const value = identity[field as keyof Identity];
      if (field === 'msisdn' && value !== undefined && isFictionalMsisdn(value)) continue;
      fail(
        `identity.${field}: a real handset's identifiers must not be written in the farm file; use env:VAR or file:/path (readable by its owner only)`,
      );
    }
  }
  const grid = h.grid && checkGrid(h.grid, 'grid', env, fail);
  const appium = h.appium && resolveCapabilities(h.appium, env, fail);

  const proxy = parseProxy(h.proxy ?? 'direct', fail);
  if (proxy && h.appium && proxy.kind !== 'direct') {
    fail(`proxy ${h.proxy} applies to emulate handsets only; a real handset browses through its own bearer`);
  }
  if (proxy?.kind === 'sim' && h.identity?.msisdn === undefined && !partial) {
    fail(`proxy ${h.proxy} simulates this subscriber's gateway and needs identity.msisdn`);
  }
  if (proxy?.kind === 'sim' && identity.msisdn !== undefined) {
    // The simulator checks the number against its own profile's country when the run starts; say it now.
    const country = BEARER_PROFILES[proxy.bearer].country;
    if (!checkMsisdn(identity.msisdn, country).ok) {
      fail(
        `proxy ${h.proxy} simulates a ${country} gateway, and identity.msisdn is not a ${country} mobile number`,
      );
    }
  }
  if (partial || problems.count > before || !policy || !proxy || h.id === undefined) return undefined;
  return {
    id: h.id,
    bearer: policy.id,
    ...(h.apn !== undefined ? { apn: h.apn } : {}),
    policy,
    identity,
    device: h.device ?? h.emulate ?? deviceNameOf(h.appium) ?? h.id,
    emulate: h.emulate,
    appium,
    proxy,
    ...(grid ? { grid } : {}),
  };
}

type PartialHandset = Partial<ParsedHandset>;
const partialHandsetSchema = handsetSchema.partial();

/**
 * The fields of a handset that failed the schema which are sound on their own (no issue at or below them,
 * not unknown keys), parsed; undefined when nothing is left worth checking.
 */
function soundFields(raw: unknown, issues: readonly Issue[]): PartialHandset | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const known = new Set(Object.keys(handsetSchema.shape));
  const bad = new Set(issues.map((i) => i.path[0]).filter((k) => k !== undefined));
  const rest = Object.fromEntries(
    Object.entries(raw as Record<string, unknown>).filter(([k]) => known.has(k) && !bad.has(k)),
  );
  const parsed = partialHandsetSchema.safeParse(rest);
  return parsed.success ? parsed.data : undefined;
}

function checkCapture(
  capture: NonNullable<FarmOutput['capture']>,
  source: string,
  env: Env,
  problems: FarmProblems,
): Farm['capture'] {
  const before = problems.count;
  const fail = (what: string) => problems.add(what);
  const url = checkHttpUrl(capture.url, 'capture.url', fail);
  const apiKey = resolveEnv(capture.apiKey, 'capture.apiKey', env, fail);
  let ca: EndpointTrust | undefined;
  if (capture.ca !== undefined) {
    const trust = readTrust(path.resolve(path.dirname(source), capture.ca), capture.ca);
    if (typeof trust === 'string') fail(`capture.ca: ${trust}`);
    else ca = trust;
  }
  const resolve: Record<string, string> = {};
  for (const [host, address] of Object.entries(capture.resolve ?? {})) {
    if (!/^[A-Za-z0-9.-]+$/.test(host)) fail(`capture.resolve: "${host}" is not a host name`);
    else if (!isIP(address)) fail(`capture.resolve.${host}: "${address}" is not an IP address`);
    else resolve[host.toLowerCase()] = address;
  }
  if (url === undefined || apiKey === undefined || problems.count > before) return undefined;
  return {
    url,
    apiKey,
    acceptInsecureCerts: capture.acceptInsecureCerts,
    ...(ca ? { ca } : {}),
    ...(capture.resolve ? { resolve } : {}),
    ...(capture.partnerHost ? { partnerHost: capture.partnerHost.toLowerCase() } : {}),
  };
}

type Fail = (what: string) => void;

/**
 * A real handset's capabilities with every top-level `env:VAR` / `file:/path` string resolved (signing
 * settings, a hub's tokens: kept out of the farm file like identities).
 */
function resolveCapabilities(caps: Record<string, unknown>, env: Env, fail: Fail): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(caps)) {
    out[key] =
      typeof value === 'string' && isReference(value) ? resolveEnv(value, `appium.${key}`, env, fail) : value;
  }
  return out;
}

function checkGrid(grid: Grid, field: string, env: Env, fail: Fail): Grid | undefined {
  if (grid.key === undefined) return grid;
  const key = resolveEnv(grid.key, `${field}.key`, env, fail);
  return key === undefined ? undefined : { ...grid, key };
}

function parseProxy(value: string, fail: Fail): ProxySpec | undefined {
  if (value === 'direct') return { kind: 'direct' };
  if (value.startsWith('sim:')) {
    try {
      return { kind: 'sim', ...parseSimSpec(value) };
    } catch (err) {
      fail(`proxy: ${firstLine(err)}`);
      return undefined;
    }
  }
  const url = checkHttpUrl(value, 'proxy', (m) => fail(`${m} (or sim:<bearer>[:<fault>] or direct)`));
  return url === undefined ? undefined : { kind: 'gateway', url };
}

function checkHttpUrl(value: string, field: string, fail: Fail): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(`${field}: "${value}" is not a URL like http://host:port`);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    fail(`${field}: "${value}" must be an http:// or https:// URL`);
    return undefined;
  }
  if (!url.hostname) {
    fail(`${field}: "${value}" has no host`);
    return undefined;
  }
  return value;
}

/** `env:VAR` or `file:/path`: a value kept out of the farm file. */
function isReference(value: string): boolean {
  return value.startsWith('env:') || value.startsWith('file:');
}

/**
 * A literal, the value of `env:VAR`, or the content of `file:/path` (an absolute path to a file readable by its
 * owner only, trimmed); undefined (and a problem) when the variable or file is missing, or the file is open to
 * group or others. The value itself never appears in a problem.
 */
function resolveEnv(value: string, field: string, env: Env, fail: Fail): string | undefined {
  if (value.startsWith('file:')) return readSecretFile(value.slice(5), field, fail);
  if (!value.startsWith('env:')) return value;
  const name = value.slice(4);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    fail(`${field}: "${value}" is not a valid env:VAR reference`);
    return undefined;
  }
  const resolved = env[name];
  if (resolved === undefined || resolved === '') {
    fail(`${field}: environment variable ${name} is not set`);
    return undefined;
  }
  return resolved;
}

function readSecretFile(file: string, field: string, fail: Fail): string | undefined {
  if (!path.isAbsolute(file)) {
    fail(`${field}: file:${file} must be an absolute path (file:/path)`);
    return undefined;
  }
  try {
    const mode = statSync(file).mode;
    if ((mode & 0o077) !== 0) {
      fail(
        `${field}: ${file} is open to group or others (mode ${(mode & 0o777).toString(8)}); make it readable by its owner only (chmod 600)`,
      );
      return undefined;
    }
    const content = readFileSync(file, 'utf8').trim();
    if (content === '') {
      fail(`${field}: ${file} is empty`);
      return undefined;
    }
    return content;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    fail(`${field}: cannot read ${file}${code ? ` (${code})` : ''}`);
    return undefined;
  }
}

function deviceNameOf(appium: Record<string, unknown> | undefined): string | undefined {
  const name = appium?.['appium:deviceName'] ?? appium?.deviceName;
  return typeof name === 'string' ? name : undefined;
}

function firstLine(err: unknown): string {
  return err instanceof Error ? (err.message.split('\n')[0] ?? 'invalid') : String(err);
}

/**
 * Drop the issues a reported typo explains: `bearr` (unknown key, did you mean "bearer"?) also leaves `bearer`
 * missing; the second line would only repeat the first.
 */
function withoutConsequences(issues: readonly Issue[]): Issue[] {
  const explained = new Set<string>();
  for (const i of issues) {
    if (i.code !== 'unrecognized_keys') continue;
    const known = knownKeysAt(farmSchema, i.path);
    for (const key of i.keys) {
      const meant = closest(key, known);
      if (meant) explained.add(JSON.stringify([...i.path, meant]));
    }
  }
  return issues.filter(
    (i) =>
      !(
        i.code === 'invalid_type' &&
        (i as { input?: unknown }).input === undefined &&
        explained.has(JSON.stringify(i.path))
      ),
  );
}

/** One line for a schema issue (its path from the farm's top), naming the handset by id where there is one. */
function describeSchemaIssue(issue: Issue, raw: unknown): string {
  const { path, what } = describeZodIssue(issue, farmSchema);
  if (path[0] === 'handsets' && typeof path[1] === 'number' && path.length > 2) {
    const id = (raw as { handsets?: { id?: unknown }[] }).handsets?.[path[1]]?.id;
    if (typeof id === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(id)) {
      return configErrorLine(`handset "${id}"`, path.slice(2), what);
    }
  }
  return configErrorLine('', path, what).replace(/^: /, '');
}

/**
 * Preflight checks of where a farm's real handsets are: the Grid (`/status`: ready, a slot whose stereotype
 * matches each handset's capabilities) and, for Android phones on a local Appium, adb (it sees each udid; the
 * phone is on the bearer: Wi-Fi off, mobile data on, the bearer's SIM).
 */
import type { Farm, Handset } from '../farm/index.ts';
import { type Adb, androidOffBearer, androidUdid, systemAdb } from '../run/android-attestation.ts';
import { withoutCredentials } from '../run/gateway-label.ts';
import { describeError } from '../shared/errors.ts';
import { type CheckResult, missing, ok } from './doctor-check.ts';

type Grid = NonNullable<Farm['grid']>;

/** The Grid's base URL (credentials only in the request, never in a line). */
export function gridUrl(grid: Grid): string {
  const base = `${grid.protocol}://${grid.hostname}:${grid.port}${grid.path.replace(/\/+$/, '')}`;
  return base;
}

interface GridStatus {
  ready: boolean;
  message?: string;
  stereotypes: Record<string, unknown>[];
}

/** `GET <grid>/status`: Selenium Grid 4 lists `value.nodes[].slots[].stereotype`. */
async function gridStatus(grid: Grid, timeoutMs: number): Promise<GridStatus> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (grid.user && grid.key)
    headers.authorization = `Basic ${Buffer.from(`${grid.user}:${grid.key}`).toString('base64')}`;
  const res = await fetch(`${gridUrl(grid)}/status`, { headers, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`/status answered ${res.status}`);
  const body = (await res.json()) as {
    value?: { ready?: unknown; message?: unknown; nodes?: { slots?: { stereotype?: unknown }[] }[] };
  };
  const value = body.value ?? {};
  const stereotypes = (value.nodes ?? []).flatMap((n) =>
    (n.slots ?? [])
      .map((s) => s.stereotype)
      .filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null),
  );
  return {
    ready: value.ready === true,
    ...(typeof value.message === 'string' ? { message: value.message } : {}),
    stereotypes,
  };
}

/** The capabilities a Grid matches a session on: browser, platform and version, and appium: ones a slot names. */
export function slotMatches(stereotype: Record<string, unknown>, caps: Record<string, unknown>): boolean {
  const same = (a: unknown, b: unknown) => String(a).toLowerCase() === String(b).toLowerCase();
  for (const key of ['browserName', 'platformName', 'browserVersion']) {
    if (caps[key] !== undefined && stereotype[key] !== undefined && !same(caps[key], stereotype[key]))
      return false;
    if (key !== 'browserVersion' && caps[key] !== undefined && stereotype[key] === undefined) return false;
  }
  for (const [key, want] of Object.entries(caps)) {
    if (!key.startsWith('appium:') || stereotype[key] === undefined) continue;
    if (typeof want !== 'object' && !same(want, stereotype[key])) return false;
  }
  return true;
}

/**
 * The capabilities a Grid matches a handset's session on: a real handset's own; an emulated handset asks for
 * Chrome (src/run/capabilities.ts emulatedCapability), whatever its platform.
 */
export function gridCapabilitiesOf(h: Handset): Record<string, unknown> {
  return h.appium ?? { browserName: 'chrome' };
}

/**
 * Each hub the farm's sessions go to (the farm's `grid`, and any a handset names itself), with the handsets on
 * it; the farm's own is listed even when no handset uses it.
 */
export function gridsOf(farm: Farm): { grid: Grid; handsets: Handset[] }[] {
  const byHub = new Map<string, { grid: Grid; handsets: Handset[] }>();
  const hub = (grid: Grid) => {
    const key = `${gridUrl(grid)} ${grid.user ?? ''}`;
    const found = byHub.get(key) ?? { grid, handsets: [] };
    byHub.set(key, found);
    return found;
  };
  if (farm.grid) hub(farm.grid);
  for (const h of farm.handsets) if (h.grid) hub(h.grid).handsets.push(h);
  return [...byHub.values()];
}

/** The Grid answers `/status`, is ready, and has a slot for each handset whose session goes to it. */
export async function checkGrid(
  grid: Grid,
  handsets: readonly Handset[],
  timeoutMs = 5000,
): Promise<CheckResult[]> {
  const where = withoutCredentials(gridUrl(grid));
  let status: GridStatus;
  try {
    status = await gridStatus(grid, timeoutMs);
  } catch (err) {
    return [
      missing(
        `grid ${where}`,
        `not reachable (${describeError(err)})`,
        'start the hub (or fix grid in the farm: protocol, hostname, port, path)',
      ),
    ];
  }
  const out: CheckResult[] = [
    status.ready
      ? ok(`grid ${where}`, `ready, ${status.stereotypes.length} slot(s)`)
      : missing(
          `grid ${where}`,
          `not ready (${status.message ?? 'no message'})`,
          'start or register its nodes',
        ),
  ];
  for (const h of handsets) {
    const caps = gridCapabilitiesOf(h);
    const check = `grid slot for handset ${h.id}`;
    out.push(
      status.stereotypes.some((s) => slotMatches(s, caps))
        ? ok(check)
        : missing(
            check,
            `no slot matches its capabilities (${describeCaps(caps)})`,
            'register a node with that stereotype, or fix the handset capabilities',
          ),
    );
  }
  return out;
}

function describeCaps(caps: Record<string, unknown>): string {
  return ['browserName', 'platformName', 'browserVersion', 'appium:automationName']
    .filter((k) => caps[k] !== undefined)
    .map((k) => `${k}=${String(caps[k])}`)
    .join(', ');
}

/** The serials `adb devices` lists as ready (`device`), and those in another state. */
export function parseAdbDevices(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n').slice(1)) {
    const [serial, state] = line.trim().split(/\s+/);
    if (serial && state) out.set(serial, state);
  }
  return out;
}

/**
 * For each Android phone on a local Appium: adb sees it ready, and the phone says it is on the bearer
 * (android-attestation.ts: Wi-Fi off, mobile data on, the bearer's SIM).
 */
export async function checkAndroidPhones(farm: Farm, adb: Adb = systemAdb): Promise<CheckResult[]> {
  const phones = farm.handsets
    .map((h) => ({ h, udid: androidUdid(h, Boolean(h.grid)) }))
    .filter((p): p is { h: Handset; udid: string } => p.udid !== undefined);
  if (phones.length === 0) return [];
  let listed: Map<string, string>;
  try {
    listed = parseAdbDevices(await adb(['devices']));
  } catch (err) {
    return [
      missing(
        'adb devices',
        `cannot run adb (${describeError(err)})`,
        'install Android platform-tools (apt-get install -y adb)',
      ),
    ];
  }
  const out: CheckResult[] = [];
  for (const { h, udid } of phones) {
    const state = listed.get(udid);
    if (state !== 'device') {
      out.push(
        missing(
          `adb sees phone ${udid} (handset ${h.id})`,
          state ? `it is ${state}` : 'not listed by adb devices',
          state === 'unauthorized'
            ? 'accept the USB debugging prompt on the phone'
            : 'plug it in and enable USB debugging',
        ),
      );
      continue;
    }
    out.push(ok(`adb sees phone ${udid} (handset ${h.id})`));
    const offBearer = await androidOffBearer(udid, h.policy.mccmnc, adb);
    out.push(
      offBearer.length === 0
        ? ok(`phone ${udid} on the bearer ${h.bearer}`, "Wi-Fi off, mobile data on, the bearer's SIM")
        : missing(
            `phone ${udid} on the bearer ${h.bearer}`,
            offBearer.map((o) => o.evidence).join('; '),
            'Wi-Fi off, mobile data on, the SIM of the bearer in the phone',
          ),
    );
  }
  return out;
}

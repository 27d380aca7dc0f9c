/**
 * The probe plan: which requests a handset makes for one run, where they go, and how each plain-HTTP probe is
 * paired with its HTTPS twin (the control: TLS cannot be enriched). Pure: no I/O.
 */
import { randomInt } from 'node:crypto';
import {
  type AddressFamily,
  type Canary,
  IPV6_PROBE_MARK,
  type Listener,
  type PlannedProbe,
  type ProbeKind,
  type ProbeRole,
} from '../../model/capture.ts';

interface ProbeSpec {
  probe: string;
  kind: ProbeKind;
  role: ProbeRole;
  listener: Listener;
  /** 6: on the IPv6-only probe host; otherwise on the IPv4 probe host (or the partner host). */
  family?: 6;
}

/** The plain-HTTP probes, in the order the plan lists them. Each gets an HTTPS twin `<probe>-tls`. */
const HTTP_PROBES: readonly ProbeSpec[] = [
  { probe: 'nav', kind: 'navigation', role: 'third-party', listener: 'main' },
  { probe: 'img', kind: 'image', role: 'third-party', listener: 'main' },
  { probe: 'fetch', kind: 'fetch', role: 'third-party', listener: 'main' },
  { probe: 'same-conn', kind: 'same-connection', role: 'third-party', listener: 'main' },
  { probe: 'new-conn', kind: 'new-connection', role: 'third-party', listener: 'main' },
  { probe: 'alt', kind: 'fetch', role: 'third-party', listener: 'alt' },
  { probe: 'partner', kind: 'navigation', role: 'partner', listener: 'main' },
  { probe: 'canary', kind: 'canary', role: 'partner', listener: 'main' },
  // The IPv6 path, probed apart (a gateway's IPv6 rules may differ): the fewest probes that cover a page load, a
  // subresource and a script request, each with its HTTPS twin, on the IPv6-only probe host.
  ...(['nav', 'img', 'fetch'] as const).map(
    (base): ProbeSpec => ({
      probe: base + IPV6_PROBE_MARK,
      kind: base === 'nav' ? 'navigation' : base === 'img' ? 'image' : 'fetch',
      role: 'third-party',
      listener: 'main',
      family: 6,
    }),
  ),
];

export const TLS_SUFFIX = '-tls';

/** Every probe id a plan can contain, HTTP probes first, then their twins. */
export const PROBE_IDS: readonly string[] = [
  ...HTTP_PROBES.map((p) => p.probe),
  ...HTTP_PROBES.map((p) => p.probe + TLS_SUFFIX),
];

const PROBE_ID_SET = new Set(PROBE_IDS);

export function isProbeId(value: string): boolean {
  return PROBE_ID_SET.has(value);
}

/** The probe whose response tells the browser to drop the connection, so the next probe needs a new one. */
export const CLOSES_CONNECTION = new Set(['same-conn', `same-conn${TLS_SUFFIX}`]);

/** Where the endpoint is reachable from a handset. */
export interface PlanEndpoint {
  /** The IPv4 probe host (only an A record deployed; `probe.localhost`, 127.0.0.1 in the simulator, locally). */
  probeHost: string;
  /** The IPv6-only probe host (only an AAAA record deployed; `::1` locally). No IPv6 probes without it. */
  probeHostV6?: string;
  partnerHost: string;
  ports: { main: number; alt: number; https: number };
}

/** The path of a probe for a run: `/p/<token>/<probe>`. */
export function probePath(token: string, probe: string): string {
  return `/p/${token}/${probe}`;
}

/** `scheme://host[:port]`, the port left out when it is the scheme's default. */
export function origin(tls: boolean, host: string, port: number): string {
  const scheme = tls ? 'https' : 'http';
  const defaultPort = tls ? 443 : 80;
  const name = host.includes(':') ? `[${host}]` : host;
  return port === defaultPort ? `${scheme}://${name}` : `${scheme}://${name}:${port}`;
}

function planned(spec: ProbeSpec, tls: boolean, token: string, endpoint: PlanEndpoint): PlannedProbe {
  const host =
    spec.role === 'partner'
      ? endpoint.partnerHost
      : spec.family === 6 && endpoint.probeHostV6 !== undefined
        ? endpoint.probeHostV6
        : endpoint.probeHost;
  const listener: Listener = tls ? 'https' : spec.listener;
  const port = endpoint.ports[listener];
  const probe = tls ? spec.probe + TLS_SUFFIX : spec.probe;
  const entry: PlannedProbe = {
    probe,
    url: origin(tls, host, port) + probePath(token, probe),
    role: spec.role,
    tls,
    listener,
    kind: spec.kind,
    family: (spec.family ?? 4) as AddressFamily,
  };
  if (!tls) entry.twin = spec.probe + TLS_SUFFIX;
  return entry;
}

/**
 * The plan of one run: every plain-HTTP probe, then their HTTPS twins. The IPv6 probes are in it when the
 * endpoint has an IPv6 probe host and the run does not leave them out (`ipv6: false`, a bearer with `ipv6: off`).
 */
export function buildPlan(
  token: string,
  endpoint: PlanEndpoint,
  options: { ipv6?: boolean } = {},
): PlannedProbe[] {
  const specs =
    endpoint.probeHostV6 !== undefined && options.ipv6 !== false
      ? HTTP_PROBES
      : HTTP_PROBES.filter((spec) => spec.family !== 6);
  return [
    ...specs.map((spec) => planned(spec, false, token, endpoint)),
    ...specs.map((spec) => planned(spec, true, token, endpoint)),
  ];
}

/** The header the partner pages send themselves: the one O2 leaked in 2012. */
export const CANARY_HEADER = 'x-up-calling-line-id';

/**
 * A fresh canary value: E.164-shaped digits without `+` (as O2 sent numbers), 13 digits starting with `289`.
 * Country codes 280–289 are spare in ITU-T E.164 (assigned to no country), so this can never be anyone's
 * number; the random tail makes each run's canary its own, so a value replayed from another run is told apart.
 */
export function newCanary(): Canary {
  let value = '28900';
  while (value.length < 13) value += String(randomInt(10));
  return { header: CANARY_HEADER, value };
}

/** Where a probe id belongs, whatever the run: its planned listener, kind and role. */
export interface ProbePlacement {
  listener: Listener;
  tls: boolean;
  kind: ProbeKind;
  role: ProbeRole;
}

const PLACEMENTS = new Map<string, ProbePlacement>([
  ...HTTP_PROBES.map(
    (p) =>
      [p.probe, { listener: p.listener, tls: false, kind: p.kind, role: p.role }] as [string, ProbePlacement],
  ),
  ...HTTP_PROBES.map(
    (p) =>
      [p.probe + TLS_SUFFIX, { listener: 'https', tls: true, kind: p.kind, role: p.role }] as [
        string,
        ProbePlacement,
      ],
  ),
]);

export function probePlacement(probe: string): ProbePlacement | undefined {
  return PLACEMENTS.get(probe);
}

/**
 * Plain, serialisable data shared by every layer: what the capture endpoint plans and records.
 * Nothing here does I/O.
 */
import { isIP } from 'node:net';

/** One request header exactly as received: original case, order and duplicates kept. */
export type HeaderPair = [name: string, value: string];

/** Which listener of the capture endpoint received a request. */
export type Listener = 'main' | 'alt' | 'https';

/** The probe host is a third party that must receive nothing; the partner host is whitelisted for enrichment. */
export type ProbeRole = 'third-party' | 'partner';

export type ProbeKind = 'navigation' | 'image' | 'fetch' | 'same-connection' | 'new-connection' | 'canary';

/** The IP family a probe is planned on (its host has only an A or only an AAAA record), or a capture came in on. */
export type AddressFamily = 4 | 6;

/** Probe ids on the IPv6-only probe host carry this infix: `nav-v6`, `nav-v6-tls`. */
export const IPV6_PROBE_MARK = '-v6';

/** Whether a probe id is one of the IPv6 probes (planned on the IPv6-only probe host). */
export function isIpv6Probe(probe: string): boolean {
  return probe.includes(IPV6_PROBE_MARK);
}

/**
 * The family of a connection from its remote address as the endpoint recorded it: an IPv4-mapped IPv6 address
 * (`::ffff:127.0.0.1`, a dual-stack socket's view of IPv4) is IPv4; undefined when it is no IP address.
 * A TCP connection's two ends share a family, so this is the family the capture came in on.
 */
export function addressFamily(address: string | undefined): AddressFamily | undefined {
  const a = (address ?? '').trim().toLowerCase().replace(/%.*$/, '');
  const family = isIP(a);
  if (family === 6 && /^::ffff:(\d|[0-9a-f]{1,4}:[0-9a-f]{1,4}$)/.test(a)) return 4;
  return family === 4 || family === 6 ? family : undefined;
}

/** One entry of a run's probe plan, as returned by `POST /api/runs`. */
export interface PlannedProbe {
  /** Stable probe id, e.g. `nav`, `nav-tls`. */
  probe: string;
  url: string;
  role: ProbeRole;
  tls: boolean;
  listener: Listener;
  kind: ProbeKind;
  /** For a plain-HTTP probe: the id of its HTTPS twin (the control). */
  twin?: string;
  /** The IP family of the probe's host: 4 for the IPv4-only probe host (and the partner host), 6 for the IPv6-only one. */
  family?: AddressFamily;
}

/** The client-sent spoof canary: a header the partner page sends itself, with a value that is no real number. */
export interface Canary {
  header: string;
  value: string;
}

/** One request as stored by the capture endpoint. */
export interface CaptureRecord {
  runToken: string;
  probe: string;
  listener: Listener;
  tls: boolean;
  httpVersion: string;
  method: string;
  url: string;
  host: string;
  remoteAddress: string;
  remotePort: number;
  connectionId: string;
  /** 1-based index of this request on its connection. */
  connectionRequestIndex: number;
  /** ISO-8601 receive time. */
  receivedAt: string;
  headers: HeaderPair[];
  /** The IP family it came in on, derived from `remoteAddress` when the API answers (not a stored column). */
  family?: AddressFamily;
}

/**
 * Whether a stored request is the planned probe itself, and so counts for it (completeness on the endpoint,
 * judging in the suite): not a CORS preflight, and received on the probe's planned listener. The endpoint keeps
 * the others for diagnosis; they never make a run complete and are never judged.
 */
export function isProbeCapture(record: CaptureRecord, planned: PlannedProbe): boolean {
  return (
    record.probe === planned.probe && record.method !== 'OPTIONS' && record.listener === planned.listener
  );
}

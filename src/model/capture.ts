/**
 * Plain, serialisable data shared by every layer: what the capture endpoint plans and records.
 * Nothing here does I/O.
 */

/** One request header exactly as received: original case, order and duplicates kept. */
export type HeaderPair = [name: string, value: string];

/** Which listener of the capture endpoint received a request. */
export type Listener = 'main' | 'alt' | 'https';

/** The probe host is a third party that must receive nothing; the partner host is whitelisted for enrichment. */
export type ProbeRole = 'third-party' | 'partner';

export type ProbeKind = 'navigation' | 'image' | 'fetch' | 'same-connection' | 'new-connection' | 'canary';

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

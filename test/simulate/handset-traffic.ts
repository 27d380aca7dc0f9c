/**
 * A run's probe traffic through the simulator's pure gateway rules, with no browser and no sockets: the requests
 * a Chrome handset makes for a run's plan (plain-HTTP probes through the gateway, their HTTPS twins tunnelled
 * untouched), turned into the capture records the endpoint would store.
 */
import { buildPlan, CANARY_HEADER, type PlanEndpoint } from '../../src/capture/plan/probe-plan.ts';
import type { Canary, CaptureRecord, HeaderPair, PlannedProbe } from '../../src/model/capture.ts';
import { enrich, type GatewayConfig } from '../../src/simulate/enrich.ts';
import { forwardRequestHeaders, requestTarget } from '../../src/simulate/http-head.ts';

export const TOKEN = 'matrixtoken00000000000000000000';
export const ENDPOINT: PlanEndpoint = {
  probeHost: 'probe.localhost',
  probeHostV6: '::1',
  partnerHost: 'partner.localhost',
  ports: { main: 18080, alt: 18081, https: 18443 },
};
/** E.164-shaped, country code 289 (spare): as `newCanary()` makes them, fixed so the matrix is deterministic. */
export const CANARY: Canary = { header: CANARY_HEADER, value: '2890012345678' };

/**
 * How the handset spreads its plain-HTTP requests over connections to the gateway (the simulator counts
 * requests per client connection): one keep-alive connection per origin, one shared by every origin (a
 * browser pools its proxy connections), or a new connection per request. A response with `Connection: close`
 * (the `same-conn` probe) ends its connection in each.
 */
export type ConnectionPattern = 'per-origin' | 'shared' | 'per-request';
export const CONNECTION_PATTERNS: readonly ConnectionPattern[] = ['per-origin', 'shared', 'per-request'];

const USER_AGENT =
  'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36';

/** What Chrome sends for a probe, in its order (the Host header and connection headers added by the caller). */
function browserHeaders(p: PlannedProbe, plan: readonly PlannedProbe[], canary: Canary): HeaderPair[] {
  const nav = plan.find((x) => x.probe === 'nav')!;
  const navOrigin = new URL(nav.url).origin;
  const common: HeaderPair[] = [
    ['User-Agent', USER_AGENT],
    ['Accept-Encoding', 'gzip, deflate'],
    ['Accept-Language', 'en-GB,en;q=0.9'],
  ];
  switch (p.kind) {
    case 'navigation':
      return [
        ['Upgrade-Insecure-Requests', '1'],
        common[0]!,
        ['Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8'],
        ['Sec-Fetch-Site', p.probe === 'nav' ? 'none' : 'cross-site'],
        ['Sec-Fetch-Mode', 'navigate'],
        ['Sec-Fetch-Dest', p.probe === 'nav' ? 'document' : 'iframe'],
        ...(p.probe === 'nav' ? [] : ([['Referer', `${navOrigin}/`]] as HeaderPair[])),
        ...common.slice(1),
      ];
    case 'image':
      return [
        common[0]!,
        ['Accept', 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8'],
        ['Sec-Fetch-Site', 'same-site'],
        ['Sec-Fetch-Mode', 'no-cors'],
        ['Sec-Fetch-Dest', 'image'],
        ['Referer', `${navOrigin}/`],
        ...common.slice(1),
      ];
    case 'canary':
      return [
        [canary.header, canary.value],
        common[0]!,
        ['Accept', '*/*'],
        ['Sec-Fetch-Site', 'same-origin'],
        ['Sec-Fetch-Mode', 'cors'],
        ['Sec-Fetch-Dest', 'empty'],
        ...common.slice(1),
      ];
    default:
      return [
        common[0]!,
        ['Accept', '*/*'],
        ['Origin', navOrigin],
        ['Sec-Fetch-Site', 'same-site'],
        ['Sec-Fetch-Mode', 'cors'],
        ['Sec-Fetch-Dest', 'empty'],
        ['Referer', `${navOrigin}/`],
        ...common.slice(1),
      ];
  }
}

function flat(pairs: readonly HeaderPair[]): string[] {
  return pairs.flat();
}

function pairs(raw: readonly string[]): HeaderPair[] {
  const out: HeaderPair[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

/** Counts requests per client connection the way the simulator does, for one connection pattern. */
class ConnectionCounter {
  private readonly open = new Map<string, number>();
  private next = 0;
  constructor(private readonly pattern: ConnectionPattern) {}

  /** The 1-based index of a request to `origin` on its client connection; `closes` ends that connection. */
  request(origin: string, closes: boolean): number {
    const key =
      this.pattern === 'shared' ? 'gateway' : this.pattern === 'per-origin' ? origin : `${this.next++}`;
    const index = (this.open.get(key) ?? 0) + 1;
    if (closes) this.open.delete(key);
    else this.open.set(key, index);
    return index;
  }
}

function record(p: PlannedProbe, headers: HeaderPair[], index: number): CaptureRecord {
  const url = new URL(p.url);
  return {
    runToken: TOKEN,
    probe: p.probe,
    listener: p.listener,
    tls: p.tls,
    httpVersion: '1.1',
    method: 'GET',
    url: url.pathname,
    host: url.host,
    remoteAddress: '127.0.0.1',
    remotePort: 40000 + index,
    connectionId: 'c',
    connectionRequestIndex: index,
    receivedAt: '2026-01-01T00:00:00.000Z',
    headers,
  };
}

export interface HandsetRun {
  plan: PlannedProbe[];
  /** What the capture endpoint stores: plain probes as the gateway forwards them, twins as the browser sent them. */
  records: CaptureRecord[];
}

/** One run of the plan by a Chrome handset behind a gateway with these rules. */
export function runThroughGateway(gateway: GatewayConfig, pattern: ConnectionPattern): HandsetRun {
  const plan = buildPlan(TOKEN, ENDPOINT);
  const counter = new ConnectionCounter(pattern);
  const records = plan.map((p) => {
    const url = new URL(p.url);
    const sent = browserHeaders(p, plan, CANARY);
    if (p.tls) return record(p, [['Host', url.host], ['Connection', 'keep-alive'], ...sent], 1);
    // Through a configured proxy: absolute-form target, Proxy-Connection instead of Connection.
    const raw = flat([['Host', url.host], ['Proxy-Connection', 'keep-alive'], ...sent]);
    const target = requestTarget(p.url, raw);
    const forwarded = forwardRequestHeaders(raw, target, { upgrade: false, chunkedBody: false });
    const index = counter.request(url.host, p.probe === 'same-conn');
    const out = enrich(gateway, {
      hostname: target.hostname,
      port: target.port,
      httpVersion: '1.1',
      requestIndex: index,
      rawHeaders: forwarded.rawHeaders,
    });
    return record(p, pairs(out.rawHeaders), index);
  });
  return { plan, records };
}

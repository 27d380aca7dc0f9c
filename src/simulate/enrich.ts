/**
 * The gateway's header rules, as a pure function: given the subscriber, the profile, the fault and one plain-HTTP
 * request, which client headers survive and which the gateway adds. What a fault changes comes from its record
 * (`faults.ts`). No I/O; the proxy applies the result.
 */
import { isIPv6 } from 'node:net';
import {
  type DerivedHeaders,
  type FaultName,
  type GatewayBehaviour,
  gatewayBehaviour,
  type NumberScope,
} from './faults.ts';
import { isIdentityHeader } from './identity-headers.ts';
import { BEARER_PROFILES, type SimBearer } from './profiles.ts';
import { cgnatAddress, encodedForms, trackingId } from './subscriber.ts';

export interface GatewayConfig {
  bearer: SimBearer;
  /** E.164 digits without "+". */
  msisdn: string;
  imsi?: string;
  fault?: FaultName;
  /** Lower-case host name that gets enrichment (any port). */
  partnerHost: string;
  /** The endpoint's main HTTP port; without it every port but 80 is "alternate". */
  mainPort?: number;
  /**
   * `--family 4|6`: the fault applies only to requests whose destination is of this IP family (an IPv6
   * address literal is 6; an IPv4 literal or a name, 4); the other family gets the healthy gateway.
   */
  faultFamily?: 4 | 6;
}

/** The IP family of a request's destination: 6 for an IPv6 address literal, else 4 (names resolve to IPv4 here). */
export function destinationFamily(hostname: string): 4 | 6 {
  return isIPv6(hostname) ? 6 : 4;
}

export interface RequestFacts {
  /** Target host name, lower case, IPv6 without brackets. */
  hostname: string;
  port: number;
  /** The client's HTTP version, e.g. `1.1`. */
  httpVersion: string;
  /** 1-based index of this request on its client connection. */
  requestIndex: number;
  /** The client's headers (hop-by-hop headers already handled), flat `[name, value, …]` as in `rawHeaders`. */
  rawHeaders: readonly string[];
}

export interface Enrichment {
  /** Headers to send upstream, flat `[name, value, …]`: the client's order and case, then the gateway's. */
  rawHeaders: string[];
  /** Names the gateway added, in order. */
  added: string[];
  /** Client-sent identity header names the gateway removed. */
  stripped: string[];
  /** Whether a subscriber identifier (plain, encoded or as a tracking id) is among the added headers. */
  discloses: boolean;
}

/** Header names the gateway sets itself (and so overwrites when the client sent them). */
const ENRICHMENT_HEADER = 'x-up-calling-line-id';
const IMSI_HEADER = 'x-wap-3gpp-imsi';
const TRACKING_HEADER = 'X-UIDH';
const ENCODED_BASE64_HEADER = 'X-Session-Ref';
const ENCODED_HASH_HEADER = 'X-Client-Hash';

const DOCUMENT_DESTS = new Set(['document', 'iframe', 'frame', 'embed', 'object']);

function headerValue(raw: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === name) return raw[i + 1];
  }
  return undefined;
}

/** Document (a navigation) or subresource (image, fetch, script …): Sec-Fetch-Dest first, else Accept. */
export function requestKind(raw: readonly string[]): 'document' | 'subresource' {
  const dest = headerValue(raw, 'sec-fetch-dest')?.trim().toLowerCase();
  if (dest) return DOCUMENT_DESTS.has(dest) ? 'document' : 'subresource';
  const mode = headerValue(raw, 'sec-fetch-mode')?.trim().toLowerCase();
  if (mode === 'navigate') return 'document';
  const accept = headerValue(raw, 'accept')?.toLowerCase() ?? '';
  return accept.includes('text/html') ? 'document' : 'subresource';
}

/** Whether a request is in a number scope: the requests that carry the subscriber's number. */
function inNumberScope(scope: NumberScope, config: GatewayConfig, facts: RequestFacts): boolean {
  const partner = facts.hostname === config.partnerHost;
  switch (scope) {
    case 'partner':
      return partner;
    case 'every-host':
      return true;
    case 'no-host':
      return false;
    case 'first-request':
      return facts.requestIndex === 1;
    case 'partner-and-alternate-port': {
      const alternate = config.mainPort !== undefined ? facts.port !== config.mainPort : facts.port !== 80;
      return partner || alternate;
    }
    case 'partner-and-subresources':
      return partner || requestKind(facts.rawHeaders) === 'subresource';
    case 'partner-and-ipv6':
      return partner || destinationFamily(facts.hostname) === 6;
  }
}

export function enrich(config: GatewayConfig, facts: RequestFacts): Enrichment {
  const faulty = config.faultFamily === undefined || destinationFamily(facts.hostname) === config.faultFamily;
  const behaviour: GatewayBehaviour = gatewayBehaviour(faulty ? config.fault : undefined);
  const profile = BEARER_PROFILES[config.bearer];
  const additions: [string, string][] = [];
  const protocol = facts.httpVersion === '1.0' ? '1.0' : '1.1';
  additions.push(['Via', `${protocol} ${profile.viaName} (${profile.viaComment})`]);
  additions.push(['X-Forwarded-For', cgnatAddress(config.msisdn)]);
  let discloses = false;
  if (inNumberScope(behaviour.number, config, facts)) {
    additions.push([ENRICHMENT_HEADER, config.msisdn]);
    if (config.imsi) additions.push([IMSI_HEADER, config.imsi]);
    discloses = true;
  }
  for (const derived of behaviour.derived) {
    additions.push(...derivedHeaders(derived, config.msisdn));
    discloses = true;
  }

  // Headers the gateway sets replace client-sent ones of the same name (Via and X-Forwarded-For are lists:
  // the gateway appends its entry as a further field line instead).
  const overwritten = new Set(
    additions.map(([name]) => name.toLowerCase()).filter((n) => n !== 'via' && n !== 'x-forwarded-for'),
  );
  const rawHeaders: string[] = [];
  const stripped: string[] = [];
  for (let i = 0; i + 1 < facts.rawHeaders.length; i += 2) {
    const name = facts.rawHeaders[i]!;
    const value = facts.rawHeaders[i + 1]!;
    const lower = name.toLowerCase();
    if (behaviour.stripsClientIdentity && (isIdentityHeader(lower) || overwritten.has(lower))) {
      stripped.push(name);
      continue;
    }
    rawHeaders.push(name, value);
  }
  for (const [name, value] of additions) rawHeaders.push(name, value);
  return { rawHeaders, added: additions.map(([name]) => name), stripped, discloses };
}

/** The headers of one identifier-derived kind, in the order the gateway sends them. */
function derivedHeaders(kind: DerivedHeaders, msisdn: string): [string, string][] {
  switch (kind) {
    case 'tracking-id':
      return [[TRACKING_HEADER, trackingId(msisdn)]];
    case 'encoded-number': {
      const forms = encodedForms(msisdn);
      return [
        [ENCODED_BASE64_HEADER, forms.base64],
        [ENCODED_HASH_HEADER, forms.sha256Hex],
      ];
    }
  }
}

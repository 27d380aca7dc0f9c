/**
 * The simulator's faults: one record per fault, the single place that says what it does, what it replays, where
 * that is documented, how the gateway departs from a healthy one, and which verdict rules a run must fail when
 * the fault is on. The enrichment, `headerguard sim --help`, docs/simulator.md (checked by a test) and the fault
 * matrix tests all read it. Plain data: sources in docs/headers.md.
 */
import type { RuleId } from '../model/finding.ts';

export type FaultName =
  | 'o2-2012'
  | 'partner-lost'
  | 'tracking-id'
  | 'spoofable'
  | 'first-request-only'
  | 'alt-port-only'
  | 'subresource-only'
  | 'encoded'
  | 'ipv6-only-leak';

/** Which plain-HTTP requests carry the subscriber's number (`x-up-calling-line-id`, with the IMSI when known). */
export type NumberScope =
  /** Healthy: the partner host only. */
  | 'partner'
  | 'every-host'
  | 'no-host'
  /** Every host, on the first request of each client connection only (partner included). */
  | 'first-request'
  /** The partner host, and every host on ports other than the endpoint's main HTTP port. */
  | 'partner-and-alternate-port'
  /** The partner host, and every host on subresource requests (images, fetches), not documents. */
  | 'partner-and-subresources'
  /** The partner host, and every host whose destination is an IPv6 address (the IPv6 path's own rules). */
  | 'partner-and-ipv6';

/** Identifier-derived headers a gateway sends to every host. */
export type DerivedHeaders =
  /** `X-UIDH`: base64 of a salted SHA-256 of the number, stable per subscriber. */
  | 'tracking-id'
  /** `X-Session-Ref`: base64 of the number; `X-Client-Hash`: its SHA-256 in hex. */
  | 'encoded-number';

/** What a gateway does to a plain-HTTP request. */
export interface GatewayBehaviour {
  number: NumberScope;
  derived: readonly DerivedHeaders[];
  /** Anti-spoofing: client-sent identity headers (and headers the gateway sets itself) are removed. */
  stripsClientIdentity: boolean;
}

export const HEALTHY_GATEWAY: GatewayBehaviour = Object.freeze({
  number: 'partner',
  derived: Object.freeze([]),
  stripsClientIdentity: true,
});

export interface FaultRecord {
  id: FaultName;
  /** What the simulator does, in one line. */
  summary: string;
  /** The incident or mechanism it replays. */
  replays: string;
  /** Where that is documented. */
  source: string;
  /** How the gateway departs from a healthy one (the rest as {@link HEALTHY_GATEWAY}). */
  gateway: GatewayBehaviour;
  /** Verdict rules a run through this fault must fail, whatever the handset's connection pattern. */
  trips: readonly RuleId[];
}

type FaultSpec = Omit<FaultRecord, 'id' | 'gateway'> & { gateway: Partial<GatewayBehaviour> };

/** The number reaching a third party in `x-up-calling-line-id`, absent from the HTTPS twin. */
const NUMBER_LEAK: readonly RuleId[] = [
  'identity-header',
  'identity-value',
  'identity-like-value',
  'unexpected-injection',
];

const SPECS: Record<FaultName, FaultSpec> = {
  'o2-2012': {
    summary: 'The MSISDN goes in x-up-calling-line-id to every host, not only to partners.',
    replays:
      'O2 UK, 10–25 January 2012: after "technical changes … as part of routine maintenance" the proxy that ' +
      'should strip x-up-calling-line-id before traffic leaves the network did not, so every website saw the ' +
      'number (E.164 without "+") of O2, GiffGaff and Tesco Mobile subscribers browsing over 3G/WAP.',
    source: 'The Register 2012/01/25; ZDNet; broadband-expert.co.uk',
    gateway: { number: 'every-host' },
    trips: NUMBER_LEAK,
  },
  'partner-lost': {
    summary: 'Partner hosts get no enrichment (Via and X-Forwarded-For only, like everyone else).',
    replays:
      'The opposite regression: a gateway change drops the partner host list, so direct carrier billing and ' +
      'age verification partners (still enriched on UK networks: O2, Three, Vodafone) stop getting the number. ' +
      'The positive control of the suite must catch it.',
    source: 'docs/headers.md (partner enrichment)',
    gateway: { number: 'no-host' },
    trips: ['partner-enrichment-missing'],
  },
  'tracking-id': {
    summary:
      'A stable per-subscriber tracking id (base64 of a salted SHA-256 of the MSISDN) goes in X-UIDH to every host.',
    replays:
      'Verizon\'s X-UIDH "supercookie" (e.g. OTgxNTk2NDk0ADJV…), injected into every plain-HTTP request and ' +
      "fined by the FCC in 2016; AT&T's x-acr the same way until November 2014.",
    source: 'FCC 2016; Netalyzr; docs/headers.md',
    gateway: { derived: ['tracking-id'] },
    trips: ['identity-header', 'unexpected-injection'],
  },
  spoofable: {
    summary:
      'Client-sent identity headers (x-up-calling-line-id, x-msisdn, …) pass through instead of being stripped.',
    replays:
      'A gateway without anti-spoofing: it adds its own header but forwards a forged one from the handset too, ' +
      'so anyone can impersonate a subscriber to billing partners.',
    source: 'docs/headers.md (gateway behaviour)',
    gateway: { stripsClientIdentity: false },
    trips: ['spoofable'],
  },
  'first-request-only': {
    summary:
      'The MSISDN goes in x-up-calling-line-id to every host on the first request of each client connection ' +
      'only; later requests on it get no enrichment (partner included).',
    replays:
      'Cisco P-GW "X-Header Insertion" with first-request-only: a leak that a suite sending one request per ' +
      'connection sees, and one that reuses connections misses.',
    source: 'Cisco P-GW documentation; docs/headers.md',
    gateway: { number: 'first-request' },
    trips: NUMBER_LEAK,
  },
  'alt-port-only': {
    summary:
      'The MSISDN goes in x-up-calling-line-id to every host on ports other than the main HTTP port ' +
      '(80, or --main-port); partners as usual.',
    replays:
      'Enrichment and stripping rules keyed on the destination port: the stripping proxy covers port 80 only, so ' +
      'traffic to 8080 leaks.',
    source: 'docs/headers.md (probe port 80 and other ports)',
    gateway: { number: 'partner-and-alternate-port' },
    trips: NUMBER_LEAK,
  },
  'subresource-only': {
    summary:
      'The MSISDN goes in x-up-calling-line-id to every host on images and fetches, not documents ' +
      '(Sec-Fetch-Dest, else Accept: text/html); partners as usual.',
    replays:
      'Enrichment rules scoped by request type (API and ad calls but not page loads): a suite that only loads a ' +
      'page and reads its own request headers never sees the leak.',
    source: 'mechanism; no single named incident',
    gateway: { number: 'partner-and-subresources' },
    trips: NUMBER_LEAK,
  },
  encoded: {
    summary:
      'The MSISDN goes to every host base64-encoded in X-Session-Ref and SHA-256-hashed (hex) in ' +
      'X-Client-Hash: names no header catalogue lists.',
    replays:
      'Encoded and hashed identifiers: Dialog\'s base64 "msisdn" header, Cisco P-GW encrypted-then-base64 tokens, ' +
      'hashed numbers (Adobe) — detection must read values, not only names.',
    source: 'docs/headers.md ("How identifiers are encoded")',
    gateway: { derived: ['encoded-number'] },
    trips: ['identity-value', 'unexpected-injection'],
  },
  'ipv6-only-leak': {
    summary:
      'The MSISDN goes in x-up-calling-line-id to every host reached over IPv6 (an IPv6 destination address); ' +
      'IPv4 traffic is healthy.',
    replays:
      'Dual-stack gateways keep separate IPv4 and IPv6 paths (and NAT64/464XLAT): an enrichment rule written ' +
      'for one family only, or a stripping rule missing from the IPv6 path, leaks on that path alone — a suite ' +
      'that probes one family passes.',
    source: 'mechanism (separate IPv4/IPv6 policy on the gateway); docs/headers.md',
    gateway: { number: 'partner-and-ipv6' },
    trips: NUMBER_LEAK,
  },
};

function records(specs: Record<FaultName, FaultSpec>): Readonly<Record<FaultName, FaultRecord>> {
  const out = {} as Record<FaultName, FaultRecord>;
  for (const id of Object.keys(specs) as FaultName[]) {
    const spec = specs[id];
    out[id] = Object.freeze({
      id,
      ...spec,
      gateway: Object.freeze({ ...HEALTHY_GATEWAY, ...spec.gateway }),
      trips: Object.freeze([...spec.trips]),
    });
  }
  return Object.freeze(out);
}

/** Every fault's record, by id. */
export const FAULTS: Readonly<Record<FaultName, FaultRecord>> = records(SPECS);

export const FAULT_NAMES: readonly FaultName[] = Object.freeze(Object.keys(FAULTS) as FaultName[]);

export function isFaultName(value: string): value is FaultName {
  return Object.hasOwn(FAULTS, value);
}

/** The gateway behaviour of a fault, or of a healthy gateway without one. */
export function gatewayBehaviour(fault: FaultName | undefined): GatewayBehaviour {
  return fault === undefined ? HEALTHY_GATEWAY : FAULTS[fault].gateway;
}

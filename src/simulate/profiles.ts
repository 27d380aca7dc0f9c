/**
 * Bearer profiles and fault replays of the simulator. Plain data: what each simulated gateway is called and which
 * documented incident or mechanism each fault replays (sources: docs/HEADERS.md of the shared docs).
 */

export type SimBearer = 'o2' | 'giffgaff' | 'tesco';

export const SIM_BEARERS: readonly SimBearer[] = Object.freeze(['o2', 'giffgaff', 'tesco'] as const);

export interface BearerProfile {
  id: SimBearer;
  displayName: string;
  /** ISO country of the network; every simulated bearer is British (national `07…` numbers are accepted). */
  country: 'GB';
  /** The network whose gateway carries the traffic (the MVNOs ride on O2). */
  parent: 'o2';
  /** `received-by` pseudonym and comment of the gateway's `Via` entry (RFC 9110 §7.6.3). */
  viaName: string;
  viaComment: string;
}

/**
 * GiffGaff and Tesco Mobile are MVNOs on O2 UK: same gateway rules, their own Via names (as a real MVNO's
 * branded APN gateway would show).
 */
export const BEARER_PROFILES: Readonly<Record<SimBearer, BearerProfile>> = Object.freeze({
  o2: {
    id: 'o2',
    displayName: 'O2 UK',
    country: 'GB',
    parent: 'o2',
    viaName: 'wapgw.o2.sim.headerguard',
    viaComment: 'O2 UK gateway; headerguard simulator',
  },
  giffgaff: {
    id: 'giffgaff',
    displayName: 'GiffGaff',
    country: 'GB',
    parent: 'o2',
    viaName: 'gw.giffgaff.sim.headerguard',
    viaComment: 'GiffGaff on O2 UK; headerguard simulator',
  },
  tesco: {
    id: 'tesco',
    displayName: 'Tesco Mobile',
    country: 'GB',
    parent: 'o2',
    viaName: 'gw.tescomobile.sim.headerguard',
    viaComment: 'Tesco Mobile on O2 UK; headerguard simulator',
  },
});

export type FaultName =
  | 'o2-2012'
  | 'partner-lost'
  | 'tracking-id'
  | 'spoofable'
  | 'first-request-only'
  | 'alt-port-only'
  | 'subresource-only'
  | 'encoded';

/** Each fault: what the simulator does (`summary`) and the incident or mechanism it replays (`replays`). */
export const FAULTS: Readonly<Record<FaultName, { summary: string; replays: string }>> = Object.freeze({
  'o2-2012': {
    summary: 'The MSISDN goes in x-up-calling-line-id to every host, not only to partners.',
    replays:
      'O2 UK, 10–25 January 2012: after "technical changes … as part of routine maintenance" the proxy that ' +
      'should strip x-up-calling-line-id before traffic leaves the network did not, so every website saw the ' +
      'number (E.164 without "+") of O2, GiffGaff and Tesco Mobile subscribers browsing over 3G/WAP ' +
      '(The Register 2012/01/25; ZDNet; broadband-expert.co.uk).',
  },
  'partner-lost': {
    summary: 'Partner hosts get no enrichment (Via and X-Forwarded-For only, like everyone else).',
    replays:
      'The opposite regression: a gateway change drops the partner host list, so direct carrier billing and ' +
      'age verification partners (still enriched on UK networks: O2, Three, Vodafone) stop getting the number. ' +
      'The positive control of the suite must catch it.',
  },
  'tracking-id': {
    summary:
      'A stable per-subscriber tracking id (base64 of a salted SHA-256 of the MSISDN) goes in X-UIDH to every host.',
    replays:
      'Verizon\'s X-UIDH "supercookie" (e.g. OTgxNTk2NDk0ADJV…), injected into every plain-HTTP request and ' +
      "fined by the FCC in 2016; AT&T's x-acr the same way until November 2014 (Netalyzr; HEADERS.md).",
  },
  spoofable: {
    summary:
      'Client-sent identity headers (x-up-calling-line-id, x-msisdn, …) pass through instead of being stripped.',
    replays:
      'A gateway without anti-spoofing: it adds its own header but forwards a forged one from the handset too, ' +
      'so anyone can impersonate a subscriber to billing partners (HEADERS.md, gateway behaviour).',
  },
  'first-request-only': {
    summary:
      'The MSISDN goes in x-up-calling-line-id to every host, but only on the first request of each client ' +
      'connection; later requests on the same connection get no enrichment at all.',
    replays:
      'Cisco P-GW "X-Header Insertion" with first-request-only: a leak that a suite sending one request per ' +
      'connection sees, and one that reuses connections misses (HEADERS.md).',
  },
  'alt-port-only': {
    summary:
      'The MSISDN goes in x-up-calling-line-id to every host, but only on ports other than the main HTTP port ' +
      '(80, or --main-port); partners are enriched as usual.',
    replays:
      'Enrichment and stripping rules keyed on the destination port: the stripping proxy covers port 80 only, so ' +
      'traffic to 8080 leaks (HEADERS.md: probe port 80 and other ports).',
  },
  'subresource-only': {
    summary:
      'The MSISDN goes in x-up-calling-line-id to every host on images and fetches, not on documents ' +
      '(decided by Sec-Fetch-Dest, else Accept: text/html); partners are enriched as usual.',
    replays:
      'Enrichment rules scoped by request type (API and ad calls but not page loads): a suite that only loads a ' +
      'page and reads its own request headers never sees the leak (mechanism; no single named incident).',
  },
  encoded: {
    summary:
      'The MSISDN goes to every host base64-encoded in X-Session-Ref and SHA-256-hashed (hex) in ' +
      'X-Client-Hash: innocuous names that no header catalogue lists.',
    replays:
      'Encoded and hashed identifiers: Dialog\'s base64 "msisdn" header, Cisco P-GW encrypted-then-base64 tokens, ' +
      'hashed numbers (Adobe) — detection must read values, not only names (HEADERS.md, "How identifiers are ' +
      'encoded").',
  },
});

export const FAULT_NAMES: readonly FaultName[] = Object.freeze(Object.keys(FAULTS) as FaultName[]);

export function isSimBearer(value: string): value is SimBearer {
  return (SIM_BEARERS as readonly string[]).includes(value);
}

export function isFaultName(value: string): value is FaultName {
  return Object.hasOwn(FAULTS, value);
}

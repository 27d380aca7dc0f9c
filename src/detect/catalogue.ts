/**
 * The identity-header catalogue: every identity or tracking header name in docs/headers.md, each with the source
 * that reported it, plus name patterns matched against a name's tokens (split on `-` and `_`), so `x-acr` and
 * `x-vf-acr` match `acr` while `x-macro` does not.
 */

export interface CatalogueEntry {
  /** Lower-case header name; a trailing `*` matches any suffix. */
  name: string;
  carries: string;
  source: string;
  /** `cookie` entries are matched against cookie names inside Cookie headers. */
  kind?: 'header' | 'cookie';
}

const NETALYZR = 'Netalyzr blog / Vallina-Rodriguez et al., "Header Enrichment or ISP Enrichment?" (2015)';
const O2_2012 = 'O2 UK incident, Jan 2012: theregister.co.uk 2012/01/25, broadband-expert.co.uk, zdnet';
const DETECTION_LISTS =
  'seen in header-enrichment detection lists (docs/headers.md, "Names seen only in detection lists")';

export const CATALOGUE: readonly CatalogueEntry[] = [
  { name: 'x-up-calling-line-id', carries: 'MSISDN', source: `${O2_2012}; Openwave gateways; TeliaSonera` },
  { name: 'x-up-subno', carries: 'subscriber id', source: 'AT&T, TIM (docs/headers.md)' },
  { name: 'msisdn', carries: 'MSISDN (plain or encrypted base64)', source: 'several carriers; Dialog LK' },
  { name: 'x-msisdn', carries: 'MSISDN (plain or encrypted base64)', source: 'several carriers; Dialog LK' },
  { name: 'x-up-3gpp-imeisv', carries: 'IMEI', source: NETALYZR },
  { name: 'x-up-nai', carries: 'user id / number', source: 'Vodacom (docs/headers.md)' },
  { name: 'x-up-vodacomgw-subid', carries: 'user id / number', source: 'Vodacom (docs/headers.md)' },
  { name: 'x-nokia-msisdn', carries: 'MSISDN', source: 'Nokia gateways (docs/headers.md)' },
  { name: 'x-nokia-alias', carries: 'encrypted number', source: 'Nokia gateways (docs/headers.md)' },
  { name: 'x-nokia-imsi', carries: 'IMSI', source: 'Nokia gateways (docs/headers.md)' },
  { name: 'x-nokia-ipaddress', carries: 'internal IP', source: 'Nokia gateways (docs/headers.md)' },
  { name: 'x-imsi', carries: 'IMSI', source: 'NowWAP, various (docs/headers.md)' },
  { name: 'x-wap-3gpp-imsi', carries: 'IMSI', source: 'NowWAP, various (docs/headers.md)' },
  { name: 'x-wap-3gpp-sgsn-mcc-mnc', carries: 'network location', source: 'NowWAP (docs/headers.md)' },
  { name: 'x-wap-3gpp-sgsn-address', carries: 'network location', source: 'NowWAP (docs/headers.md)' },
  { name: 'x-wap-3gpp-rat-type', carries: 'network location', source: 'NowWAP (docs/headers.md)' },
  { name: 'x-wap-client-ip', carries: 'network location', source: 'NowWAP (docs/headers.md)' },
  { name: 'x-uidh', carries: 'Verizon tracking id', source: 'Verizon (FCC consent decree, 2016)' },
  { name: 'x-acr', carries: 'AT&T tracking id', source: 'AT&T (stopped Nov 2014)' },
  {
    name: 'x-vf-acr',
    carries: 'anonymous customer reference (base64)',
    source: 'Vodafone NL/ES (docs/headers.md)',
  },
  { name: 'x-amobee-1', carries: 'ad id', source: 'Singtel/Airtel (docs/headers.md)' },
  { name: 'x-h3g-msisdn', carries: 'MSISDN', source: 'Three (docs/headers.md)' },
  {
    name: 'x-network-info',
    carries: 'CSV including the number',
    source: 'Chinese WAP gateways (docs/headers.md)',
  },
  { name: 'clientid', carries: 'base64 id', source: 'Sprint, Openwave (docs/headers.md)' },
  { name: 'x-up-subscriber-cos', carries: 'base64 id', source: 'Sprint, Openwave (docs/headers.md)' },
  { name: 'x-opwv-ddm-*', carries: 'base64 ids', source: 'Sprint, Openwave (docs/headers.md)' },
  { name: 'o2gw-id', carries: 'gateway client id', source: NETALYZR },
  { name: 'x-wap-msisdn', carries: 'MSISDN', source: DETECTION_LISTS },
  { name: 'x-wap-network-client-msisdn', carries: 'MSISDN', source: DETECTION_LISTS },
  { name: 'x-wsb-identity', carries: 'identity', source: DETECTION_LISTS },
  { name: 'x-wte-msisdn', carries: 'MSISDN', source: DETECTION_LISTS },
  { name: 'x-drutt-portal-user-msisdn', carries: 'MSISDN', source: DETECTION_LISTS },
  { name: 'x-jphone-uid', carries: 'user id', source: DETECTION_LISTS },
  { name: 'x-att-deviceid', carries: 'device id', source: DETECTION_LISTS },
  { name: 'x-hts-clid', carries: 'calling line id', source: DETECTION_LISTS },
  { name: 'x-nx-clid', carries: 'calling line id', source: DETECTION_LISTS },
  { name: 'x-fh-msisdn', carries: 'MSISDN', source: DETECTION_LISTS },
  { name: 'x-orange-id', carries: 'subscriber id', source: DETECTION_LISTS },
  { name: 'x-mdn', carries: 'mobile directory number', source: DETECTION_LISTS },
  { name: 'x-h3g-party-user-id', carries: 'user id', source: DETECTION_LISTS },
  { name: 'x-up-3gpp-sgsn-mcc-mnc', carries: 'network location', source: DETECTION_LISTS },
  { name: 'user-identity-forward-msisdn', carries: 'MSISDN', source: DETECTION_LISTS, kind: 'cookie' },
];

/**
 * Name patterns: a header (or cookie) name whose tokens contain one of these is an identity header.
 * Tokens are the name split on `-` and `_`, lower-cased, trailing digits dropped (`x-msisdn2` → `msisdn`).
 */
const NAME_TOKEN_PATTERNS: readonly { tokens: readonly string[]; why: string }[] = [
  { tokens: ['msisdn'], why: 'MSISDN (subscriber phone number)' },
  { tokens: ['imsi'], why: 'IMSI (SIM identity)' },
  { tokens: ['imei'], why: 'IMEI (handset identity)' },
  { tokens: ['imeisv'], why: 'IMEISV (handset identity)' },
  { tokens: ['calling', 'line'], why: 'calling line identity' },
  { tokens: ['callingline'], why: 'calling line identity' },
  { tokens: ['callinglineid'], why: 'calling line identity' },
  { tokens: ['subno'], why: 'subscriber number' },
  { tokens: ['subid'], why: 'subscriber id' },
  { tokens: ['clid'], why: 'calling line id' },
  { tokens: ['uidh'], why: 'unique identifier header (Verizon-style tracking id)' },
  { tokens: ['acr'], why: 'anonymous customer reference (tracking id)' },
  { tokens: ['mdn'], why: 'mobile directory number' },
];

/**
 * Ordinary proxy headers from docs/headers.md: not identity headers (the default allowlist covers the first three),
 * kept here with their sources so the catalogue accounts for every name in docs/headers.md.
 */
export const PROXY_HEADERS: readonly CatalogueEntry[] = [
  { name: 'via', carries: 'gateway host/vendor', source: 'RFC 9110 §7.6.3' },
  {
    name: 'x-forwarded-for',
    carries: "the subscriber's internal IP, possibly",
    source: 'de-facto proxy header',
  },
  { name: 'forwarded', carries: 'client address', source: 'RFC 7239' },
  { name: 'x-wap-profile', carries: 'device model (UAProf URL)', source: 'OMA UAProf' },
  { name: 'x-online-host', carries: 'original Host', source: 'WAP gateways (docs/headers.md)' },
  { name: 'x-up-devcap-*', carries: 'device capabilities', source: 'Openwave gateways (docs/headers.md)' },
];

export interface NameMatch {
  /** What the catalogue says the header carries. */
  why: string;
  /** `catalogue` for a listed name, `pattern` for a token match. */
  by: 'catalogue' | 'pattern';
}

const exact = new Map<string, CatalogueEntry>();
const prefixes: CatalogueEntry[] = [];
const cookies = new Map<string, CatalogueEntry>();
for (const e of CATALOGUE) {
  if (e.kind === 'cookie') cookies.set(e.name, e);
  else if (e.name.endsWith('*')) prefixes.push(e);
  else exact.set(e.name, e);
}

const memo = new Map<string, NameMatch | null>();

/** Does this header name identify a subscriber? Memoised per lower-cased name. */
export function matchIdentityHeader(name: string): NameMatch | undefined {
  const cached = memo.get(name);
  if (cached !== undefined) return cached ?? undefined;
  const result = computeMatch(name.toLowerCase(), exact, true);
  if (memo.size > 4096) memo.clear();
  memo.set(name, result ?? null);
  return result;
}

const cookieMemo = new Map<string, NameMatch | null>();

/**
 * Is this cookie name a catalogue identity cookie? Exact names only: name patterns are for header names, since
 * a site's own cookies (sent over HTTPS as well) are its business; cookies a gateway adds are caught by the
 * injection diff and the identifier rules. Memoised.
 */
/** Could this Cookie header value hold a catalogue identity cookie? A cheap substring pre-check. */
export function mayHoldIdentityCookie(cookieHeader: string): boolean {
  const lower = cookieHeader.toLowerCase();
  for (const name of cookies.keys()) if (lower.includes(name)) return true;
  return false;
}

export function matchIdentityCookie(name: string): NameMatch | undefined {
  const cached = cookieMemo.get(name);
  if (cached !== undefined) return cached ?? undefined;
  const e = cookies.get(name.trim().toLowerCase());
  const result = e
    ? { why: `catalogue: carries ${e.carries}; source: ${e.source}`, by: 'catalogue' as const }
    : undefined;
  if (cookieMemo.size > 4096) cookieMemo.clear();
  cookieMemo.set(name, result ?? null);
  return result;
}

function computeMatch(
  lower: string,
  table: Map<string, CatalogueEntry>,
  usePrefixes: boolean,
): NameMatch | undefined {
  const e = table.get(lower);
  if (e) return { why: `catalogue: carries ${e.carries}; source: ${e.source}`, by: 'catalogue' as const };
  if (usePrefixes) {
    for (const p of prefixes) {
      if (lower.startsWith(p.name.slice(0, -1))) {
        return {
          why: `catalogue (${p.name}): carries ${p.carries}; source: ${p.source}`,
          by: 'catalogue' as const,
        };
      }
    }
  }
  const tokens = lower.split(/[-_]+/).map(dropTrailingDigits).filter(Boolean);
  for (const pat of NAME_TOKEN_PATTERNS) {
    if (containsSequence(tokens, pat.tokens)) {
      return { why: `name token '${pat.tokens.join('-')}': ${pat.why}`, by: 'pattern' as const };
    }
  }
  return undefined;
}

function containsSequence(tokens: readonly string[], seq: readonly string[]): boolean {
  outer: for (let i = 0; i + seq.length <= tokens.length; i++) {
    for (let j = 0; j < seq.length; j++) if (tokens[i + j] !== seq[j]) continue outer;
    return true;
  }
  return false;
}

/** `t` without its trailing digits. A loop: `/\d+$/` retries from every digit, quadratic on a long digit run. */
function dropTrailingDigits(t: string): string {
  let end = t.length;
  while (end > 0 && t.charCodeAt(end - 1) >= 48 && t.charCodeAt(end - 1) <= 57) end--;
  return end === t.length ? t : t.slice(0, end);
}

/**
 * Identity and tracking header names that a sound gateway strips from what the handset sends (anti-spoofing)
 * before it adds its own. Source for every name: the shared docs/HEADERS.md ("Identity and tracking headers seen
 * in the wild" and "Names seen only in detection lists"), which cites the O2 2012 reports, Netalyzr, the FCC's
 * Verizon X-UIDH order and operators' own documentation.
 */
const NAMES = [
  // MSISDN / subscriber number
  'x-up-calling-line-id', // O2/GiffGaff/Tesco 2012, Openwave, TeliaSonera
  'x-up-subno', // AT&T, TIM
  'msisdn', // several; Dialog LK
  'x-msisdn',
  'x-up-nai', // Vodacom
  'x-up-vodacomgw-subid', // Vodacom
  'x-nokia-msisdn', // Nokia gateways
  'x-nokia-alias',
  'x-nokia-imsi',
  'x-nokia-ipaddress',
  'x-h3g-msisdn', // Three
  'x-network-info', // Chinese WAP gateways
  'clientid', // Sprint / Openwave
  'x-up-subscriber-cos',
  'o2gw-id', // Netalyzr
  // IMSI / IMEI / network location
  'x-up-3gpp-imeisv',
  'x-imsi',
  'x-wap-3gpp-imsi',
  'x-wap-3gpp-sgsn-mcc-mnc',
  'x-wap-3gpp-sgsn-address',
  'x-wap-3gpp-rat-type',
  'x-wap-client-ip',
  'x-up-3gpp-sgsn-mcc-mnc',
  // tracking ids
  'x-uidh', // Verizon
  'x-acr', // AT&T
  'x-vf-acr', // Vodafone NL/ES
  'x-amobee-1', // Singtel/Airtel
  // names seen only in detection lists
  'x-wap-msisdn',
  'x-wap-network-client-msisdn',
  'x-wsb-identity',
  'x-wte-msisdn',
  'x-drutt-portal-user-msisdn',
  'x-jphone-uid',
  'x-att-deviceid',
  'x-hts-clid',
  'x-nx-clid',
  'x-fh-msisdn',
  'x-orange-id',
  'x-mdn',
  'x-h3g-party-user-id',
  'user-identity-forward-msisdn',
] as const;

/** Prefixes of whole identity header families (Openwave `x-opwv-ddm-*`). */
const PREFIXES = ['x-opwv-ddm-'] as const;

const NAME_SET: ReadonlySet<string> = new Set(NAMES);

export const IDENTITY_HEADER_NAMES: readonly string[] = Object.freeze([...NAMES]);

/** Whether a header name (any case) is a known identity or tracking header. */
export function isIdentityHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return NAME_SET.has(lower) || PREFIXES.some((p) => lower.startsWith(p));
}

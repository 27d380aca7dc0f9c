/**
 * IP addresses and CIDR ranges as numbers, for bearer attestation. Pure. IPv4-mapped IPv6 addresses
 * (`::ffff:192.0.2.1`) are compared as the IPv4 address they carry, so a dual-stack listener's view of an IPv4
 * client matches an IPv4 range.
 */

export interface IpAddress {
  family: 4 | 6;
  value: bigint;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseIpv4(text: string): bigint | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  let value = 0n;
  for (const part of m.slice(1)) {
    const n = Number(part);
    if (n > 255 || (part.length > 1 && part.startsWith('0'))) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  let s = text.split('%')[0]!;
  // An embedded IPv4 tail (::ffff:192.0.2.1) stands for the last two groups.
  let tail: bigint[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.', lastColon)) {
    const v4 = parseIpv4(s.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [v4 >> 16n, v4 & 0xffffn];
    s = s.slice(0, lastColon + 1);
    if (!s.endsWith('::')) s = s.slice(0, -1);
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const zeros = 8 - head.length - rest.length - tail.length;
  if (halves.length === 1 ? zeros !== 0 : zeros < 1) return undefined;
  let value = 0n;
  for (const g of [...head, ...Array<string>(zeros).fill('0'), ...rest]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    value = (value << 16n) | BigInt(`0x${g}`);
  }
  for (const w of tail) value = (value << 16n) | w;
  return value;
}

const MAPPED_PREFIX = 0xffffn << 32n;

/** An address, IPv4-mapped IPv6 unwrapped to IPv4; undefined when it is not an address. */
export function parseIp(text: string): IpAddress | undefined {
  const t = text.trim().replace(/^\[(.*)\]$/, '$1');
  const v4 = parseIpv4(t);
  if (v4 !== undefined) return { family: 4, value: v4 };
  if (!t.includes(':')) return undefined;
  const v6 = parseIpv6(t);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === MAPPED_PREFIX >> 32n) return { family: 4, value: v6 & 0xffffffffn };
  return { family: 6, value: v6 };
}

export interface IpRange {
  text: string;
  family: 4 | 6;
  base: bigint;
  prefix: number;
}

/** `192.0.2.0/24`, `2001:db8::/32`, or a single address (a /32 or /128); undefined when malformed. */
export function parseCidr(text: string): IpRange | undefined {
  const [addr, bits, extra] = text.trim().split('/');
  if (extra !== undefined || addr === undefined) return undefined;
  const ip = parseIp(addr);
  if (!ip) return undefined;
  const width = ip.family === 4 ? 32 : 128;
  // A mapped IPv6 range (::ffff:192.0.2.0/120) is the IPv4 range it carries.
  const mapped = ip.family === 4 && addr.includes(':');
  let prefix = bits === undefined ? width : Number(bits);
  if (mapped && bits !== undefined) prefix -= 96;
  if (
    !Number.isInteger(prefix) ||
    prefix < 0 ||
    prefix > width ||
    (bits !== undefined && !/^\d+$/.test(bits))
  )
    return undefined;
  const shift = BigInt(width - prefix);
  return { text: text.trim(), family: ip.family, base: (ip.value >> shift) << shift, prefix };
}

export function inRange(ip: IpAddress, range: IpRange): boolean {
  if (ip.family !== range.family) return false;
  const shift = BigInt((ip.family === 4 ? 32 : 128) - range.prefix);
  return ip.value >> shift === range.base >> shift;
}

/**
 * Host names as addresses: an IP literal in any spelling the resolver accepts (`127.1`, `2130706433`, `0x7f.1`,
 * `0177.0.0.1`, `[::ffff:127.0.0.1]`, `[0:0:0:0:0:0:0:1]`) read once, by the WHATWG URL host parser, into one
 * canonical address, so that checks compare addresses rather than spellings and the proxy connects to exactly
 * the address it checked. `localhost` and `*.localhost` are 127.0.0.1 by the simulator's own rule (RFC 6761).
 */
import net from 'node:net';
import os from 'node:os';
import { ProxyInputError } from './http-head.ts';

/** IPv4-mapped IPv6 (`::ffff:7f00:1`, as the URL parser writes it) as the IPv4 address it reaches. */
function unmapped(ip: string): string {
  const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
  if (!m) return ip;
  const hi = Number.parseInt(m[1]!, 16);
  const lo = Number.parseInt(m[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/**
 * The canonical IP address a host name stands for without DNS: an IP literal in any spelling (IPv4-mapped IPv6
 * as IPv4), 127.0.0.1 for `localhost` and `*.localhost`; undefined for a DNS name. A name the URL host parser
 * reads as a malformed IPv4 address (`999.1.1.1`, `a.0x7f`) is refused with 400: a resolver might still read it.
 * `hostname` is lower case, without brackets or a trailing dot (as `parseAuthority` gives it).
 */
export function literalAddress(hostname: string): string | undefined {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return '127.0.0.1';
  if (net.isIPv6(hostname)) {
    return unmapped(new URL(`http://[${hostname}]/`).hostname.slice(1, -1));
  }
  let parsed: string;
  try {
    parsed = new URL(`http://${hostname}/`).hostname;
  } catch {
    throw new ProxyInputError(400, 'bad host: not a valid address or name');
  }
  return net.isIPv4(parsed) ? parsed : undefined;
}

/** Where to connect for a host name: its canonical address when it is an IP literal or a `localhost` name. */
export function connectAddress(hostname: string): string {
  return literalAddress(hostname) ?? hostname;
}

/** 127.0.0.0/8 and ::1 (IPv4-mapped forms included). */
export function isLoopbackAddress(ip: string): boolean {
  const v4 = unmapped(ip);
  return (net.isIPv4(v4) && v4.startsWith('127.')) || v4 === '::1';
}

/** 0.0.0.0 and ::, which a connect on this machine takes to the machine itself. */
export function isUnspecifiedAddress(ip: string): boolean {
  const v4 = unmapped(ip);
  return v4 === '0.0.0.0' || v4 === '::';
}

/** Every address of this machine's interfaces. */
function localAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(os.networkInterfaces())) {
    for (const i of list ?? []) out.add(unmapped(i.address.toLowerCase().replace(/%.*$/, '')));
  }
  return out;
}

/** Where the simulator listens, as its server reports it. */
export interface ListeningAddress {
  address: string;
  port: number;
}

/**
 * Whether a connection to `ip`:`port` from this machine reaches the simulator listening at `listening`.
 * Fails closed: with a loopback or wildcard bind, any loopback address counts (wherever in 127/8), and a
 * wildcard bind also covers every local interface address.
 */
export function reachesListener(ip: string, port: number, listening: ListeningAddress): boolean {
  if (port !== listening.port || listening.port === 0) return false;
  const target = unmapped(ip.toLowerCase());
  const bind = unmapped(listening.address.toLowerCase());
  if (isUnspecifiedAddress(target) || target === bind) return true;
  if (isUnspecifiedAddress(bind)) return isLoopbackAddress(target) || localAddresses().has(target);
  return isLoopbackAddress(bind) && isLoopbackAddress(target);
}

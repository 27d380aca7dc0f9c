/**
 * Loopback names, and requests that would loop back to the simulator itself: compared as addresses and ports,
 * whatever the spelling of the host (`127.1`, `2130706433`, `[::ffff:127.0.0.1]`, `localhost.`, …), and
 * checked again on the addresses a DNS name resolves to, before connecting.
 */
import dns from 'node:dns';
import type net from 'node:net';
import { isIP } from 'node:net';
import { type ListeningAddress, literalAddress, reachesListener } from './addresses.ts';
import { ProxyInputError } from './http-head.ts';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;
type AllCallback = (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void;

/** The error code of a connection refused because it would reach the simulator itself. */
export const SELF_LOOP_CODE = 'ESIMLOOP';

/** localhost, `*.localhost`, 127.0.0.0/8, ::1, and the wildcard addresses (for the open-proxy warning). */
export function isLoopbackName(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname) ||
    hostname === '0.0.0.0' ||
    hostname === '::'
  );
}

/**
 * Whether a target whose host is an address (in any spelling) or a `localhost` name is the simulator itself;
 * DNS names are checked on what they resolve to (`guardedLookup`). Throws ProxyInputError (400) for a host
 * that reads as a malformed IPv4 address.
 */
export function isSelf(target: { hostname: string; port: number }, listening: ListeningAddress): boolean {
  const address = literalAddress(target.hostname);
  return address !== undefined && reachesListener(address, target.port, listening);
}

/** A browser pointed at the simulator (origin form) gets 400; a proxied request to itself, 508. */
export function selfError(url: string): ProxyInputError {
  return url.startsWith('/')
    ? new ProxyInputError(400, 'this is a forward proxy: set it as the HTTP proxy, do not browse to it')
    : new ProxyInputError(508, 'request loops back to the simulator itself');
}

/**
 * A `lookup` for `net.connect` that resolves as usual and fails with SELF_LOOP_CODE when any address of the
 * name is one where `refuse` says the simulator listens.
 */
export function guardedLookup(
  refuse: (address: string) => boolean,
  resolve: Readonly<Record<string, string>> = {},
): net.LookupFunction {
  return (hostname, options, callback) => {
    // A name given by --resolve is answered from it, and checked like any other answer.
    const mapped = resolve[hostname.toLowerCase().replace(/\.$/, '')];
    const lookup: typeof dns.lookup = mapped
      ? (((_name: string, opts: dns.LookupOptions, cb: LookupCallback) => {
          const family = isIP(mapped);
          if (opts.all) (cb as unknown as AllCallback)(null, [{ address: mapped, family }]);
          else cb(null, mapped, family);
        }) as unknown as typeof dns.lookup)
      : dns.lookup;
    lookup(hostname, options, (err, address, family) => {
      if (err) {
        callback(err, address, family);
        return;
      }
      const all = Array.isArray(address) ? address.map((a) => a.address) : [address];
      if (all.some(refuse)) {
        const loop = Object.assign(new Error('request loops back to the simulator itself'), {
          code: SELF_LOOP_CODE,
        });
        callback(loop, address, family);
        return;
      }
      callback(null, address, family);
    });
  };
}

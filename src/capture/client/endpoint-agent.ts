import dns from 'node:dns';
import { isIP } from 'node:net';
import { Agent, type Dispatcher } from 'undici';

/**
 * How the API client reaches a deployed endpoint: its certificate checked against the system's CAs (default),
 * against a private CA (`ca`, PEM), or not at all (`insecure`: the farm's `capture.acceptInsecureCerts`), and
 * host names mapped without DNS (`resolve`, the farm's `capture.resolve`). Undefined when nothing differs from
 * fetch's own defaults.
 */
export interface EndpointConnection {
  ca?: string;
  insecure?: boolean;
  resolve?: Readonly<Record<string, string>>;
}

export function endpointDispatcher(options: EndpointConnection): Dispatcher | undefined {
  const { ca, insecure, resolve } = options;
  if (!ca && !insecure && !resolve) return undefined;
  return new Agent({
    connect: {
      ...(ca ? { ca } : {}),
      ...(insecure ? { rejectUnauthorized: false } : {}),
      ...(resolve ? { lookup: mappedLookup(resolve) } : {}),
    },
  });
}

/** dns.lookup, answering the mapped names from `resolve`. */
function mappedLookup(resolve: Readonly<Record<string, string>>): typeof dns.lookup {
  return ((hostname: string, opts: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
    const mapped = resolve[hostname.toLowerCase()];
    if (!mapped) return dns.lookup(hostname, opts, callback as never);
    const family = isIP(mapped);
    if (opts?.all) callback(null, [{ address: mapped, family }]);
    else callback(null, mapped, family);
  }) as unknown as typeof dns.lookup;
}

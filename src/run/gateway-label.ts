import type { Handset } from '../farm/index.ts';
import type { FaultName } from '../simulate/index.ts';

/**
 * What a handset browses through, as reports name it: `sim:<bearer>[:<fault>][@<egress>]` for the simulator (a
 * fault replay when a fault is named, `--sim-fault` winning over the farm's), the gateway URL with any
 * credentials removed, `direct` for an emulated handset with no gateway, `device` for a real handset on its
 * own connection.
 */
export function gatewayLabel(handset: Handset, simFault?: FaultName): string {
  const proxy = handset.proxy;
  switch (proxy.kind) {
    case 'sim': {
      const fault = simFault ?? proxy.fault;
      return `sim:${proxy.bearer}${fault ? `:${fault}` : ''}${proxy.egress ? `@${proxy.egress}` : ''}`;
    }
    case 'gateway':
      return withoutCredentials(proxy.url);
    case 'direct':
      return handset.appium ? 'device' : 'direct';
  }
}

/** A URL without its user and password (a gateway's credentials never reach a report). */
export function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}

import type { BearerPolicy } from '../model/policy.ts';
import { type IpRange, inRange, parseCidr, parseIp } from './ip-range.ts';

/** What attestation needs of a capture: where it came from and, for plain HTTP, its Via headers. */
export interface AttestedCapture {
  probe: string;
  tls: boolean;
  /** The address the capture endpoint saw the request come from; absent when unknown. */
  remoteAddress?: string;
  headers: readonly (readonly [string, string])[];
}

/** One probe that did not provably cross the bearer: which probe, which header (or `(remote address)`), why. */
export interface OffBearer {
  probe: string;
  header: string;
  evidence: string;
}

/**
 * Whether the run's traffic went over the bearer: every capture (plain HTTP and HTTPS twins alike: a phone on
 * Wi-Fi sends both off the bearer) must come from inside one of `attest.remoteCidrs`, and each plain-HTTP
 * probe must carry a `Via` matching `attest.viaPattern` when one is set. Returns one entry per offending probe;
 * empty when everything attests (or the policy has no `attest`). Fails closed: an unknown remote address or an
 * unusable range is off the bearer.
 */
export function offBearer(captures: readonly AttestedCapture[], attest: BearerPolicy['attest']): OffBearer[] {
  if (!attest) return [];
  const out: OffBearer[] = [];
  const ranges = (attest.remoteCidrs ?? []).map((text) => ({ text, range: parseCidr(text) }));
  const usable = ranges.filter((r): r is { text: string; range: IpRange } => r.range !== undefined);
  const expected = ranges.map((r) => r.text).join(', ');
  const via = attest.viaPattern === undefined ? undefined : new RegExp(attest.viaPattern, 'i');
  for (const c of captures) {
    if (attest.remoteCidrs) {
      const ip = c.remoteAddress === undefined ? undefined : parseIp(c.remoteAddress);
      if (!ip) {
        out.push({
          probe: c.probe,
          header: '(remote address)',
          evidence: `remote address ${c.remoteAddress === undefined ? 'unknown' : `'${c.remoteAddress}' unreadable`}: cannot tell whether it came over the bearer (expected ${expected})`,
        });
      } else if (!usable.some((r) => inRange(ip, r.range))) {
        out.push({
          probe: c.probe,
          header: '(remote address)',
          evidence: `not on the bearer: came from ${c.remoteAddress}, outside the bearer's ranges ${expected}`,
        });
      }
    }
    if (via && !c.tls) {
      const vias = c.headers.filter(([n]) => n.toLowerCase() === 'via').map(([, v]) => v);
      if (!vias.some((v) => via.test(v))) {
        out.push({
          probe: c.probe,
          header: 'Via',
          evidence: `not on the bearer: ${vias.length ? `Via '${vias.join(', ')}' does not match` : 'no Via header matching'} /${attest.viaPattern}/`,
        });
      }
    }
  }
  return out;
}

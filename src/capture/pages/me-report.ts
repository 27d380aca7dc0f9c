/**
 * What `/me` and `/me.json` tell a visitor about their own request: the headers exactly as received (case, order,
 * duplicates) and which of them are identity headers by the verdict engine's catalogue, with the rule each would
 * trip at a third-party host. Nothing is stored, and nothing here goes to a log.
 */
import { matchIdentityHeader } from '../../detect/index.ts';
import type { HeaderPair } from '../../model/capture.ts';

export interface MeRequest {
  method: string;
  url: string;
  httpVersion: string;
  tls: boolean;
  remoteAddress: string;
  headers: readonly HeaderPair[];
}

export interface IdentityHeaderNote {
  /** 0-based index of the header in `headers`. */
  index: number;
  name: string;
  /** The rule a capture with this header at the probe host trips. */
  rule: 'identity-header';
  /** The catalogue's reason: what the header carries and the source (never the value). */
  why: string;
}

/** `/me.json`, and the data of the `/me` page. */
export interface MeReport {
  method: string;
  url: string;
  tls: boolean;
  httpVersion: string;
  remoteAddress: string;
  headers: HeaderPair[];
  identityHeaders: IdentityHeaderNote[];
}

export function meReport(req: MeRequest): MeReport {
  const identityHeaders: IdentityHeaderNote[] = [];
  req.headers.forEach(([name], index) => {
    const m = matchIdentityHeader(name);
    if (m) identityHeaders.push({ index, name, rule: 'identity-header', why: m.why });
  });
  return {
    method: req.method,
    url: req.url,
    tls: req.tls,
    httpVersion: req.httpVersion,
    remoteAddress: req.remoteAddress,
    headers: req.headers.map(([n, v]): HeaderPair => [n, v]),
    identityHeaders,
  };
}

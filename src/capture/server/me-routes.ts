/**
 * `/me` (HTML) and `/me.json`: a visitor's own request headers, nothing stored. The page's script reads
 * `/me.json` over HTTPS from the page itself (another origin: scheme and port differ), so `/me.json` allows CORS
 * with credentials for origins on the request's own host name only: no other site can read a visitor's headers
 * (an injected identifier among them) through it.
 */
import type { Listener } from '../../model/capture.ts';
import { mePage } from '../pages/me-page.ts';
import { meReport } from '../pages/me-report.ts';
import { ME_SCRIPT_HASH } from '../pages/me-script.ts';
import { headerPairs } from '../store/capture-block.ts';
import type { Arrival, EndpointContext } from './context.ts';
import { type AnyRequest, type AnyResponse, HttpError, NO_STORE, sendHtml, sendJson } from './http-io.ts';
import { isHostName } from './options.ts';

/** The host name of a Host header (`probe.localhost:8080` → `probe.localhost`, `[::1]:80` → `[::1]`), or undefined. */
export function hostNameOf(host: string): string | undefined {
  const h = host.trim().toLowerCase();
  const name = h.startsWith('[') ? h.slice(0, h.indexOf(']') + 1) : h.split(':')[0]!;
  const bare = name.startsWith('[') ? name.slice(1, -1) : name;
  return bare !== '' && isHostName(bare) ? name : undefined;
}

function httpsOrigin(ctx: EndpointContext, arrival: Arrival): string | undefined {
  const name = hostNameOf(arrival.host);
  if (!name) return undefined;
  const port = ctx.endpoint.ports.https;
  return port === 443 ? `https://${name}` : `https://${name}:${port}`;
}

/** The Origin to allow: one on this request's own host name, over HTTP or HTTPS, on one of our ports. */
function allowedOrigin(
  ctx: EndpointContext,
  arrival: Arrival,
  origin: string | undefined,
): string | undefined {
  if (!origin) return undefined;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.origin !== origin || hostNameOf(url.host) !== hostNameOf(arrival.host)) return undefined;
  const ports = ctx.endpoint.ports;
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return [ports.main, ports.alt, ports.https].includes(port) ? origin : undefined;
}

const PRIVATE = 'no-store, no-transform, private';

export function handleMe(
  ctx: EndpointContext,
  arrival: Arrival,
  req: AnyRequest,
  res: AnyResponse,
  listener: Listener,
  json: boolean,
): void {
  const { method } = arrival;
  if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'use GET', { allow: 'GET, HEAD' });
  const request = {
    method,
    url: arrival.url,
    httpVersion: arrival.httpVersion,
    tls: arrival.tls,
    remoteAddress: arrival.remoteAddress,
    headers: headerPairs(req.rawHeaders),
  };
  if (json) {
    const origin = allowedOrigin(ctx, arrival, req.headers.origin);
    const cors = origin
      ? { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true' }
      : {};
    sendJson(req, res, 200, meReport(request), {
      ...NO_STORE,
      'cache-control': PRIVATE,
      vary: 'Origin',
      ...cors,
    });
    return;
  }
  const secure = httpsOrigin(ctx, arrival);
  const csp =
    `default-src 'none'; style-src 'unsafe-inline'; script-src ${ME_SCRIPT_HASH}` +
    (secure && !arrival.tls ? `; connect-src ${secure}` : '');
  const html = mePage({ ...request, listener, httpsUrl: secure ? `${secure}/me.json` : undefined });
  sendHtml(req, res, 200, html, { 'content-security-policy': csp, 'cache-control': PRIVATE });
}

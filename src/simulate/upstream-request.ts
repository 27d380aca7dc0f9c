/** A client request as the gateway sends it upstream: its target, and the enriched head in exact bytes. */
import type http from 'node:http';
import { type Enrichment, enrich } from './enrich.ts';
import {
  checkRequestFraming,
  forwardRequestHeaders,
  type ProxyTarget,
  requestTarget,
  serialiseRequestHead,
} from './http-head.ts';
import { selfError } from './loopback.ts';
import type { ProxyContext } from './proxy-context.ts';

export interface UpstreamRequest {
  target: ProxyTarget;
  /** The request head to write upstream. */
  head: Buffer;
  /** The client asked to close its connection after this exchange. */
  clientClose: boolean;
  enrichment: Enrichment;
}

/**
 * Parse the target, refuse a request to the simulator itself, handle hop-by-hop headers and apply the gateway
 * rules. `index` is the request's 1-based index on its client connection. Throws ProxyInputError to refuse.
 */
export function upstreamRequest(
  ctx: ProxyContext,
  req: http.IncomingMessage,
  index: number,
  upgrade: boolean,
): UpstreamRequest {
  const target = requestTarget(req.url ?? '', req.rawHeaders);
  if (ctx.isSelf(target)) throw selfError(req.url ?? '');
  checkRequestFraming(req.headers['transfer-encoding']);
  const fwd = forwardRequestHeaders(req.rawHeaders, target, {
    upgrade,
    chunkedBody: !upgrade && req.headers['transfer-encoding'] !== undefined,
  });
  const enrichment = enrich(ctx.gateway, {
    hostname: target.hostname,
    port: target.port,
    httpVersion: req.httpVersion,
    requestIndex: index,
    rawHeaders: fwd.rawHeaders,
  });
  const head = serialiseRequestHead(req.method ?? 'GET', target.path, enrichment.rawHeaders);
  return { target, head, clientClose: fwd.close, enrichment };
}

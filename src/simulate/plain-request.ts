/**
 * Node's `request` event: a plain-HTTP request from the handset, counted on its client connection, enriched
 * and forwarded, or refused with a one-line answer.
 */
import type http from 'node:http';
import { forward } from './forward.ts';
import { ProxyInputError } from './http-head.ts';
import type { ProxyContext } from './proxy-context.ts';
import { errorCode, plainError } from './raw-errors.ts';
import { type UpstreamRequest, upstreamRequest } from './upstream-request.ts';

export function handleRequest(ctx: ProxyContext, req: http.IncomingMessage, res: http.ServerResponse): void {
  const { log } = ctx;
  const { conn, index } = ctx.clients.nextRequest(req.socket);
  req.on('error', () => {
    /* client reset mid-request: res 'close' tears the exchange down */
  });
  let request: UpstreamRequest;
  try {
    request = upstreamRequest(ctx, req, index, false);
    const { target, enrichment: e } = request;
    log.info(
      {
        conn: conn.id,
        req: index,
        method: req.method,
        host: ctx.shown(`${target.hostname}:${target.port}`),
        added: e.added,
        stripped: e.stripped,
        discloses: e.discloses,
      },
      'request',
    );
  } catch (err) {
    if (err instanceof ProxyInputError) {
      log.info({ conn: conn.id, req: index, status: err.status }, err.message);
      plainError(res, err.status, err.message, err.close);
      return;
    }
    log.error({ conn: conn.id, req: index, code: errorCode(err) }, 'internal error');
    plainError(res, 500, 'internal error');
    return;
  }
  forward(ctx, req, res, conn, request, index);
}

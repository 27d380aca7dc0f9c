/** Plain-HTTP upgrades (WebSocket over the proxy): the request is enriched like any other, then bytes relayed. */
import type http from 'node:http';
import type net from 'node:net';
import { ProxyInputError } from './http-head.ts';
import type { ProxyContext } from './proxy-context.ts';
import { rawError } from './raw-errors.ts';
import { adoptTunnel, relay } from './relay.ts';
import { type UpstreamRequest, upstreamRequest } from './upstream-request.ts';

export function handleUpgrade(
  ctx: ProxyContext,
  req: http.IncomingMessage,
  socket: net.Socket,
  rest: Buffer,
): void {
  const { conn, index } = adoptTunnel(ctx, socket);
  let request: UpstreamRequest;
  try {
    request = upstreamRequest(ctx, req, index, true);
    const { target, enrichment: e } = request;
    ctx.log.info(
      {
        conn: conn.id,
        req: index,
        host: ctx.shown(`${target.hostname}:${target.port}`),
        added: e.added,
      },
      'upgrade',
    );
  } catch (err) {
    const status = err instanceof ProxyInputError ? err.status : 500;
    rawError(socket, status, err instanceof ProxyInputError ? err.message : 'internal error');
    return;
  }
  const u = ctx.pool.open(undefined, request.target.hostname, request.target.port);
  relay(ctx, socket, u, Buffer.concat([request.head, rest]), undefined);
}

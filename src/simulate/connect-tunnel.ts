/** CONNECT: a byte-for-byte tunnel to the target. TLS cannot be enriched, which is the suite's control. */
import type http from 'node:http';
import type net from 'node:net';
import { ProxyInputError, parseAuthority } from './http-head.ts';
import type { ProxyContext } from './proxy-context.ts';
import { rawError } from './raw-errors.ts';
import { adoptTunnel, relay } from './relay.ts';

export function handleConnect(
  ctx: ProxyContext,
  req: http.IncomingMessage,
  socket: net.Socket,
  rest: Buffer,
): void {
  const { conn, index } = adoptTunnel(ctx, socket);
  let hostname: string;
  let port: number;
  try {
    ({ hostname, port } = parseAuthority(req.url ?? '', undefined, 'CONNECT target'));
    if (ctx.isSelf({ hostname, port }))
      throw new ProxyInputError(508, 'tunnel loops back to the simulator itself');
  } catch (err) {
    const status = err instanceof ProxyInputError ? err.status : 500;
    rawError(socket, status, err instanceof ProxyInputError ? err.message : 'internal error');
    return;
  }
  ctx.log.info({ conn: conn.id, req: index, host: ctx.shown(`${hostname}:${port}`) }, 'tunnel');
  const u = ctx.pool.open(undefined, hostname, port);
  relay(
    ctx,
    socket,
    u,
    rest,
    `HTTP/${req.httpVersion === '1.0' ? '1.0' : '1.1'} 200 Connection Established\r\n\r\n`,
  );
}

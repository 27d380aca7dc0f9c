/**
 * Byte-for-byte relay between a client socket and a fresh upstream: CONNECT tunnels and plain-HTTP upgrades,
 * once the simulator has taken the client socket over from Node's HTTP server.
 */
import type net from 'node:net';
import type { ClientConnection } from './client-connections.ts';
import type { ProxyContext } from './proxy-context.ts';
import { errorCode, rawError, upstreamFailureStatus } from './raw-errors.ts';
import type { Upstream } from './upstream-pool.ts';

/** Count the tunnel's request on its client connection and track its socket until it closes. */
export function adoptTunnel(
  ctx: ProxyContext,
  socket: net.Socket,
): { conn: ClientConnection; index: number } {
  const counted = ctx.clients.nextRequest(socket);
  ctx.tunnels.add(socket);
  socket.once('close', () => ctx.tunnels.delete(socket));
  socket.on('error', () => socket.destroy());
  return counted;
}

/**
 * Once the upstream connects: `established` (if any) to the client, `first` upstream, then pipes both ways.
 * An upstream that fails before that gets a one-line error answer on the client socket.
 */
export function relay(
  ctx: ProxyContext,
  client: net.Socket,
  u: Upstream,
  first: Buffer,
  established: string | undefined,
): void {
  const { log, shown } = ctx;
  let open = false;
  u.handler = {
    data() {},
    end() {},
    error(err) {
      if (!open) {
        const { status, reason } = upstreamFailureStatus(err);
        log.warn({ host: shown(u.key), code: errorCode(err) }, 'tunnel upstream failed');
        rawError(client, status, `${reason} for ${shown(u.key)}`);
      } else {
        client.destroy();
      }
    },
    close() {
      if (!open && !client.destroyed) rawError(client, 502, `upstream closed for ${shown(u.key)}`);
    },
  };
  // The relay reads through pipes, not through the handler.
  u.socket.removeAllListeners('data');
  u.socket.removeAllListeners('end');
  client.once('close', () => u.socket.destroy());
  const start = () => {
    open = true;
    u.socket.setTimeout(0);
    if (established) client.write(established);
    if (first.length > 0) u.socket.write(first);
    client.pipe(u.socket);
    u.socket.pipe(client);
    u.socket.once('close', () => client.destroy());
  };
  if (u.connected) start();
  else u.socket.once('connect', start);
}

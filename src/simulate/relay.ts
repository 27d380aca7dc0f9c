/**
 * Byte-for-byte relay between a client socket and a fresh upstream: CONNECT tunnels and plain-HTTP upgrades,
 * once the simulator has taken the client socket over from Node's HTTP server.
 *
 * Both sockets live and die together: either side's close or error destroys the other. A client that goes
 * away (FIN) before it had an answer abandoned the exchange: both go at once. A half-close after that is
 * passed on, and from then on the relay is bounded by the upstream timeout of inactivity, so a peer that
 * never closes its side cannot pin two descriptors for ever. An upgrade waits at most the upstream timeout for
 * the upstream's first byte, then gets 504.
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

/** Flush what is queued to `socket`, close it, and destroy it once written (or after `lingerMs` regardless). */
function closeSoon(socket: net.Socket, lingerMs: number): void {
  if (socket.destroyed) return;
  socket.once('finish', () => socket.destroy());
  const timer = setTimeout(() => socket.destroy(), lingerMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.end();
}

/**
 * Once the upstream connects: `established` (a CONNECT tunnel's 200; none for an upgrade) to the client, `first`
 * upstream, then relays both ways. Until the client has an answer (the tunnel's 200, or the upgrade's first
 * upstream bytes), an upstream failure gets a one-line error answer on the client socket.
 */
export function relay(
  ctx: ProxyContext,
  client: net.Socket,
  u: Upstream,
  first: Buffer,
  established: string | undefined,
): void {
  const { log, shown } = ctx;
  const timeoutMs = ctx.pool.timeoutMs;
  let answered = false;
  const teardown = () => {
    client.destroy();
    u.socket.destroy();
  };
  u.handler = {
    data() {},
    end() {},
    error(err) {
      if (answered) {
        client.destroy();
        return;
      }
      answered = true;
      const { status, reason } = upstreamFailureStatus(err);
      log.warn({ host: shown(u.key), code: errorCode(err) }, 'tunnel upstream failed');
      rawError(client, status, `${reason} for ${shown(u.key)}`);
    },
    close() {
      if (answered) {
        closeSoon(client, timeoutMs);
        return;
      }
      answered = true;
      rawError(client, 502, `upstream closed for ${shown(u.key)}`);
    },
  };
  // The relay reads through its own listeners, not through the handler.
  u.socket.removeAllListeners('data');
  u.socket.removeAllListeners('end');
  client.once('close', () => u.socket.destroy());

  /** After a half-close: whichever side is still open may idle at most the upstream timeout. */
  const bounded = () => {
    u.socket.setTimeout(timeoutMs); // the pool's timeout handler destroys it; its close closes the client
    client.setTimeout(timeoutMs, teardown);
  };
  client.once('end', () => {
    if (!answered) {
      teardown(); // abandoned before any answer
      return;
    }
    u.socket.end();
    bounded();
  });

  const start = () => {
    if (client.destroyed) {
      u.socket.destroy();
      return;
    }
    if (established) {
      answered = true;
      u.socket.setTimeout(0);
      client.write(established);
    }
    u.socket.on('data', (chunk: Buffer) => {
      if (!answered) {
        answered = true;
        u.socket.setTimeout(0); // the upgrade is answered: no timeout on a quiet WebSocket
      }
      if (!client.write(chunk)) {
        u.socket.pause();
        client.once('drain', () => u.socket.resume());
      }
    });
    u.socket.once('end', () => {
      if (!answered) {
        answered = true;
        rawError(client, 502, `upstream closed for ${shown(u.key)}`);
        u.socket.destroy();
        return;
      }
      client.end();
      bounded();
    });
    if (first.length > 0) u.socket.write(first);
    client.pipe(u.socket, { end: false });
  };
  if (u.connected) start();
  else u.socket.once('connect', start);
}

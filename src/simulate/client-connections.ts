/**
 * The proxy's client connections: an id for the logs, the count of requests made on each (what makes
 * `first-request-only` real), and the upstream sockets each owns, closed with it.
 */
import type net from 'node:net';
import { OwnedUpstreams } from './upstream-pool.ts';

export interface ClientConnection {
  id: number;
  /** Requests made on this connection so far (CONNECT and upgrades included). */
  requests: number;
  upstreams: OwnedUpstreams;
}

export class ClientConnections {
  private readonly bySocket = new WeakMap<net.Socket, ClientConnection>();
  private nextId = 1;

  /** The connection of a client socket, created on first sight. */
  of(socket: net.Socket): ClientConnection {
    let conn = this.bySocket.get(socket);
    if (!conn) {
      conn = { id: this.nextId++, requests: 0, upstreams: new OwnedUpstreams() };
      this.bySocket.set(socket, conn);
      const { upstreams } = conn;
      socket.once('close', () => upstreams.close());
    }
    return conn;
  }

  /** Count one more request on the socket's connection; its 1-based index there. */
  nextRequest(socket: net.Socket): { conn: ClientConnection; index: number } {
    const conn = this.of(socket);
    conn.requests += 1;
    return { conn, index: conn.requests };
  }
}

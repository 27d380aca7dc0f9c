/**
 * Upstream sockets of the forward proxy. Each belongs to the client connection that opened it (so the endpoint
 * sees the handset's connection pattern) and is kept alive between that client's requests, keyed by
 * `host:port`; a socket's handler is swapped per exchange.
 */
import net from 'node:net';
import { connectAddress } from './addresses.ts';
import { guardedLookup } from './loopback.ts';

/** What the exchange currently using an upstream socket does with its events. */
export interface UpstreamHandler {
  data(chunk: Buffer): void;
  end(): void;
  error(err: Error): void;
  close(): void;
}

/** One upstream socket with a swappable handler (the exchange currently using it). */
export class Upstream {
  handler: UpstreamHandler | undefined;
  connected = false;
  constructor(
    readonly socket: net.Socket,
    readonly key: string,
    onGone: (u: Upstream) => void,
  ) {
    socket.on('data', (chunk: Buffer) => {
      if (this.handler) this.handler.data(chunk);
      else socket.destroy(); // unsolicited bytes on an idle connection: never reuse it
    });
    socket.on('end', () => {
      if (this.handler) this.handler.end();
      else socket.destroy();
    });
    socket.on('error', (err) => {
      this.handler?.error(err);
    });
    socket.on('close', () => {
      onGone(this);
      this.handler?.close();
    });
  }
}

/** The upstream sockets one client connection owns: all of them, and the idle ones by `host:port`. */
export class OwnedUpstreams {
  readonly idle = new Map<string, Upstream[]>();
  readonly all = new Set<Upstream>();
  /** The client connection is gone: nothing goes back to idle. */
  closed = false;

  /** An idle, still open upstream to `key`, taken out of the idle list. */
  takeIdle(key: string): Upstream | undefined {
    const list = this.idle.get(key);
    while (list && list.length > 0) {
      const u = list.pop()!;
      if (!u.socket.destroyed) return u;
    }
    return undefined;
  }

  /** Back to idle after a reusable exchange (destroyed instead if the client connection is gone). */
  release(u: Upstream): void {
    u.handler = undefined;
    if (this.closed || u.socket.destroyed) {
      u.socket.destroy();
      return;
    }
    let list = this.idle.get(u.key);
    if (!list) {
      list = [];
      this.idle.set(u.key, list);
    }
    list.push(u);
  }

  /** The client connection closed: destroy every upstream it owns. */
  close(): void {
    this.closed = true;
    for (const u of this.all) u.socket.destroy();
    this.all.clear();
    this.idle.clear();
  }

  forget(u: Upstream): void {
    this.all.delete(u);
    const list = this.idle.get(u.key);
    if (list) {
      const at = list.indexOf(u);
      if (at >= 0) list.splice(at, 1);
    }
  }
}

/** Every upstream socket the proxy has open, so that closing the simulator drops them all. */
export class UpstreamPool {
  private readonly all = new Set<Upstream>();

  /**
   * `timeoutMs`: how long a socket may take to connect, or stay silent (idle, or while an answer is due),
   * before it is destroyed with ETIMEDOUT (the exchange using it answers 504).
   */
  constructor(
    readonly timeoutMs: number,
    /** Whether `address`:`port` is the simulator itself: a name that resolves to it is never connected to. */
    private readonly isSelf: (address: string, port: number) => boolean = () => false,
    /** The local address upstream connections leave from (`--egress`); the system's choice when absent. */
    private readonly egress?: string,
    /** Host names resolved without DNS (`--resolve`). */
    private readonly resolve: Readonly<Record<string, string>> = {},
  ) {}

  /** Connect to `hostname:port`; `owner` is the client connection it belongs to (none for tunnels). */
  open(owner: OwnedUpstreams | undefined, hostname: string, port: number): Upstream {
    const socket = net.connect({
      host: connectAddress(hostname),
      port,
      lookup: guardedLookup((address) => this.isSelf(address, port), this.resolve),
      ...(this.egress ? { localAddress: this.egress } : {}),
    });
    socket.setNoDelay(true);
    socket.setTimeout(this.timeoutMs);
    const upstream = new Upstream(socket, `${hostname}:${port}`, (u) => {
      this.all.delete(u);
      owner?.forget(u);
    });
    socket.once('connect', () => {
      upstream.connected = true;
    });
    socket.on('timeout', () => {
      socket.destroy(Object.assign(new Error('upstream timed out'), { code: 'ETIMEDOUT' }));
    });
    this.all.add(upstream);
    owner?.all.add(upstream);
    return upstream;
  }

  destroyAll(): void {
    for (const u of this.all) u.socket.destroy();
  }
}

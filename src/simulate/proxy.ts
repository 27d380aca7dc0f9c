/**
 * The bearer simulator's forward proxy: one subscriber's carrier gateway on loopback.
 *
 * - Client side: Node's HTTP server (request parsing, keep-alive, pipelining), one counter per client connection.
 * - Upstream side: our own HTTP/1.1 writer on raw sockets, so the upstream sees exactly the client's header lines
 *   (case, order, duplicates) plus the gateway's, and nothing Node would add on its own. Upstream connections
 *   belong to the client connection that opened them (so the endpoint sees the handset's connection pattern) and
 *   are kept alive between its requests.
 * - CONNECT is tunnelled byte for byte; TLS cannot be enriched.
 */
import http from 'node:http';
import net from 'node:net';
import type { Logger } from '../shared/logger.ts';
import { createLogger } from '../shared/logger.ts';
import { maskIdentifier, maskKnown } from '../shared/mask.ts';
import { enrich } from './enrich.ts';
import {
  connectAddress,
  forwardRequestHeaders,
  forwardResponseHeaders,
  ProxyInputError,
  type ProxyTarget,
  parseAuthority,
  requestTarget,
  serialiseRequestHead,
} from './http-head.ts';
import type { ResolvedOptions } from './options.ts';
import { ResponseParseError, ResponseParser } from './response-parser.ts';

export interface RunningSimulator {
  port: number;
  /** `http://127.0.0.1:<port>` (the bind address when it is not a wildcard). */
  url: string;
  /** Idempotent; destroys open sockets. */
  close(): Promise<void>;
}

/** Inactivity limits on the upstream side. */
const CONNECT_TIMEOUT_MS = 10_000;
const UPSTREAM_IDLE_TIMEOUT_MS = 120_000;

interface ClientConnection {
  id: number;
  requests: number;
  /** Idle upstream sockets of this client connection, by `host:port`. */
  idle: Map<string, Upstream[]>;
  upstreams: Set<Upstream>;
  closed: boolean;
}

interface UpstreamHandler {
  data(chunk: Buffer): void;
  end(): void;
  error(err: Error): void;
  close(): void;
}

/** One upstream socket with a swappable handler (the exchange currently using it). */
class Upstream {
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

function errorCode(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.name : 'error';
}

function isLoopbackName(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname) ||
    hostname === '0.0.0.0' ||
    hostname === '::'
  );
}

function urlFor(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return `http://127.0.0.1:${port}`;
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

export async function startProxy(
  resolved: ResolvedOptions,
  loggerOverride?: Logger,
): Promise<RunningSimulator> {
  const { gateway } = resolved;
  const log = loggerOverride ?? createLogger('sim', resolved.logLevel);
  const subscriber = maskIdentifier(gateway.msisdn);
  const connections = new WeakMap<net.Socket, ClientConnection>();
  const tunnels = new Set<net.Socket>();
  const allUpstreams = new Set<Upstream>();
  let nextConnectionId = 1;
  let listeningPort = 0;

  const server = http.createServer();
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 60_000;

  function connectionOf(socket: net.Socket): ClientConnection {
    let conn = connections.get(socket);
    if (!conn) {
      conn = { id: nextConnectionId++, requests: 0, idle: new Map(), upstreams: new Set(), closed: false };
      connections.set(socket, conn);
      const c = conn;
      socket.once('close', () => {
        c.closed = true;
        for (const u of c.upstreams) u.socket.destroy();
        c.upstreams.clear();
        c.idle.clear();
      });
    }
    return conn;
  }

  function isSelf(target: { hostname: string; port: number }): boolean {
    return (
      target.port === listeningPort && (isLoopbackName(target.hostname) || target.hostname === resolved.host)
    );
  }

  function selfError(url: string): ProxyInputError {
    return url.startsWith('/')
      ? new ProxyInputError(400, 'this is a forward proxy: set it as the HTTP proxy, do not browse to it')
      : new ProxyInputError(508, 'request loops back to the simulator itself');
  }

  /** Host names are not subscriber data, but a host built from a known identifier must not log it. */
  const secrets = [gateway.msisdn, gateway.imsi];
  const shown = (hostAndPort: string) => maskKnown(hostAndPort, secrets);

  function openUpstream(conn: ClientConnection | undefined, hostname: string, port: number): Upstream {
    const socket = net.connect({ host: connectAddress(hostname), port });
    socket.setNoDelay(true);
    socket.setTimeout(CONNECT_TIMEOUT_MS);
    const upstream = new Upstream(socket, `${hostname}:${port}`, (u) => {
      allUpstreams.delete(u);
      if (conn) {
        conn.upstreams.delete(u);
        const list = conn.idle.get(u.key);
        if (list) {
          const at = list.indexOf(u);
          if (at >= 0) list.splice(at, 1);
        }
      }
    });
    socket.once('connect', () => {
      upstream.connected = true;
      socket.setTimeout(UPSTREAM_IDLE_TIMEOUT_MS);
    });
    socket.on('timeout', () => {
      socket.destroy(Object.assign(new Error('upstream timed out'), { code: 'ETIMEDOUT' }));
    });
    allUpstreams.add(upstream);
    conn?.upstreams.add(upstream);
    return upstream;
  }

  function takeIdle(conn: ClientConnection, key: string): Upstream | undefined {
    const list = conn.idle.get(key);
    while (list && list.length > 0) {
      const u = list.pop()!;
      if (!u.socket.destroyed) return u;
    }
    return undefined;
  }

  function release(conn: ClientConnection, u: Upstream): void {
    u.handler = undefined;
    if (conn.closed || u.socket.destroyed) {
      u.socket.destroy();
      return;
    }
    let list = conn.idle.get(u.key);
    if (!list) {
      list = [];
      conn.idle.set(u.key, list);
    }
    list.push(u);
  }

  function plainError(res: http.ServerResponse, status: number, message: string): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = `headerguard sim: ${message}\n`;
    res.writeHead(status, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
  }

  function upstreamFailureStatus(err: unknown): { status: number; reason: string } {
    const code = errorCode(err);
    if (code === 'ETIMEDOUT') return { status: 504, reason: `upstream timed out (${code})` };
    if (err instanceof ResponseParseError) return { status: 502, reason: err.message };
    return { status: 502, reason: `cannot reach upstream (${code})` };
  }

  /** Forward one plain-HTTP exchange; retries once on a fresh connection if a reused one was already dead. */
  function forward(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    conn: ClientConnection,
    target: ProxyTarget,
    head: Buffer,
    clientClose: boolean,
    index: number,
  ): void {
    const key = `${target.hostname}:${target.port}`;
    const chunked = req.headers['transfer-encoding'] !== undefined;
    const hasBody =
      chunked || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
    let bodyStarted = false;
    let bodySent = !hasBody;
    let clientGone = false;
    let current: Upstream | undefined;

    res.sendDate = false;
    res.once('close', () => {
      if (!res.writableFinished) {
        clientGone = true;
        current?.socket.destroy();
      }
    });

    const pumpBody = (u: Upstream) => {
      if (!hasBody || bodyStarted) return;
      bodyStarted = true;
      let waitingForUpstream = false;
      const write = (data: Buffer | string) => {
        if (!u.socket.destroyed && !u.socket.write(data) && !waitingForUpstream) {
          waitingForUpstream = true;
          req.pause();
          u.socket.once('drain', () => {
            waitingForUpstream = false;
            req.resume();
          });
        }
      };
      req.on('data', (chunk: Buffer) => {
        if (chunked)
          write(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]));
        else write(chunk);
      });
      req.once('end', () => {
        if (chunked) {
          let trailer = '0\r\n';
          for (let i = 0; i + 1 < req.rawTrailers.length; i += 2) {
            trailer += `${req.rawTrailers[i]}: ${req.rawTrailers[i + 1]}\r\n`;
          }
          write(`${trailer}\r\n`);
        }
        bodySent = true;
      });
    };

    const attempt = (u: Upstream, reused: boolean) => {
      current = u;
      u.socket.resume(); // a pooled socket may have been paused by its previous exchange
      let waitingForClient = false;
      let finished = false;
      let reusable = false;
      const parser = new ResponseParser(req.method ?? 'GET', {
        onHead(response) {
          const out = forwardResponseHeaders(response.rawHeaders);
          try {
            res.writeHead(response.statusCode, response.statusMessage || undefined, out.rawHeaders);
          } catch {
            throw new ResponseParseError('upstream sent a header the client side cannot carry');
          }
          log.info(
            {
              conn: conn.id,
              req: index,
              status: response.statusCode,
              host: shown(key),
              close: out.close,
            },
            'response',
          );
        },
        onBody(chunk) {
          if (!res.write(chunk) && !waitingForClient) {
            waitingForClient = true;
            u.socket.pause();
            res.once('drain', () => {
              waitingForClient = false;
              u.socket.resume();
            });
          }
        },
        onEnd(canReuse) {
          finished = true;
          reusable = canReuse;
        },
      });
      const complete = () => {
        res.end();
        const again = reusable && parser.extraBytes === 0 && bodySent && !clientClose && !clientGone;
        if (again) release(conn, u);
        else {
          u.handler = undefined;
          u.socket.destroy();
        }
      };
      const fail = (err: unknown) => {
        if (finished) return;
        finished = true;
        u.handler = undefined;
        u.socket.destroy();
        if (clientGone) return;
        if (reused && parser.pristine && !bodyStarted && !res.headersSent) {
          attempt(openUpstream(conn, target.hostname, target.port), false);
          return;
        }
        const { status, reason } = upstreamFailureStatus(err);
        log.warn({ conn: conn.id, req: index, host: shown(key), code: errorCode(err) }, 'upstream failed');
        plainError(res, status, `${reason} for ${shown(key)}`);
      };
      u.handler = {
        data(chunk) {
          if (finished) return;
          try {
            parser.push(chunk);
          } catch (err) {
            fail(err);
            return;
          }
          if (finished && parser.done) complete();
        },
        end() {
          if (finished) return;
          try {
            parser.end();
          } catch (err) {
            fail(err);
            return;
          }
          if (finished) complete();
        },
        error(err) {
          fail(err);
        },
        close() {
          fail(new ResponseParseError('upstream closed the connection in the middle of a response'));
        },
      };
      const send = () => {
        u.socket.write(head);
        pumpBody(u);
      };
      if (u.connected) send();
      else u.socket.once('connect', send);
    };

    const idle = takeIdle(conn, key);
    attempt(idle ?? openUpstream(conn, target.hostname, target.port), idle !== undefined);
  }

  server.on('connection', (socket: net.Socket) => {
    connectionOf(socket);
    socket.on('error', () => {
      /* resets and aborts are normal client behaviour */
    });
  });

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const conn = connectionOf(req.socket);
    conn.requests += 1;
    const index = conn.requests;
    req.on('error', () => {
      /* client reset mid-request: res 'close' tears the exchange down */
    });
    let target: ProxyTarget;
    let head: Buffer;
    let clientClose: boolean;
    try {
      target = requestTarget(req.url ?? '', req.rawHeaders);
      if (isSelf(target)) throw selfError(req.url ?? '');
      const fwd = forwardRequestHeaders(req.rawHeaders, target, {
        upgrade: false,
        chunkedBody: req.headers['transfer-encoding'] !== undefined,
      });
      clientClose = fwd.close;
      const e = enrich(gateway, {
        hostname: target.hostname,
        port: target.port,
        httpVersion: req.httpVersion,
        requestIndex: index,
        rawHeaders: fwd.rawHeaders,
      });
      head = serialiseRequestHead(req.method ?? 'GET', target.path, e.rawHeaders);
      log.info(
        {
          conn: conn.id,
          req: index,
          method: req.method,
          host: shown(`${target.hostname}:${target.port}`),
          added: e.added,
          stripped: e.stripped,
          discloses: e.discloses,
        },
        'request',
      );
    } catch (err) {
      if (err instanceof ProxyInputError) {
        log.info({ conn: conn.id, req: index, status: err.status }, err.message);
        plainError(res, err.status, err.message);
        return;
      }
      log.error({ conn: conn.id, req: index, code: errorCode(err) }, 'internal error');
      plainError(res, 500, 'internal error');
      return;
    }
    forward(req, res, conn, target, head, clientClose, index);
  });

  // Plain-HTTP upgrades (WebSocket over the proxy): enrich the request, then relay bytes both ways.
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, rest: Buffer) => {
    const conn = connectionOf(socket);
    conn.requests += 1;
    tunnels.add(socket);
    socket.once('close', () => tunnels.delete(socket));
    socket.on('error', () => socket.destroy());
    let target: ProxyTarget;
    let head: Buffer;
    try {
      target = requestTarget(req.url ?? '', req.rawHeaders);
      if (isSelf(target)) throw selfError(req.url ?? '');
      const fwd = forwardRequestHeaders(req.rawHeaders, target, { upgrade: true, chunkedBody: false });
      const e = enrich(gateway, {
        hostname: target.hostname,
        port: target.port,
        httpVersion: req.httpVersion,
        requestIndex: conn.requests,
        rawHeaders: fwd.rawHeaders,
      });
      head = serialiseRequestHead(req.method ?? 'GET', target.path, e.rawHeaders);
      log.info(
        {
          conn: conn.id,
          req: conn.requests,
          host: shown(`${target.hostname}:${target.port}`),
          added: e.added,
        },
        'upgrade',
      );
    } catch (err) {
      const status = err instanceof ProxyInputError ? err.status : 500;
      rawError(socket, status, err instanceof ProxyInputError ? err.message : 'internal error');
      return;
    }
    const u = openUpstream(undefined, target.hostname, target.port);
    relay(socket, u, Buffer.concat([head, rest]), undefined);
  });

  server.on('connect', (req: http.IncomingMessage, socket: net.Socket, rest: Buffer) => {
    const conn = connectionOf(socket);
    conn.requests += 1;
    tunnels.add(socket);
    socket.once('close', () => tunnels.delete(socket));
    socket.on('error', () => socket.destroy());
    let hostname: string;
    let port: number;
    try {
      ({ hostname, port } = parseAuthority(req.url ?? '', undefined, 'CONNECT target'));
      if (isSelf({ hostname, port }))
        throw new ProxyInputError(508, 'tunnel loops back to the simulator itself');
    } catch (err) {
      const status = err instanceof ProxyInputError ? err.status : 500;
      rawError(socket, status, err instanceof ProxyInputError ? err.message : 'internal error');
      return;
    }
    log.info({ conn: conn.id, req: conn.requests, host: shown(`${hostname}:${port}`) }, 'tunnel');
    const u = openUpstream(undefined, hostname, port);
    relay(
      socket,
      u,
      rest,
      `HTTP/${req.httpVersion === '1.0' ? '1.0' : '1.1'} 200 Connection Established\r\n\r\n`,
    );
  });

  function rawError(socket: net.Socket, status: number, message: string): void {
    const body = `headerguard sim: ${message}\n`;
    const text = http.STATUS_CODES[status] ?? 'Error';
    if (socket.writable) {
      socket.end(
        `HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    } else {
      socket.destroy();
    }
  }

  /** Byte-for-byte relay between a client socket and a fresh upstream (CONNECT, upgrades). */
  function relay(client: net.Socket, u: Upstream, first: Buffer, established: string | undefined): void {
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

  server.on('clientError', (err: NodeJS.ErrnoException, socket: net.Socket) => {
    const code = err.code ?? 'error';
    if (code !== 'ECONNRESET' && code !== 'EPIPE' && socket.writable) {
      log.info({ code }, 'malformed client request');
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    } else {
      socket.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(resolved.port, resolved.host);
  });
  server.on('error', (err) => log.error({ code: errorCode(err) }, 'server error'));

  const address = server.address();
  listeningPort = typeof address === 'object' && address ? address.port : resolved.port;
  const url = urlFor(resolved.host, listeningPort);
  log.info(
    {
      bearer: gateway.bearer,
      fault: gateway.fault ?? null,
      subscriber,
      partnerHost: gateway.partnerHost,
      url,
    },
    'simulator listening',
  );

  if (!isLoopbackName(resolved.host) || resolved.host === '0.0.0.0' || resolved.host === '::') {
    log.warn(
      { host: resolved.host },
      'listening beyond loopback: anyone who can reach this port can browse as the simulated subscriber',
    );
  }

  let closing: Promise<void> | undefined;
  return {
    port: listeningPort,
    url,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of tunnels) s.destroy();
        for (const u of allUpstreams) u.socket.destroy();
        log.info({ url }, 'simulator stopped');
      });
      return closing;
    },
  };
}

/**
 * The bearer simulator's forward proxy: one subscriber's carrier gateway on loopback.
 *
 * - Client side: Node's HTTP server (request parsing, keep-alive, pipelining), one counter per client connection
 *   (`client-connections.ts`).
 * - Upstream side: our own HTTP/1.1 writer on raw sockets (`forward.ts`), so the upstream sees exactly the
 *   client's header lines (case, order, duplicates) plus the gateway's, and nothing Node would add on its own.
 *   Upstream connections belong to the client connection that opened them (`upstream-pool.ts`).
 * - Plain-HTTP upgrades are enriched, then relayed (`upgrade.ts`); CONNECT is tunnelled byte for byte
 *   (`connect-tunnel.ts`): TLS cannot be enriched.
 *
 * This module wires those handlers to one HTTP server, listens, and closes everything on `close()`.
 */
import http from 'node:http';
import type net from 'node:net';
import type { DestinationStream } from 'pino';
import { listen } from '../shared/listen.ts';
import { createLogger } from '../shared/logger.ts';
import { maskIdentifier } from '../shared/mask.ts';
import { type ListeningAddress, reachesListener } from './addresses.ts';
import { ClientConnections } from './client-connections.ts';
import { handleConnect } from './connect-tunnel.ts';
import { isLoopbackName, isSelf } from './loopback.ts';
import { subscriberMask } from './masking.ts';
import type { ResolvedOptions } from './options.ts';
import { handleRequest } from './plain-request.ts';
import type { ProxyContext } from './proxy-context.ts';
import { answerClientError, errorCode } from './raw-errors.ts';
import { handleUpgrade } from './upgrade.ts';
import { UpstreamPool } from './upstream-pool.ts';

export interface RunningSimulator {
  port: number;
  /** `http://127.0.0.1:<port>` (the bind address when it is not a wildcard). */
  url: string;
  /** Idempotent; destroys open sockets. */
  close(): Promise<void>;
}

/** Largest request head the simulator accepts (Node's default); a larger one gets 431. */
export const MAX_HEADER_BYTES = 16 * 1024;

/** The simulator's URL from this machine: wildcard binds are reached on 127.0.0.1. */
function urlFor(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return `http://127.0.0.1:${port}`;
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

/** `logDestination`: where the log lines go instead of stderr (tests). */
export async function startProxy(
  resolved: ResolvedOptions,
  logDestination?: DestinationStream,
): Promise<RunningSimulator> {
  const { gateway } = resolved;
  const mask = subscriberMask(gateway);
  const log = createLogger('sim', resolved.logLevel, {
    scrub: mask.line,
    ...(logDestination ? { destination: logDestination } : {}),
  });
  const subscriber = maskIdentifier(gateway.msisdn);
  /** Known once the server listens; until then nothing is forwarded anyway. */
  let listening: ListeningAddress | undefined;
  const ctx: ProxyContext = {
    gateway,
    log,
    clients: new ClientConnections(),
    pool: new UpstreamPool(
      resolved.upstreamTimeoutMs,
      (address, port) => listening !== undefined && reachesListener(address, port, listening),
      resolved.egress,
      resolved.resolve,
    ),
    tunnels: new Set<net.Socket>(),
    shown: mask.text,
    // Always read the host (a malformed address is refused even before `listening` is known).
    isSelf: (target) => isSelf(target, listening ?? { address: resolved.host, port: 0 }),
  };

  const server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES });
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 60_000;
  // Node keeps only the first ~1,023 header lines by default and drops the rest without a word; the gateway
  // forwards every line (the block is bounded in bytes: a larger one gets 431).
  server.maxHeadersCount = 0;

  server.on('connection', (socket: net.Socket) => {
    ctx.clients.of(socket);
    socket.on('error', () => {
      /* resets and aborts are normal client behaviour */
    });
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => handleRequest(ctx, req, res));
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, rest: Buffer) =>
    handleUpgrade(ctx, req, socket, rest),
  );
  server.on('connect', (req: http.IncomingMessage, socket: net.Socket, rest: Buffer) =>
    handleConnect(ctx, req, socket, rest),
  );
  server.on('clientError', (err: NodeJS.ErrnoException, socket: net.Socket) =>
    answerClientError(log, err, socket),
  );

  const listeningPort = await listen(server, resolved.port, resolved.host, (err) =>
    log.error({ code: errorCode(err) }, 'server error'),
  );
  const bound = server.address() as net.AddressInfo;
  listening = { address: bound.address, port: listeningPort };
  const url = urlFor(resolved.host, listeningPort);
  log.info(
    {
      bearer: gateway.bearer,
      fault: gateway.fault ?? null,
      subscriber,
      partnerHost: mask.text(gateway.partnerHost),
      url: mask.text(url),
    },
    'simulator listening',
  );

  if (!isLoopbackName(resolved.host) || resolved.host === '0.0.0.0' || resolved.host === '::') {
    log.warn(
      { host: mask.text(resolved.host) },
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
        for (const s of ctx.tunnels) s.destroy();
        ctx.pool.destroyAll();
        log.info({ url: mask.text(url) }, 'simulator stopped');
      });
      return closing;
    },
  };
}

/**
 * `startCaptureServer`: one process, three listeners (main HTTP, alternate HTTP, HTTPS with h1 and h2), one store.
 */
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import net, { type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Listener } from '../../model/capture.ts';
import { describeError, PortInUseError, UserError } from '../../shared/errors.ts';
import { listen } from '../../shared/listen.ts';
import { createLogger, type Logger } from '../../shared/logger.ts';
import { PageCache } from '../pages/page-cache.ts';
import type { PlanEndpoint } from '../plan/probe-plan.ts';
import { openRunStore } from '../store/open-run-store.ts';
import type { CaptureServerOptions, RunningCaptureServer } from '../types.ts';
import { ApiKeyCheck } from './auth.ts';
import { ConnectionRegistry } from './connections.ts';
import type { EndpointContext } from './context.ts';
import { EndpointMetrics } from './metrics.ts';
import { createMetricsHandler } from './metrics-routes.ts';
import { MAX_BODY_BYTES, MAX_HEADER_BYTES, resolveOptions } from './options.ts';
import { createApiListenerHandler, createHandler } from './router.ts';
import { checkTlsPair, tlsMaterial } from './tls-material.ts';

type AnyServer = http.Server | https.Server | http2.Http2SecureServer;

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/** Malformed or oversized requests: answer once, close, keep serving. The raw bytes are never logged. */
function onClientError(logger: Logger, listener: Listener | 'api') {
  return (err: NodeJS.ErrnoException, socket: Duplex): void => {
    const code = err.code ?? 'unknown';
    const inResponse = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage
      ?.headersSent;
    if (code === 'ECONNRESET' || !socket.writable || inResponse) {
      socket.destroy();
      return;
    }
    const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const message =
      status === 431
        ? `request header block is larger than ${MAX_HEADER_BYTES} bytes`
        : status === 408
          ? 'request took too long to arrive'
          : 'malformed HTTP request';
    const body = JSON.stringify({ error: message });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
    logger.info({ listener, code, status }, 'bad request refused');
  };
}

/**
 * A TLS connection whose handshake failed or timed out: dropped. With a listener for this event Node no longer
 * destroys the socket itself (a timed-out handshake stayed open).
 */
function onFailedHandshake(logger: Logger, listener: 'https' | 'api') {
  return (err: NodeJS.ErrnoException, socket: Duplex): void => {
    socket.destroy();
    logger.debug({ listener, code: err.code }, 'TLS handshake failed');
  };
}

/** Listen, or fail with a one-line UserError saying which listener and why. */
async function listenOn(
  server: AnyServer,
  port: number,
  host: string,
  listener: Listener | 'metrics' | 'api',
  logger: Logger,
): Promise<number> {
  try {
    return await listen(server, port, host, (e) =>
      logger.error({ listener, code: e.code }, 'listener error'),
    );
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // No address in the message: the CLI masks digit runs, which would garble an IP address.
    const where = port === 0 ? `the ${listener} listener` : `${listener} port ${port}`;
    if (e.code === 'EADDRINUSE')
      throw new PortInUseError(`cannot listen on ${where}: address already in use`);
    const hint =
      e.code === 'EACCES'
        ? 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)'
        : e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND'
          ? 'the bind address is not an address of this machine'
          : describeError(e);
    throw new UserError(`cannot listen on ${where}: ${hint}`);
  }
}

/**
 * The same listener on the other IP family: a plain socket on `host` (IPv6 only) and `port` whose connections
 * the listener serves as its own (an http, https or h2 server takes sockets through its 'connection' event).
 */
async function listenAlso(
  server: AnyServer,
  port: number,
  host: string,
  listener: Listener,
  logger: Logger,
): Promise<net.Server> {
  const companion = net.createServer((socket) => server.emit('connection', socket));
  await new Promise<void>((resolve, reject) => {
    companion.once('error', reject);
    companion.listen({ port, host, ipv6Only: true }, () => {
      companion.off('error', reject);
      companion.on('error', (e: NodeJS.ErrnoException) =>
        logger.error({ listener, family: 6, code: e.code }, 'listener error'),
      );
      resolve();
    });
  });
  return companion;
}

/** Where this machine reaches a listener bound to `bind`. */
function localHost(bind: string): string {
  if (bind === '0.0.0.0') return '127.0.0.1';
  if (bind === '::') return '[::1]';
  return bind.includes(':') ? `[${bind}]` : bind;
}

export async function startCaptureServer(options: CaptureServerOptions): Promise<RunningCaptureServer> {
  const opts = resolveOptions(options);
  const { timeouts } = opts;
  const logger = opts.logger ?? createLogger('capture');
  const hosts = [opts.probeHost, opts.partnerHost, ...(opts.probeHostV6 ? [opts.probeHostV6] : [])];
  const tls = await tlsMaterial(hosts, opts.tlsCert, opts.tlsKey);
  const store = await openRunStore(opts.dbPath, logger);
  if (store.isWorldReadable) {
    logger.warn({ db: opts.dbPath }, 'database file is readable by other users; it holds subscriber data');
  }

  const endpoint: PlanEndpoint = {
    probeHost: opts.probeHost,
    ...(opts.probeHostV6 !== undefined ? { probeHostV6: opts.probeHostV6 } : {}),
    partnerHost: opts.partnerHost,
    ports: { main: opts.httpPort, alt: opts.altPort, https: opts.httpsPort },
  };
  const ctx: EndpointContext = {
    store,
    logger,
    auth: new ApiKeyCheck(opts.apiKey),
    connections: new ConnectionRegistry(),
    endpoint,
    retentionMs: opts.retentionMs,
    maxCapturesPerRun: opts.maxCapturesPerRun,
    maxBodyBytes: MAX_BODY_BYTES,
    pages: new PageCache(),
    metrics: new EndpointMetrics(() => store.countOpenRuns(Date.now())),
  };

  const sockets = new Set<Socket>();
  const track = (server: AnyServer) => {
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
  };

  const plainServer = (listener: Listener): http.Server => {
    const server = http.createServer(
      { maxHeaderSize: MAX_HEADER_BYTES, connectionsCheckingInterval: timeouts.checkIntervalMs },
      createHandler(ctx, listener, false, !opts.apiListen),
    );
    // 0 = no cap on the number of headers: a capped parser would silently drop an injected header past it.
    server.maxHeadersCount = 0;
    server.keepAliveTimeout = timeouts.idleMs;
    server.headersTimeout = timeouts.headersMs;
    server.requestTimeout = timeouts.requestMs;
    server.on('clientError', onClientError(logger, listener));
    track(server);
    return server;
  };

  const main = plainServer('main');
  const alt = plainServer('alt');
  const secure = http2.createSecureServer(
    {
      allowHTTP1: true,
      cert: tls.cert,
      key: tls.key,
      settings: { maxHeaderListSize: MAX_HEADER_BYTES },
      maxHeaderListPairs: 8192,
      // A connection that never finishes its handshake is dropped (Node's default waits 120 s).
      handshakeTimeout: timeouts.handshakeMs,
    },
    createHandler(ctx, 'https', true, !opts.apiListen),
  );
  // The HTTP/1.1 fallback reads these from the server like http.Server does (its own defaults are 60 s for the
  // headers, checked every 30 s, so a trickled request held a connection for 90 s); the connection check starts
  // on 'listening', so they are set before.
  Object.assign(secure, {
    maxHeaderSize: MAX_HEADER_BYTES,
    maxHeadersCount: 0,
    keepAliveTimeout: timeouts.idleMs,
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    connectionsCheckingInterval: timeouts.checkIntervalMs,
  });
  // An h2 session (or a TLS connection) with no traffic for idleMs is closed: without this an idle h2 session
  // after its preface was held open for ever.
  secure.setTimeout(timeouts.idleMs);
  secure.on('clientError', onClientError(logger, 'https'));
  secure.on('tlsClientError', onFailedHandshake(logger, 'https'));
  secure.on('sessionError', (err: NodeJS.ErrnoException) =>
    logger.debug({ listener: 'https', code: err.code }, 'h2 session error'),
  );
  track(secure);

  const servers: (AnyServer | net.Server)[] = [main, alt, secure];
  // The API's own listener: HTTPS (the API key and the captures it returns never cross the network in clear),
  // HTTP/1.1, the probe listener's certificate and its rotation.
  const apiServer = opts.apiListen
    ? https.createServer(
        {
          cert: tls.cert,
          key: tls.key,
          maxHeaderSize: MAX_HEADER_BYTES,
          handshakeTimeout: timeouts.handshakeMs,
          connectionsCheckingInterval: timeouts.checkIntervalMs,
        },
        createApiListenerHandler(ctx),
      )
    : undefined;
  if (apiServer) {
    apiServer.keepAliveTimeout = timeouts.idleMs;
    apiServer.headersTimeout = timeouts.headersMs;
    apiServer.requestTimeout = timeouts.requestMs;
    apiServer.on('clientError', onClientError(logger, 'api'));
    apiServer.on('tlsClientError', onFailedHandshake(logger, 'api'));
    track(apiServer);
    servers.push(apiServer);
  }
  const metricsServer = opts.metricsListen ? http.createServer(createMetricsHandler(ctx)) : undefined;
  if (metricsServer) {
    metricsServer.keepAliveTimeout = timeouts.idleMs;
    track(metricsServer);
    servers.push(metricsServer);
  }
  let purgeTimer: NodeJS.Timeout | undefined;
  let closing: Promise<void> | undefined;
  let metricsPort: number | undefined;
  let apiPort: number | undefined;

  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (purgeTimer) clearInterval(purgeTimer);
      // Stop accepting; commit and answer what was already received; then drop the connections.
      const closed = servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            if (server.listening) server.close(() => resolve());
            else resolve();
          }),
      );
      // Commit and answer what was received (the store closes once it has); then drop the connections.
      await store.close();
      for (const socket of sockets) socket.destroy();
      await Promise.all(closed);
    })();
    return closing;
  };

  /** Every listener on the IPv6 address too, same ports; a machine without IPv6 only warns when it was implicit. */
  const listenOnIpv6 = async (host: string): Promise<void> => {
    const pairs: [AnyServer, Listener][] = [
      [main, 'main'],
      [alt, 'alt'],
      [secure, 'https'],
    ];
    for (const [server, listener] of pairs) {
      try {
        servers.push(await listenAlso(server, endpoint.ports[listener], host, listener, logger));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (opts.bindAddress6Implicit && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT')) {
          logger.warn(
            { code },
            'no IPv6 on this machine: listening on IPv4 only (IPv6 probes cannot arrive)',
          );
          return;
        }
        const where = `cannot listen on ${listener} port ${endpoint.ports[listener]} over IPv6`;
        if (code === 'EADDRINUSE') throw new PortInUseError(`${where}: address already in use`);
        throw new UserError(`${where}: ${describeError(err)}`);
      }
    }
  };

  try {
    endpoint.ports.main = await listenOn(main, opts.httpPort, opts.bindAddress, 'main', logger);
    endpoint.ports.alt = await listenOn(alt, opts.altPort, opts.bindAddress, 'alt', logger);
    endpoint.ports.https = await listenOn(secure, opts.httpsPort, opts.bindAddress, 'https', logger);
    if (opts.bindAddress6 !== undefined) await listenOnIpv6(opts.bindAddress6);
    if (metricsServer && opts.metricsListen) {
      metricsPort = await listenOn(
        metricsServer,
        opts.metricsListen.port,
        opts.metricsListen.host,
        'metrics',
        logger,
      );
    }
    if (apiServer && opts.apiListen) {
      apiPort = await listenOn(apiServer, opts.apiListen.port, opts.apiListen.host, 'api', logger);
    }
  } catch (err) {
    await close();
    throw err;
  }

  let purging = false;
  const purge = async () => {
    if (purging || closing) return;
    purging = true;
    try {
      const purged = await store.purgeExpired(Date.now());
      ctx.metrics.purged(purged.runs);
      if (purged.runs > 0) logger.info(purged, 'expired runs purged');
    } catch (err) {
      ctx.metrics.purgeFailed();
      logger.error({ error: describeError(err) }, 'purge failed');
    } finally {
      purging = false;
    }
  };
  await purge();
  purgeTimer = setInterval(purge, opts.purgeIntervalMs);
  purgeTimer.unref();

  logger.info(
    {
      bind: opts.bindAddress,
      ...(opts.bindAddress6 !== undefined ? { bind6: opts.bindAddress6 } : {}),
      ports: endpoint.ports,
      ...(apiPort !== undefined ? { apiPort } : {}),
      selfSigned: tls.selfSigned,
      schema: store.schemaVersion,
    },
    'capture endpoint listening',
  );
  return {
    ports: { ...endpoint.ports },
    apiBaseUrl:
      opts.apiListen && apiPort !== undefined
        ? `https://${localHost(opts.apiListen.host)}:${apiPort}`
        : `http://${localHost(opts.bindAddress)}:${endpoint.ports.main}`,
    apiKey: opts.apiKey,
    selfSignedCertificate: tls.selfSigned,
    ...(metricsPort !== undefined ? { metricsPort } : {}),
    ...(apiPort !== undefined ? { apiPort } : {}),
    reloadTls(cert: string, key: string): void {
      // Checked first: a bad pair throws (UserError) and the listener keeps the certificate it has.
      checkTlsPair(cert, key);
      // New handshakes get the new pair; connections already open keep theirs and are not dropped.
      secure.setSecureContext({ cert, key });
      apiServer?.setSecureContext({ cert, key });
    },
    close,
  };
}

/**
 * The request handler of every listener: read the arrival once (listener, connection, time), then route by path.
 * Nothing thrown in here escapes: it becomes a JSON error response, and logs carry no header values or tokens.
 */
import type { Listener } from '../../model/capture.ts';
import { describeError } from '../../shared/errors.ts';
import { indexPage } from '../pages/me-page.ts';
import { handleApi } from './api-routes.ts';
import type { Arrival, EndpointContext } from './context.ts';
import {
  type AnyRequest,
  type AnyResponse,
  HttpError,
  isHttp2,
  NO_STORE,
  pathOf,
  send,
  sendError,
  sendHtml,
  sendJson,
} from './http-io.ts';
import { handleMe } from './me-routes.ts';
import { handleMetrics } from './metrics-routes.ts';
import { handleProbe, matchProbePath } from './probe-routes.ts';

/** The index page may not run scripts or load anything (`/me` has its own policy: me-routes.ts). */
const LOCKED_DOWN = { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" };

/** The Host (h2: `:authority`, else `Host`) as sent, from rawHeaders: cheaper than building `req.headers`. */
function hostOf(raw: readonly string[], h2: boolean): string {
  let host: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (h2 && name === ':authority') return raw[i + 1]!;
    if (host === undefined && name.length === 4 && name.toLowerCase() === 'host') {
      host = raw[i + 1]!;
      if (!h2) return host;
    }
  }
  return host ?? '';
}

function arrive(ctx: EndpointContext, req: AnyRequest, listener: Listener, tls: boolean): Arrival {
  const receivedAt = Date.now();
  const h2 = isHttp2(req);
  const key: object = h2 ? (req.stream.session ?? req.stream) : req.socket;
  const slot = ctx.connections.next(key, listener, h2 ? (req.stream.id ?? 0) : 0);
  const url = req.url ?? '/';
  return {
    listener,
    tls,
    httpVersion: req.httpVersion,
    method: req.method ?? 'GET',
    url,
    path: pathOf(url),
    host: hostOf(req.rawHeaders, h2),
    remoteAddress: req.socket?.remoteAddress ?? '',
    remotePort: req.socket?.remotePort ?? 0,
    connectionId: slot.connectionId,
    connectionRequestIndex: slot.index,
    receivedAt,
  };
}

function fail(ctx: EndpointContext, req: AnyRequest, res: AnyResponse, err: unknown, where: string): void {
  if (err instanceof HttpError) {
    sendError(req, res, err);
    return;
  }
  // An unexpected failure, most likely the store: the request was not recorded, and the client must know.
  ctx.logger.error({ where, error: describeError(err) }, 'request failed');
  try {
    sendError(req, res, new HttpError(503, 'temporarily unable to serve this request; nothing was stored'));
  } catch {
    res.destroy?.();
  }
}

const isApiPath = (path: string) => path === '/api' || path.startsWith('/api/');

function serveApi(
  ctx: EndpointContext,
  req: AnyRequest,
  res: AnyResponse,
  path: string,
  method: string,
): void {
  handleApi(ctx, req, res, path, method).catch((err: unknown) => fail(ctx, req, res, err, 'api'));
}

function serveMetrics(ctx: EndpointContext, req: AnyRequest, res: AnyResponse, method: string): void {
  handleMetrics(ctx, req, res, method, true).catch((err: unknown) => fail(ctx, req, res, err, 'metrics'));
}

function serveHealth(ctx: EndpointContext, req: AnyRequest, res: AnyResponse, method: string): void {
  if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'use GET', { allow: 'GET, HEAD' });
  ctx.store
    .ping()
    .then((ok) => sendJson(req, res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable' }))
    .catch((err: unknown) => fail(ctx, req, res, err, 'healthz'));
}

/**
 * The handler of a probe listener. `withApi` false when the API has a listener of its own (`apiListen`): then
 * `/api/*` and `/metrics` are not found here, so that a firewall in front of the API's port closes them.
 */
export function createHandler(ctx: EndpointContext, listener: Listener, tls: boolean, withApi = true) {
  return (req: AnyRequest, res: AnyResponse): void => {
    let arrival: Arrival | undefined;
    try {
      arrival = arrive(ctx, req, listener, tls);
      const { path, method } = arrival;
      const probe = matchProbePath(path);
      if (probe) {
        handleProbe(ctx, arrival, req, res, probe.token, probe.probe);
        return;
      }
      if (withApi && isApiPath(path)) {
        serveApi(ctx, req, res, path, method);
        return;
      }
      if (withApi && path === '/metrics') {
        serveMetrics(ctx, req, res, method);
        return;
      }
      if (path === '/healthz') {
        serveHealth(ctx, req, res, method);
        return;
      }
      if (path === '/me' || path === '/me.json') {
        handleMe(ctx, arrival, req, res, listener, path === '/me.json');
        return;
      }
      if (path === '/' && (method === 'GET' || method === 'HEAD')) {
        sendHtml(req, res, 200, indexPage(), LOCKED_DOWN);
        return;
      }
      if (path === '/favicon.ico') {
        // Browsers ask for it on every host; it is never a capture.
        send(req, res, 204, NO_STORE);
        return;
      }
      sendError(req, res, new HttpError(404, 'not found'), NO_STORE);
    } catch (err) {
      fail(ctx, req, res, err, arrival ? 'route' : 'arrival');
    }
  };
}

/** The handler of the API's own listener (`apiListen`): `/api/*`, `/metrics` (with the key), `/healthz`. */
export function createApiListenerHandler(ctx: EndpointContext) {
  return (req: AnyRequest, res: AnyResponse): void => {
    try {
      const path = pathOf(req.url ?? '/');
      const method = req.method ?? 'GET';
      if (isApiPath(path)) serveApi(ctx, req, res, path, method);
      else if (path === '/metrics') serveMetrics(ctx, req, res, method);
      else if (path === '/healthz') serveHealth(ctx, req, res, method);
      else {
        sendError(
          req,
          res,
          new HttpError(404, 'not found (this listener serves /api, /metrics and /healthz only)'),
          NO_STORE,
        );
      }
    } catch (err) {
      fail(ctx, req, res, err, 'api');
    }
  };
}

/**
 * `/p/<token>/<probe>`: record the request, and answer only once its capture is committed: small, uncacheable,
 * CORS-open. Unknown tokens and probe ids get 404 and nothing is stored.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { constants as h2constants } from 'node:http2';
import { describeError } from '../../shared/errors.ts';
import { maskOpaque } from '../../shared/mask.ts';
import { framePage } from '../pages/frame-pages.ts';
import { navPage } from '../pages/nav-page.ts';
import { CLOSES_CONNECTION, PROBE_IDS, type ProbePlacement, probePlacement } from '../plan/probe-plan.ts';
import { isRunToken } from '../plan/run-token.ts';
import type { PendingCapture } from '../store/capture-store.ts';
import type { Arrival, EndpointContext } from './context.ts';
import {
  type AnyRequest,
  type AnyResponse,
  HttpError,
  isHttp2,
  NO_STORE,
  send,
  sendError,
} from './http-io.ts';

const PROBE_PATH = /^\/p\/([^/]+)\/([^/]+)$/;

/** A 1×1 transparent GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const CORS: OutgoingHttpHeaders = { 'access-control-allow-origin': '*' };
const REFUSAL: OutgoingHttpHeaders = { ...NO_STORE, ...CORS };

/** Header names a preflight may ask for: an RFC 9110 token list. */
const TOKEN_LIST = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:[ \t]*,[ \t]*[!#$%&'*+.^_`|~0-9A-Za-z-]+)*$/;

/**
 * A ready-made answer to a subresource probe, built once: headers as an object (h2) and a flat list (h1), the
 * body as a latin1 string so HTTP/1 sends head and body in one write.
 */
interface Canned {
  body: string;
  headers: OutgoingHttpHeaders;
  flat: string[];
}

function canned(body: Buffer, contentType: string, close: boolean): Canned {
  const headers: OutgoingHttpHeaders = { ...NO_STORE, ...CORS, 'content-type': contentType };
  const flat = Object.entries(headers).flatMap(([k, v]) => [k, String(v)]);
  flat.push('content-length', String(body.length));
  if (close) flat.push('connection', 'close');
  return { body: body.toString('latin1'), headers: { ...headers, 'content-length': body.length }, flat };
}

/** Response headers of the navigation and partner pages, built once (what sendHtml would send). */
const PAGE_HEADERS: OutgoingHttpHeaders = {
  'content-type': 'text/html; charset=utf-8',
  ...NO_STORE,
  ...REFUSAL,
};
const PAGE_FLAT = Object.entries(PAGE_HEADERS).flatMap(([k, v]) => [k, String(v)]);
const PAGE_FLAT_CLOSE = [...PAGE_FLAT, 'connection', 'close'];

const CANNED = new Map<string, Canned>(
  PROBE_IDS.map((probe) => {
    const placement = probePlacement(probe)!;
    const close = CLOSES_CONNECTION.has(probe);
    const answer =
      placement.kind === 'image'
        ? canned(PIXEL, 'image/gif', close)
        : canned(Buffer.from(`{"probe":"${probe}","stored":true}`), 'application/json', close);
    return [probe, answer];
  }),
);

export function matchProbePath(path: string): { token: string; probe: string } | undefined {
  const m = PROBE_PATH.exec(path);
  return m ? { token: m[1]!, probe: m[2]! } : undefined;
}

function preflightHeaders(req: AnyRequest): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {
    ...REFUSAL,
    'access-control-allow-methods': 'GET, HEAD, OPTIONS',
    'access-control-max-age': '600',
  };
  const asked = req.headers['access-control-request-headers'];
  if (typeof asked === 'string' && TOKEN_LIST.test(asked.trim())) {
    headers['access-control-allow-headers'] = asked.trim();
  }
  if (req.headers['access-control-request-private-network'] === 'true') {
    headers['access-control-allow-private-network'] = 'true';
  }
  return headers;
}

/**
 * A navigation or partner page, or 404 when its run is gone. (Functions here are declared once, not per request:
 * under tsx every named closure costs a `__name` call, an Object.defineProperty, each time it is created.)
 */
function sendPage(
  arrival: Arrival,
  req: AnyRequest,
  res: AnyResponse,
  h2: boolean,
  probe: string,
  html: Buffer | undefined,
): void {
  const close = !h2 && CLOSES_CONNECTION.has(probe);
  if (!html) {
    sendError(
      req,
      res,
      new HttpError(404, 'no such run'),
      close ? { ...REFUSAL, connection: 'close' } : REFUSAL,
    );
    return;
  }
  if (h2)
    (res as unknown as ServerResponse).writeHead(200, { ...PAGE_HEADERS, 'content-length': html.length });
  else
    (res as ServerResponse).writeHead(200, [
      ...(close ? PAGE_FLAT_CLOSE : PAGE_FLAT),
      'content-length',
      String(html.length),
    ]);
  if (arrival.method === 'HEAD') res.end();
  else res.end(html);
}

/** A probe whose capture is committed could not be answered: logged, and its connection dropped. */
function answerFailed(ctx: EndpointContext, probe: string, res: AnyResponse, err: unknown): void {
  ctx.logger.error({ probe, error: describeError(err) }, 'probe answer failed');
  res.destroy?.();
}

/** The answer once the capture is committed: at once for a subresource, after reading its run for a page. */
function answer(
  ctx: EndpointContext,
  arrival: Arrival,
  req: AnyRequest,
  res: AnyResponse,
  token: string,
  probe: string,
  placement: ProbePlacement,
): Promise<void> | undefined {
  if (arrival.method === 'OPTIONS') {
    send(req, res, 204, preflightHeaders(req));
    return;
  }
  if (placement.listener !== arrival.listener) {
    // Stored for diagnosis, never counted: send the browser to the planned listener. This also lets a browser
    // that upgraded an http:// probe to https:// on its own (HTTPS-Upgrades) fall back to plain HTTP.
    return ctx.store.getRun(token, Date.now()).then((run) => {
      const planned = run?.plan.find((p) => p.probe === probe);
      if (!planned) sendError(req, res, new HttpError(404, 'no such run'), REFUSAL);
      else send(req, res, 307, { ...REFUSAL, location: planned.url });
    });
  }
  const h2 = isHttp2(req);
  if (h2 && CLOSES_CONNECTION.has(probe)) {
    // The next probe must travel on a new connection (h1 gets `Connection: close`). h2: GOAWAY before this
    // response, naming the last stream seen, so any stream the browser opens after reading this response is
    // refused and retried on a new connection; the session closes once its open streams are done.
    const session = req.stream.session;
    if (session) {
      session.goaway(h2constants.NGHTTP2_NO_ERROR, ctx.connections.maxStreamId(session));
      res.once('finish', () => session.close());
    }
  }
  if (placement.kind === 'navigation') {
    // The run's pages never change: rendered at its first visit, then served from memory (no query).
    const hit = ctx.pages.peek(token, probe);
    if (hit) {
      sendPage(arrival, req, res, h2, probe, hit);
      return;
    }
    return ctx.store.getRun(token, Date.now()).then((run) => {
      sendPage(
        arrival,
        req,
        res,
        h2,
        probe,
        ctx.pages.get(token, probe, () => {
          const planned = run?.plan.find((p) => p.probe === probe);
          if (!run || !planned) return undefined;
          // The page the handset opens is the plan's first plain third-party navigation (`nav`); every other
          // navigation (`nav-tls`, `nav-v6`, the partner pages) is a framed page that reports back.
          const opened = run.plan.find((p) => p.kind === 'navigation' && p.role === 'third-party' && !p.tls);
          return planned.probe === opened?.probe
            ? navPage(token, run.plan)
            : framePage(token, run.plan, planned, run.canary);
        }),
      );
    });
  }
  const ready = CANNED.get(probe)!;
  if (h2) (res as unknown as ServerResponse).writeHead(200, ready.headers);
  else (res as ServerResponse).writeHead(200, ready.flat);
  if (arrival.method === 'HEAD') res.end();
  else res.end(ready.body, 'latin1');
  return undefined;
}

export function handleProbe(
  ctx: EndpointContext,
  arrival: Arrival,
  req: AnyRequest,
  res: AnyResponse,
  token: string,
  probe: string,
): void {
  const method = arrival.method;
  if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') {
    ctx.metrics.refusedOne('method');
    sendError(
      req,
      res,
      new HttpError(405, 'probes answer GET, HEAD and OPTIONS', { allow: 'GET, HEAD, OPTIONS' }),
      REFUSAL,
    );
    return;
  }
  const placement = probePlacement(probe);
  if (!placement || !isRunToken(token)) {
    ctx.metrics.refusedOne('unknown-probe');
    sendError(req, res, new HttpError(404, 'no such probe'), REFUSAL);
    return;
  }
  const capture: PendingCapture = {
    runId: 0, // the store's id of the run, filled in when it admits the capture
    runToken: token,
    probe,
    listener: arrival.listener,
    tls: arrival.tls,
    httpVersion: arrival.httpVersion,
    method,
    url: arrival.url,
    host: arrival.host,
    remoteAddress: arrival.remoteAddress,
    remotePort: arrival.remotePort,
    connectionId: arrival.connectionId,
    connectionRequestIndex: arrival.connectionRequestIndex,
    receivedAt: arrival.receivedAt,
    rawHeaders: req.rawHeaders,
  };
  const queuedAt = performance.now();
  ctx.store.capture(capture, ctx.maxCapturesPerRun, (outcome, error) => {
    try {
      if (outcome === 'failed') {
        ctx.metrics.refusedOne('store-failed');
        ctx.logger.error({ probe, error: describeError(error) }, 'capture not stored');
        sendError(req, res, new HttpError(503, 'capture could not be stored; try again'), REFUSAL);
        return;
      }
      if (outcome === 'unknown-run') {
        ctx.metrics.refusedOne('unknown-run');
        sendError(req, res, new HttpError(404, 'no such run'), REFUSAL);
        return;
      }
      if (outcome === 'run-full') {
        ctx.metrics.refusedOne('run-full');
        ctx.logger.warn(
          { token: maskOpaque(token), probe },
          'run holds the most captures allowed; request not stored',
        );
        sendError(req, res, new HttpError(429, 'this run holds the most captures allowed'), REFUSAL);
        return;
      }
      ctx.metrics.committedOne(queuedAt, performance.now());
      if (ctx.logger.isLevelEnabled('debug')) {
        ctx.logger.debug(
          { token: maskOpaque(token), probe, listener: arrival.listener, headers: req.rawHeaders.length / 2 },
          'capture stored',
        );
      }
      answer(ctx, arrival, req, res, token, probe, placement)?.catch((err: unknown) =>
        answerFailed(ctx, probe, res, err),
      );
    } catch (err) {
      answerFailed(ctx, probe, res, err);
    }
  });
}

/**
 * `GET /metrics`: Prometheus text. On the endpoint's own listeners it needs the API key like `/api/*` (the counts
 * say how busy a carrier's test rack is); on the separate metrics listener (`metricsListen`, meant for a
 * private address) it needs none, and that listener serves nothing else.
 */
import { describeError } from '../../shared/errors.ts';
import type { EndpointContext } from './context.ts';
import { type AnyRequest, type AnyResponse, HttpError, pathOf, send, sendError } from './http-io.ts';

export async function handleMetrics(
  ctx: EndpointContext,
  req: AnyRequest,
  res: AnyResponse,
  method: string,
  needsKey: boolean,
): Promise<void> {
  if (needsKey && !ctx.auth.allows(req.headers.authorization)) {
    throw new HttpError(401, 'missing or wrong API key (Authorization: Bearer <key>)', {
      'www-authenticate': 'Bearer realm="headerguard"',
    });
  }
  if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'use GET', { allow: 'GET, HEAD' });
  const { contentType, text } = await ctx.metrics.render();
  send(req, res, 200, { 'content-type': contentType, 'cache-control': 'no-store' }, text);
}

/** The request handler of the metrics-only listener. */
export function createMetricsHandler(ctx: EndpointContext) {
  return (req: AnyRequest, res: AnyResponse): void => {
    const reply = (err: unknown) => {
      if (err instanceof HttpError) sendError(req, res, err);
      else {
        ctx.logger.error({ where: 'metrics', error: describeError(err) }, 'request failed');
        sendError(req, res, new HttpError(503, 'metrics are unavailable'));
      }
    };
    if (pathOf(req.url ?? '/') !== '/metrics') {
      reply(new HttpError(404, 'not found (this listener serves /metrics only)'));
      return;
    }
    handleMetrics(ctx, req, res, req.method ?? 'GET', false).catch(reply);
  };
}

/** Small response and body helpers shared by every route, over HTTP/1 and the h2 compatibility API alike. */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';

export type AnyRequest = IncomingMessage | Http2ServerRequest;
export type AnyResponse = ServerResponse | Http2ServerResponse;

/** A refusal with an HTTP status and a one-line message (never containing request data). */
export class HttpError extends Error {
  readonly status: number;
  readonly headers: OutgoingHttpHeaders;
  constructor(status: number, message: string, headers: OutgoingHttpHeaders = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.headers = headers;
  }
}

/** Carrier gateways cache and transcode: probe responses forbid both, HTTP/1.0 caches included. */
export const NO_STORE: OutgoingHttpHeaders = {
  'cache-control': 'no-store, no-transform',
  pragma: 'no-cache',
  expires: '0',
  'x-content-type-options': 'nosniff',
};

export function isHttp2(req: AnyRequest): req is Http2ServerRequest {
  return req.httpVersionMajor === 2;
}

/** Write a complete response. HEAD gets the headers only. */
export function send(
  req: AnyRequest,
  res: AnyResponse,
  status: number,
  headers: OutgoingHttpHeaders,
  body: string | Buffer = '',
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  const all: OutgoingHttpHeaders = { ...headers };
  if (status !== 204 && status !== 304) all['content-length'] = payload.length;
  (res as ServerResponse).writeHead(status, all);
  if (req.method === 'HEAD' || status === 204 || status === 304) res.end();
  else res.end(payload);
}

export function sendJson(
  req: AnyRequest,
  res: AnyResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  send(
    req,
    res,
    status,
    { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    JSON.stringify(body),
  );
}

export function sendError(
  req: AnyRequest,
  res: AnyResponse,
  err: HttpError,
  extra: OutgoingHttpHeaders = {},
): void {
  sendJson(req, res, err.status, { error: err.message }, { ...extra, ...err.headers });
}

export function sendHtml(
  req: AnyRequest,
  res: AnyResponse,
  status: number,
  html: string,
  headers: OutgoingHttpHeaders = {},
): void {
  send(req, res, status, { 'content-type': 'text/html; charset=utf-8', ...NO_STORE, ...headers }, html);
}

/** Read a JSON body of at most `limit` bytes: 413 past it, 415 when it is not JSON, 400 when it does not parse. */
export async function readJsonBody(req: AnyRequest, limit: number): Promise<unknown> {
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(415, 'body must be JSON (Content-Type: application/json)');
  }
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    throw new HttpError(413, `body is larger than ${limit} bytes`, { connection: 'close' });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        reject(new HttpError(413, `body is larger than ${limit} bytes`, { connection: 'close' }));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve());
    req.once('error', () => reject(new HttpError(400, 'request body was cut off')));
    req.once('aborted', () => reject(new HttpError(400, 'request body was cut off')));
  });
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}

/** The path of a request target, without query or fragment; absolute-form targets lose their origin. */
export function pathOf(target: string): string {
  let path = target;
  const origin = target.charCodeAt(0) === 0x2f ? null : /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(path);
  if (origin) path = path.slice(origin[0].length) || '/';
  const end = path.search(/[?#]/);
  return end === -1 ? path : path.slice(0, end);
}

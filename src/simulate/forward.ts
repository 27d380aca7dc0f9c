/**
 * One plain-HTTP exchange through the gateway: the enriched head (and the body, re-chunked when chunked) to an
 * upstream socket of the client's connection, the response parsed and passed back with backpressure both
 * ways. A reused upstream that turns out dead before answering is retried once on a fresh connection.
 */
import type http from 'node:http';
import type { ClientConnection } from './client-connections.ts';
import { forwardResponseHeaders } from './http-head.ts';
import type { ProxyContext } from './proxy-context.ts';
import { errorCode, plainError, upstreamFailureStatus } from './raw-errors.ts';
import { ResponseParseError, ResponseParser } from './response-parser.ts';
import type { Upstream } from './upstream-pool.ts';
import type { UpstreamRequest } from './upstream-request.ts';

export function forward(
  ctx: ProxyContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  conn: ClientConnection,
  request: UpstreamRequest,
  index: number,
): void {
  const { target, head, clientClose } = request;
  const { log, shown } = ctx;
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
      if (again) conn.upstreams.release(u);
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
        attempt(ctx.pool.open(conn.upstreams, target.hostname, target.port), false);
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

  const idle = conn.upstreams.takeIdle(key);
  attempt(idle ?? ctx.pool.open(conn.upstreams, target.hostname, target.port), idle !== undefined);
}

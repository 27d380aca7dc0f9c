/**
 * The simulator's own error answers, each with a one-line `headerguard sim: …` text body: on a Node response
 * (plain HTTP), on a raw client socket (CONNECT and upgrades, where no response object exists), and the bare
 * 400 to a request Node could not parse. Plus how an upstream failure maps to a status.
 */
import http from 'node:http';
import type net from 'node:net';
import type { Logger } from '../shared/logger.ts';
import { SELF_LOOP_CODE } from './loopback.ts';
import { ResponseParseError } from './response-parser.ts';

/** An error's code for logs and messages: its errno code, else its name. */
export function errorCode(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.name : 'error';
}

/** Timeout → 504; a name that resolves to the simulator itself → 508; unreadable or unreachable → 502. */
export function upstreamFailureStatus(err: unknown): { status: number; reason: string } {
  const code = errorCode(err);
  if (code === SELF_LOOP_CODE) return { status: 508, reason: 'request loops back to the simulator itself' };
  if (code === 'ETIMEDOUT') return { status: 504, reason: `upstream timed out (${code})` };
  if (err instanceof ResponseParseError) return { status: 502, reason: err.message };
  return { status: 502, reason: `cannot reach upstream (${code})` };
}

/**
 * Answer on a Node response (`close`: and close the client connection after it); once its head is sent, all
 * that is left is to drop the connection.
 */
export function plainError(res: http.ServerResponse, status: number, message: string, close = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `headerguard sim: ${message}\n`;
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...(close ? { Connection: 'close' } : {}),
  });
  res.end(body);
}

/** How long a socket answered with an error may stay half-open before it is destroyed. */
const RAW_ERROR_LINGER_MS = 5_000;

/** End `socket` (writing `data` first, if any); destroy it after a short linger unless it has closed by then. */
function closeAfterLinger(socket: net.Socket, data?: string): void {
  const timer = setTimeout(() => socket.destroy(), RAW_ERROR_LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  if (data === undefined) socket.end();
  else socket.end(data);
}

/**
 * Answer on a raw client socket and close it; destroyed once the client closes too, or after a short linger
 * (a client that never closes its side must not keep the descriptor).
 */
export function rawError(socket: net.Socket, status: number, message: string): void {
  const body = `headerguard sim: ${message}\n`;
  const text = http.STATUS_CODES[status] ?? 'Error';
  if (socket.writable) {
    closeAfterLinger(
      socket,
      `HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  } else {
    socket.destroy();
  }
}

/**
 * Node's `clientError`: a header block over the size limit gets 431, a request head or body that does not arrive
 * within Node's request timeouts (a slow client) 408, any other malformed request 400, each with a one-line body;
 * resets and broken pipes just close.
 */
export function answerClientError(log: Logger, err: NodeJS.ErrnoException, socket: net.Socket): void {
  const code = err.code ?? 'error';
  if (code === 'ECONNRESET' || code === 'EPIPE' || !socket.writable) {
    socket.destroy();
    return;
  }
  // A response already under way on this connection (the parser failed on the body of a request that was
  // answered or is being answered): an error answer now would corrupt it, as Node's own default handler knows.
  const inFlight = (socket as net.Socket & { _httpMessage?: http.ServerResponse | null })._httpMessage;
  if (inFlight?.headersSent) {
    log.info({ code }, 'malformed request body after the answer began');
    if (inFlight.writableEnded) closeAfterLinger(socket);
    else socket.destroy();
    return;
  }
  if (code === 'HPE_HEADER_OVERFLOW') {
    log.info({ code, status: 431 }, 'request header block too large');
    rawError(socket, 431, 'request header block too large');
    return;
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    log.info({ code, status: 408 }, 'request not received in time');
    rawError(socket, 408, 'request not received in time');
    return;
  }
  log.info({ code, status: 400 }, 'malformed client request');
  rawError(socket, 400, 'malformed request');
}

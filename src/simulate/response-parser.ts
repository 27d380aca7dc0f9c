/**
 * An incremental HTTP/1.x response parser for the proxy's upstream side. It keeps header names as received
 * (case, order, duplicates), decodes the body framing (Content-Length, chunked, close-delimited, no body) and
 * says whether the upstream connection may be reused. Interim 1xx responses are skipped.
 */

export class ResponseParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResponseParseError';
  }
}

export interface ResponseHead {
  statusCode: number;
  statusMessage: string;
  httpVersion: string;
  rawHeaders: string[];
}

export type BodyMode = 'none' | 'length' | 'chunked' | 'close';

export interface ParserCallbacks {
  onHead(head: ResponseHead, mode: BodyMode): void;
  onBody(chunk: Buffer): void;
  /** The response is complete; `reusable` when the connection may carry another request. */
  onEnd(reusable: boolean): void;
}

const MAX_HEAD = 64 * 1024;
const MAX_LINE = 8 * 1024;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailers' | 'close' | 'done';

function findHeadEnd(buf: Buffer): { end: number; next: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { end: crlf, next: crlf + 4 };
  if (lf >= 0) return { end: lf, next: lf + 2 };
  return undefined;
}

export class ResponseParser {
  private state: State = 'head';
  private buf: Buffer = Buffer.alloc(0);
  private remaining = 0;
  private reusable = false;
  private readonly noBody: boolean;
  /** Bytes that arrived after a complete response (the connection is then not reused). */
  extraBytes = 0;

  constructor(
    requestMethod: string,
    private readonly cb: ParserCallbacks,
  ) {
    this.noBody = requestMethod.toUpperCase() === 'HEAD';
  }

  get done(): boolean {
    return this.state === 'done';
  }

  /** Whether nothing of a response has arrived yet. */
  get pristine(): boolean {
    return this.state === 'head' && this.buf.length === 0 && !this.sawInterim;
  }

  private sawInterim = false;

  push(data: Buffer): void {
    let chunk = data;
    while (chunk.length > 0) {
      switch (this.state) {
        case 'done':
          this.extraBytes += chunk.length;
          return;
        case 'close':
          this.cb.onBody(chunk);
          return;
        case 'length':
        case 'chunk-data': {
          const n = Math.min(this.remaining, chunk.length);
          this.cb.onBody(chunk.subarray(0, n));
          this.remaining -= n;
          chunk = chunk.subarray(n);
          if (this.remaining === 0) {
            if (this.state === 'length') this.finish();
            else this.state = 'chunk-crlf';
          }
          break;
        }
        default: {
          this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
          chunk = Buffer.alloc(0);
          chunk = this.consumeBuffered();
        }
      }
    }
  }

  /** The upstream closed its side. Completes a close-delimited body; anything else incomplete is an error. */
  end(): void {
    if (this.state === 'close') {
      this.state = 'done';
      this.cb.onEnd(false);
      return;
    }
    if (this.state === 'done') return;
    if (this.pristine) throw new ResponseParseError('upstream closed the connection without a response');
    throw new ResponseParseError('upstream closed the connection in the middle of a response');
  }

  /** Process line-oriented states from `this.buf`; returns bytes to continue with in a streaming state. */
  private consumeBuffered(): Buffer {
    for (;;) {
      if (this.state === 'head') {
        const at = findHeadEnd(this.buf);
        if (!at) {
          if (this.buf.length > MAX_HEAD) throw new ResponseParseError('upstream response head too large');
          return Buffer.alloc(0);
        }
        const headText = this.buf.subarray(0, at.end).toString('latin1');
        this.buf = this.buf.subarray(at.next);
        this.onHeadText(headText);
        continue;
      }
      if (this.state === 'chunk-size' || this.state === 'trailers' || this.state === 'chunk-crlf') {
        const nl = this.buf.indexOf('\n');
        if (nl < 0) {
          if (this.buf.length > MAX_LINE) throw new ResponseParseError('upstream chunk line too long');
          return Buffer.alloc(0);
        }
        const line = this.buf.subarray(0, nl).toString('latin1').replace(/\r$/, '');
        this.buf = this.buf.subarray(nl + 1);
        if (this.state === 'chunk-crlf') {
          if (line !== '') throw new ResponseParseError('upstream chunk not followed by CRLF');
          this.state = 'chunk-size';
        } else if (this.state === 'chunk-size') {
          const m = /^([0-9a-fA-F]{1,8})[ \t]*(?:;.*)?$/.exec(line);
          if (!m) throw new ResponseParseError('upstream sent a bad chunk size');
          const size = Number.parseInt(m[1]!, 16);
          if (size === 0) {
            this.state = 'trailers';
          } else {
            this.remaining = size;
            this.state = 'chunk-data';
          }
        } else if (line === '') {
          this.finish();
        }
        continue;
      }
      // A streaming state: hand the rest back to push().
      const rest = this.buf;
      this.buf = Buffer.alloc(0);
      return rest;
    }
  }

  private onHeadText(text: string): void {
    const lines = text.split(/\r?\n/);
    const status = /^HTTP\/(\d)\.(\d) (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
    if (!status) throw new ResponseParseError('upstream sent a malformed status line');
    const httpVersion = `${status[1]}.${status[2]}`;
    const statusCode = Number(status[3]);
    const rawHeaders: string[] = [];
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new ResponseParseError('upstream sent a malformed header line');
      const name = line.slice(0, colon);
      if (!TOKEN.test(name)) throw new ResponseParseError('upstream sent a malformed header name');
      rawHeaders.push(name, line.slice(colon + 1).trim());
    }
    if (statusCode < 100 || statusCode > 599) throw new ResponseParseError('upstream sent a bad status code');
    if (statusCode === 101)
      throw new ResponseParseError('upstream switched protocols without an upgrade request');
    if (statusCode < 200) {
      this.sawInterim = true;
      return; // interim response: the real one follows
    }
    const head: ResponseHead = { statusCode, statusMessage: status[4] ?? '', httpVersion, rawHeaders };

    let connectionClose = false;
    let connectionKeepAlive = false;
    let transferEncoding: string | undefined;
    const lengths: string[] = [];
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const lower = rawHeaders[i]!.toLowerCase();
      const value = rawHeaders[i + 1]!;
      if (lower === 'connection') {
        for (const t of value.split(',')) {
          const token = t.trim().toLowerCase();
          if (token === 'close') connectionClose = true;
          if (token === 'keep-alive') connectionKeepAlive = true;
        }
      } else if (lower === 'transfer-encoding') {
        transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
      } else if (lower === 'content-length') {
        lengths.push(...value.split(',').map((v) => v.trim()));
      }
    }
    this.reusable = httpVersion === '1.1' ? !connectionClose : connectionKeepAlive && !connectionClose;

    let mode: BodyMode;
    if (this.noBody || statusCode === 204 || statusCode === 304) {
      mode = 'none';
    } else if (transferEncoding !== undefined) {
      const codings = transferEncoding.split(',').map((c) => c.trim().toLowerCase());
      mode = codings[codings.length - 1] === 'chunked' ? 'chunked' : 'close';
    } else if (lengths.length > 0) {
      if (!lengths.every((l) => /^\d{1,15}$/.test(l) && l === lengths[0])) {
        throw new ResponseParseError('upstream sent a bad Content-Length');
      }
      this.remaining = Number(lengths[0]);
      mode = this.remaining === 0 ? 'none' : 'length';
    } else {
      mode = 'close';
    }
    if (mode === 'close') this.reusable = false;
    this.cb.onHead(head, mode);
    if (mode === 'none') this.finish();
    else if (mode === 'length') this.state = 'length';
    else if (mode === 'chunked') this.state = 'chunk-size';
    else this.state = 'close';
  }

  private finish(): void {
    this.state = 'done';
    if (this.buf.length > 0) {
      this.extraBytes += this.buf.length;
      this.buf = Buffer.alloc(0);
    }
    this.cb.onEnd(this.reusable && this.extraBytes === 0);
  }
}

/**
 * HTTP/1.1 message-head handling for the forward proxy: request-target parsing, hop-by-hop headers (RFC 9110
 * §7.6.1) and the exact bytes of the upstream request head. Pure functions.
 */

/** A request the proxy refuses, with the status to answer and a one-line reason. */
export class ProxyInputError extends Error {
  readonly status: number;
  /** The client connection cannot carry another request after this one (its body framing is unknown). */
  readonly close: boolean;
  constructor(status: number, message: string, options: { close?: boolean } = {}) {
    super(message);
    this.name = 'ProxyInputError';
    this.status = status;
    this.close = options.close ?? false;
  }
}

/**
 * Refuse a request body framing the gateway does not forward: any Transfer-Encoding but a single `chunked`
 * (RFC 9112 §6.1: a request whose final coding is not chunked cannot be framed). Node emits such a request
 * before its parser fails on the body, so without this the head would already have gone upstream.
 */
export function checkRequestFraming(transferEncoding: string | undefined): void {
  if (transferEncoding === undefined || transferEncoding.trim().toLowerCase() === 'chunked') return;
  throw new ProxyInputError(400, 'unsupported Transfer-Encoding: only a single chunked coding is forwarded', {
    close: true,
  });
}

export interface ProxyTarget {
  /** Lower case; IPv6 literals without brackets. */
  hostname: string;
  port: number;
  /** `host[:port]` as written in the URI (userinfo dropped), for the Host header. */
  authority: string;
  /** Origin-form request target: path and query, never empty. */
  path: string;
}

const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*\.?$/;

function parsePort(text: string, what: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new ProxyInputError(400, `bad port in ${what}`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw new ProxyInputError(400, `bad port in ${what}`);
  return port;
}

/** Parse `host[:port]` (IPv6 in brackets); the port defaults to `defaultPort` when given. */
export function parseAuthority(
  authority: string,
  defaultPort: number | undefined,
  what: string,
): { hostname: string; port: number } {
  let host: string;
  let portText: string | undefined;
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d*))?$/.exec(authority);
  if (v6) {
    host = v6[1]!.toLowerCase();
    portText = v6[2];
  } else {
    const colon = authority.lastIndexOf(':');
    if (colon >= 0) {
      host = authority.slice(0, colon);
      portText = authority.slice(colon + 1);
    } else {
      host = authority;
    }
    host = host.toLowerCase();
    if (!HOSTNAME.test(host)) throw new ProxyInputError(400, `bad host in ${what}`);
    if (host.endsWith('.')) host = host.slice(0, -1);
  }
  let port: number;
  if (portText === undefined || portText === '') {
    if (defaultPort === undefined) throw new ProxyInputError(400, `missing port in ${what}`);
    port = defaultPort;
  } else {
    port = parsePort(portText, what);
  }
  return { hostname: host, port };
}

/** Parse an absolute-form request target (`http://host[:port]/path?query`). */
export function parseProxyTarget(url: string): ProxyTarget {
  if (/^https:\/\//i.test(url)) {
    throw new ProxyInputError(
      400,
      'https:// targets must use CONNECT (TLS cannot be forwarded as plain HTTP)',
    );
  }
  const m = /^http:\/\/([^/?#]*)([^#]*)/i.exec(url);
  if (!m) {
    throw new ProxyInputError(
      400,
      'this is a forward proxy: send absolute-form requests (GET http://host/path) or CONNECT',
    );
  }
  let authority = m[1]!;
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = authority.slice(at + 1);
  if (authority === '') throw new ProxyInputError(400, 'missing host in request target');
  const { hostname, port } = parseAuthority(authority, 80, 'request target');
  let path = m[2]!;
  if (path === '') path = '/';
  else if (path.startsWith('?')) path = `/${path}`;
  return { hostname, port, authority, path };
}

/**
 * The target of a proxied request: absolute form (a configured proxy), or origin form with a Host header, as a
 * transparent gateway sees handset traffic that no proxy setting routed (RFC 9112 §3.2).
 */
export function requestTarget(url: string, rawHeaders: readonly string[]): ProxyTarget {
  if (!url.startsWith('/')) return parseProxyTarget(url);
  const hosts: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === 'host') hosts.push(rawHeaders[i + 1]!.trim());
  }
  if (hosts.length !== 1 || hosts[0] === '') {
    throw new ProxyInputError(
      400,
      'this is a forward proxy: send absolute-form requests (GET http://host/path), CONNECT, or one Host header',
    );
  }
  const authority = hosts[0]!;
  const { hostname, port } = parseAuthority(authority, 80, 'Host header');
  return { hostname, port, authority, path: url.replace(/#.*$/, '') };
}

/** Hop-by-hop headers a proxy never forwards (RFC 9110 §7.6.1, plus the de-facto Proxy-Connection). */
const HOP_BY_HOP = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'upgrade',
  'transfer-encoding',
]);

function connectionTokens(raw: readonly string[]): string[] {
  const tokens: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'connection') {
      for (const t of raw[i + 1]!.split(',')) {
        const token = t.trim().toLowerCase();
        if (token) tokens.push(token);
      }
    }
  }
  return tokens;
}

function sameAuthority(a: string, b: string): boolean {
  const norm = (s: string) => s.trim().toLowerCase().replace(/:80$/, '');
  return norm(a) === norm(b);
}

export interface ForwardHead {
  rawHeaders: string[];
  /** The client asked to close its connection after this exchange. */
  close: boolean;
}

/**
 * The client's headers as they go upstream: order and case kept; hop-by-hop headers (and those the Connection
 * header names) removed; the Connection header itself kept only for its `keep-alive`/`close` (and, on an
 * upgrade, `upgrade`) tokens, since the proxy honours those on its own upstream hop too; Transfer-Encoding kept
 * when the body is re-sent chunked; Host set from the request target when missing or different (RFC 9112 §3.2.2).
 */
export function forwardRequestHeaders(
  raw: readonly string[],
  target: ProxyTarget,
  options: { upgrade: boolean; chunkedBody: boolean },
): ForwardHead {
  const tokens = connectionTokens(raw);
  const keepTokens = new Set(['keep-alive', 'close', ...(options.upgrade ? ['upgrade'] : [])]);
  const named = new Set(tokens.filter((t) => !keepTokens.has(t)));
  const close = tokens.includes('close');
  const out: string[] = [];
  let hostSeen = false;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = name.toLowerCase();
    if (lower === 'host') {
      if (hostSeen) throw new ProxyInputError(400, 'more than one Host header');
      hostSeen = true;
      out.push(name, sameAuthority(value, target.authority) ? value : target.authority);
      continue;
    }
    if (lower === 'connection') {
      const kept = value
        .split(',')
        .map((t) => t.trim())
        .filter((t) => keepTokens.has(t.toLowerCase()));
      if (kept.length > 0) out.push(name, kept.length === value.split(',').length ? value : kept.join(', '));
      continue;
    }
    if (lower === 'transfer-encoding' && options.chunkedBody) {
      out.push(name, value);
      continue;
    }
    if (lower === 'upgrade' && options.upgrade) {
      out.push(name, value);
      continue;
    }
    if (HOP_BY_HOP.has(lower) || named.has(lower)) continue;
    out.push(name, value);
  }
  if (!hostSeen) out.unshift('Host', target.authority);
  return { rawHeaders: out, close };
}

/** The bytes of an HTTP/1.1 request head. */
export function serialiseRequestHead(method: string, path: string, raw: readonly string[]): Buffer {
  let head = `${method} ${path} HTTP/1.1\r\n`;
  for (let i = 0; i + 1 < raw.length; i += 2) head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  head += '\r\n';
  return Buffer.from(head, 'latin1');
}

export interface ClientResponseHead {
  rawHeaders: string[];
  /** The upstream said `Connection: close`: pass it on and close the client connection after the response. */
  close: boolean;
}

/** Upstream response headers as they go to the client: hop-by-hop removed, `Connection: close` passed on. */
export function forwardResponseHeaders(raw: readonly string[]): ClientResponseHead {
  const tokens = connectionTokens(raw);
  const named = new Set(tokens);
  const close = tokens.includes('close');
  const out: string[] = [];
  let connectionName: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (lower === 'connection') {
      connectionName ??= name;
      continue;
    }
    if (HOP_BY_HOP.has(lower) || named.has(lower) || lower === 'trailer') continue;
    out.push(name, raw[i + 1]!);
  }
  if (close) out.push(connectionName ?? 'Connection', 'close');
  return { rawHeaders: out, close };
}

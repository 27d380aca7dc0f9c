/**
 * A small HTTP forward proxy for tests: a "user gateway" with knobs the bearer simulator does not have.
 * Plain-HTTP requests (absolute-form) are forwarded with the client's header lines plus `addHeaders`; CONNECT
 * is tunnelled untouched (TLS cannot be enriched). It only ever connects to loopback (`127.0.0.1`,
 * `localhost`, `*.localhost`, and `[::1]` unless `ipv4Only`; anything else gets 403), and its upstream
 * connections leave from `localAddress` (a loopback alias such as 127.0.0.2 stands in for a carrier's egress
 * pool; an IPv6 destination then cannot be reached, as from a NAT pool without IPv6).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface TestGatewayOptions {
  /** Local address of every upstream connection (plain and CONNECT), e.g. '127.0.0.2'. */
  localAddress?: string;
  /** Client header names the gateway removes (anti-spoofing), lower-case. */
  strip?: readonly string[];
  /** Header lines the gateway adds to a plain-HTTP request (return [] to add none). */
  addHeaders?: (url: URL) => [string, string][];
  /** Add `addHeaders` only to requests whose destination is of this IP family (a rule on one path only). */
  addHeadersFamily?: 4 | 6;
  /** Refuse IPv6 destinations (403), as a gateway without an IPv6 path. */
  ipv4Only?: boolean;
  /** Answer a plain-HTTP request with this status instead of forwarding it. */
  answer?: (url: URL) => number | undefined;
  /** Drop a plain-HTTP request (close the client's connection without an answer). */
  drop?: (url: URL) => boolean;
  /** Hold a plain-HTTP request open, never answering (a gateway that hangs); called when it arrives. */
  hold?: (url: URL) => boolean;
}

export interface TestGateway {
  port: number;
  url: string;
  /** Plain-HTTP requests forwarded so far. */
  readonly forwarded: number;
  close(): Promise<void>;
}

/** Where a target may be reached: loopback only, as 127.0.0.1 or ::1; undefined for anything else. */
function loopbackHost(hostname: string, ipv4Only = false): string | undefined {
  const name = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (name === '127.0.0.1' || name === 'localhost' || name.endsWith('.localhost')) return '127.0.0.1';
  if (name === '::1' && !ipv4Only) return '::1';
  return undefined;
}

/** `host:port` of a CONNECT target, IPv6 literals in brackets. */
function connectTarget(authority: string): { hostname: string; port: number } {
  const m = /^(\[[^\]]*\]|[^:]*):(\d+)$/.exec(authority);
  return m ? { hostname: m[1]!, port: Number(m[2]) } : { hostname: '', port: 0 };
}

export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const sockets = new Set<net.Socket>();
  let forwarded = 0;
  const server = http.createServer((req, res) => {
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (options.drop?.(target)) {
      req.socket.destroy();
      return;
    }
    if (options.hold?.(target)) return;
    const host = loopbackHost(target.hostname, options.ipv4Only);
    if (target.protocol !== 'http:' || !host) {
      res.writeHead(403).end();
      return;
    }
    const status = options.answer?.(target);
    if (status !== undefined) {
      res.writeHead(status, { 'content-type': 'text/plain' }).end(`gateway says ${status}\n`);
      return;
    }
    const headers: [string, string][] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!;
      if (/^(proxy-connection|proxy-authorization)$/i.test(name)) continue;
      if (options.strip?.includes(name.toLowerCase())) continue;
      headers.push([name, req.rawHeaders[i + 1]!]);
    }
    const family = host.includes(':') ? 6 : 4;
    if (options.addHeadersFamily === undefined || options.addHeadersFamily === family)
      headers.push(...(options.addHeaders?.(target) ?? []));
    forwarded++;
    const upstream = http.request(
      {
        host,
        port: Number(target.port || 80),
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers: headers.flat(),
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        setHost: false,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.rawHeaders);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(upstream);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req, client, head) => {
    const { hostname, port } = connectTarget(req.url ?? '');
    const host = loopbackHost(hostname, options.ipv4Only);
    if (!host) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = net.connect({
      host,
      port,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get forwarded() {
      return forwarded;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * For one `describe` block of end-to-end runs through test gateways: a temporary folder and the gateways its
 * tests start, all closed and removed after the block (mocha's `after`, registered here: call it in the
 * describe body). A gateway is tracked as soon as it has started, so one that fails to start leaks none before it.
 */
export function gatewayRunFixture(prefix: string): {
  folder(): Promise<string>;
  gateway(options?: TestGatewayOptions): Promise<TestGateway>;
} {
  const folders: string[] = [];
  const gateways: TestGateway[] = [];
  after(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await Promise.all(folders.map((d) => rm(d, { recursive: true, force: true })));
  });
  return {
    async folder() {
      const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
      folders.push(dir);
      return dir;
    },
    async gateway(options) {
      const g = await startTestGateway(options);
      gateways.push(g);
      return g;
    },
  };
}

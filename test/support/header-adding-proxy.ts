/**
 * A tiny forward proxy on loopback standing in for a carrier gateway in browser tests: plain-HTTP requests get
 * the given headers added on their way; CONNECT (HTTPS) is tunnelled untouched, since TLS cannot be enriched. It only
 * ever connects to 127.0.0.1 (`*.localhost` and `127.0.0.1` targets); anything else gets 403.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';

export interface HeaderAddingProxy {
  port: number;
  /** Plain-HTTP requests forwarded so far. */
  forwarded: number;
  close(): Promise<void>;
}

function loopbackTarget(host: string): boolean {
  const name = host.replace(/:\d+$/, '').toLowerCase();
  return name === '127.0.0.1' || name === 'localhost' || name.endsWith('.localhost');
}

export async function startHeaderAddingProxy(
  added: ReadonlyArray<[name: string, value: string]>,
): Promise<HeaderAddingProxy> {
  const sockets = new Set<net.Socket>();
  const state = { forwarded: 0 };
  const server = http.createServer((req, res) => {
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (target.protocol !== 'http:' || !loopbackTarget(target.host)) {
      res.writeHead(403).end();
      return;
    }
    state.forwarded++;
    const headers: string[] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!;
      if (name.toLowerCase() === 'proxy-connection') continue;
      headers.push(name, req.rawHeaders[i + 1]!);
    }
    for (const [name, value] of added) headers.push(name, value);
    const upstream = http.request({
      host: '127.0.0.1',
      port: Number(target.port || 80),
      method: req.method,
      path: `${target.pathname}${target.search}`,
      headers,
      setHost: false,
    });
    upstream.on('response', (up) => {
      res.writeHead(up.statusCode ?? 502, up.rawHeaders);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const [host, port] = [req.url?.replace(/:\d+$/, '') ?? '', Number(req.url?.split(':').pop())];
    client.on('error', () => {});
    if (!loopbackTarget(host) || !Number.isInteger(port)) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = net.connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get forwarded() {
      return state.forwarded;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

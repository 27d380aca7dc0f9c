/** Test doubles for the simulator tests: an echo origin that records raw headers, clients, TCP/TLS echoes. */
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';

export interface Captured {
  method: string;
  url: string;
  rawHeaders: string[];
  /** The origin-side client port: one per upstream connection. */
  remotePort: number;
  /** 1-based index of the request on its upstream connection. */
  index: number;
  body: string;
}

export interface Echo {
  port: number;
  captures: Captured[];
  close(): Promise<void>;
}

/**
 * An origin server that records every request exactly as received and answers with JSON.
 * `/close…` answers with `Connection: close`; `/chunked…` streams a chunked body; `/big…` sends 1 MiB.
 */
export async function startEcho(): Promise<Echo> {
  const captures: Captured[] = [];
  const perSocket = new WeakMap<net.Socket, number>();
  const server = http.createServer((req, res) => {
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const captured: Captured = {
        method: req.method ?? '',
        url: req.url ?? '',
        rawHeaders: [...req.rawHeaders],
        remotePort: req.socket.remotePort ?? 0,
        index: n,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      captures.push(captured);
      const url = req.url ?? '';
      if (url.startsWith('/chunked')) {
        res.writeHead(200, [
          'Content-Type',
          'text/plain',
          'X-Echo-Case',
          'Kept',
          'Transfer-Encoding',
          'chunked',
        ]);
        res.write('hello ');
        setImmediate(() => res.end('world'));
        return;
      }
      if (url.startsWith('/big')) {
        const big = Buffer.alloc(1024 * 1024, 'x');
        res.writeHead(200, { 'Content-Length': big.length });
        res.end(big);
        return;
      }
      const body = JSON.stringify(captured);
      const headers: string[] = [
        'Content-Type',
        'application/json',
        'Content-Length',
        String(Buffer.byteLength(body)),
      ];
      if (url.startsWith('/close')) headers.push('Connection', 'close');
      res.writeHead(200, headers);
      res.end(body);
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    captures,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface ClientResponse {
  status: number;
  rawHeaders: string[];
  body: string;
  socket: net.Socket;
}

/** One request through the proxy with Node's HTTP client (absolute-form target). */
export function viaProxy(
  proxyPort: number,
  url: string,
  options: { headers?: string[]; agent?: http.Agent; method?: string; body?: string } = {},
): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port: proxyPort,
      method: options.method ?? 'GET',
      path: url,
      headers: options.headers ?? ['Host', new URL(url).host],
      agent: options.agent ?? false,
      setHost: false,
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          rawHeaders: res.rawHeaders,
          body: Buffer.concat(chunks).toString('utf8'),
          socket: req.socket!,
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Header values by lower-case name. */
export function values(raw: readonly string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) out.push(raw[i + 1]!);
  return out;
}

export function names(raw: readonly string[]): string[] {
  return raw.filter((_, i) => i % 2 === 0);
}

/** Send raw bytes to a port and read until `done(text)` says the answer is complete (or the peer closes). */
export function rawExchange(
  port: number,
  bytes: string | Buffer,
  done: (text: string) => boolean = responseComplete,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      if (done(text)) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.write(bytes);
  });
}

/** A response with a Content-Length body has fully arrived. */
export function responseComplete(text: string): boolean {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const m = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end));
  return m ? text.length - end - 4 >= Number(m[1]) : false;
}

/** A raw TCP echo server. */
export async function startTcpEcho(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.pipe(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Open a CONNECT tunnel through the proxy; resolves with the socket once the proxy said 200. */
export function connectTunnel(
  proxyPort: number,
  authority: string,
): Promise<{ socket: net.Socket; status: number; head: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(proxyPort, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const onData = (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const head = buf.subarray(0, end).toString('latin1');
      const status = Number(/^HTTP\/1\.\d (\d{3})/.exec(head)?.[1] ?? 0);
      const rest = buf.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      resolve({ socket, status, head });
    };
    socket.on('data', onData);
    socket.on('error', reject);
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
  });
}

/**
 * One exchange through a CONNECT tunnel to a loopback server reached as `hostname`: the server answers the
 * first bytes it gets with `answer(its socket)` and ends; resolves with the tunnel's status and the answer.
 */
export async function tunnelExchange(
  proxyPort: number,
  hostname: string,
  answer: (server: net.Socket) => string,
): Promise<{ status: number; text: string }> {
  // It answers only when asked, so the answer cannot pass before the test listens.
  const server = net.createServer((s) => {
    s.once('data', () => s.end(answer(s)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as net.AddressInfo).port;
    const { socket, status } = await connectTunnel(proxyPort, `${hostname}:${port}`);
    if (status !== 200) {
      socket.destroy();
      return { status, text: '' };
    }
    const text = await new Promise<string>((resolve) => {
      let buf = '';
      socket.on('data', (c: Buffer) => {
        buf += c.toString();
      });
      socket.on('end', () => resolve(buf));
      socket.write('hello?\n');
    });
    socket.destroy();
    return { status, text };
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
}

/** Read exactly n bytes from a socket. */
export function readBytes(socket: net.Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const onData = (c: Buffer) => {
      chunks.push(c);
      got += c.length;
      if (got >= n) {
        socket.off('data', onData);
        resolve(Buffer.concat(chunks).subarray(0, n));
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', () => {
      if (got < n) reject(new Error(`socket closed after ${got} of ${n} bytes`));
    });
  });
}

/**
 * A TCP origin that accepts connections, reads what comes and never answers, nor closes its side when the
 * proxy closes its own (half-open): only a destroy from the proxy ends the connection.
 */
export async function startSilentOrigin(): Promise<{
  port: number;
  /** Connections currently open on the origin's side. */
  open(): number;
  close(): Promise<void>;
}> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.resume();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    open: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

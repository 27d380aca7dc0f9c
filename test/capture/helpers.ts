/** Test helpers for the capture endpoint: a server on ephemeral loopback ports and raw HTTP/1.1 sockets. */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import {
  CaptureClient,
  type CaptureServerOptions,
  type RunningCaptureServer,
  startLocalCaptureServer,
} from '../../src/capture/index.ts';
import { createLogger } from '../../src/shared/logger.ts';

export const API_KEY = 'test-key-0123456789abcdef';

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'hg-capture-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startTestServer(
  overrides: Partial<CaptureServerOptions> = {},
): Promise<{ server: RunningCaptureServer; client: CaptureClient }> {
  const server = await startLocalCaptureServer({
    apiKey: API_KEY,
    logger: createLogger('capture-test', 'silent'),
    ...overrides,
  });
  return { server, client: new CaptureClient(server.apiBaseUrl, server.apiKey) };
}

export interface RawResponse {
  status: number;
  /** Header lines as received: [name, value]. */
  headers: [string, string][];
  body: string;
}

export function header(res: RawResponse, name: string): string | undefined {
  return res.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
}

/**
 * One raw HTTP/1.1 connection (plain or TLS): write exact bytes, read responses one at a time. Nothing between
 * the test and the server normalises header names, order or duplicates.
 */
export class RawConnection {
  private buffer = Buffer.alloc(0);
  private ended = false;
  private waiter: (() => void) | undefined;
  readonly socket: net.Socket;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.waiter?.();
    });
    const end = () => {
      this.ended = true;
      this.waiter?.();
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', end);
  }

  static open(port: number, options: { tls?: boolean } = {}): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = options.tls
        ? tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] })
        : net.connect(port, '127.0.0.1');
      socket.once(options.tls ? 'secureConnect' : 'connect', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.ended;
  }

  write(text: string | Buffer): void {
    this.socket.write(text);
  }

  /** Send bytes and read one response (Content-Length framed, or until the server closes). */
  async request(text: string | Buffer): Promise<RawResponse> {
    this.write(text);
    return this.read();
  }

  async read(timeoutMs = 5000): Promise<RawResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const parsed = this.tryParse();
      if (parsed) return parsed;
      if (this.ended)
        throw new Error(`connection closed; got ${JSON.stringify(this.buffer.toString('latin1'))}`);
      if (Date.now() > deadline) throw new Error('no response in time');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  /** Wait until the server closes the connection. */
  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error('connection still open');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private tryParse(): RawResponse | undefined {
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end === -1) return undefined;
    const head = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
    const status = Number(head[0]!.split(' ')[1]);
    const headers = head.slice(1).map((line): [string, string] => {
      const i = line.indexOf(':');
      return [line.slice(0, i), line.slice(i + 1).trim()];
    });
    const lengthHeader = headers.find(([n]) => n.toLowerCase() === 'content-length');
    const length = lengthHeader ? Number(lengthHeader[1]) : undefined;
    const bodyStart = end + 4;
    let bodyEnd: number;
    if (length !== undefined) {
      if (this.buffer.length < bodyStart + length) return undefined;
      bodyEnd = bodyStart + length;
    } else if (status === 204 || status === 304) {
      bodyEnd = bodyStart;
    } else {
      if (!this.ended) return undefined;
      bodyEnd = this.buffer.length;
    }
    const body = this.buffer.subarray(bodyStart, bodyEnd).toString('latin1');
    this.buffer = this.buffer.subarray(bodyEnd);
    return { status, headers, body };
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The SHA-256 fingerprint of the certificate a new TLS connection to `port` is shown. */
export async function servedCertificate(port: number): Promise<string> {
  const conn = await RawConnection.open(port, { tls: true });
  try {
    return (conn.socket as tls.TLSSocket).getPeerCertificate().fingerprint256;
  } finally {
    conn.close();
  }
}

/** One request on a fresh connection, then close it. */
export async function rawRequest(
  port: number,
  text: string | Buffer,
  options: { tls?: boolean } = {},
): Promise<RawResponse> {
  const conn = await RawConnection.open(port, options);
  try {
    return await conn.request(text);
  } finally {
    conn.close();
  }
}

/** The path of a plan URL (what a raw request line carries). */
export function pathOf(url: string): string {
  return new URL(url).pathname;
}

export { freePort } from '../../src/shared/free-port.ts';

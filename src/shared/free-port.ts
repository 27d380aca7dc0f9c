import { readFileSync } from 'node:fs';
import net from 'node:net';

/**
 * The kernel's ephemeral range (the local ports of outgoing connections). A port picked inside it can be taken
 * by any outgoing connection (a browser's, a driver's) between picking it and binding it; one below it cannot.
 */
function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (Number.isInteger(lo) && Number.isInteger(hi) && lo! > 0 && hi! >= lo!) return [lo!, hi!];
  } catch {
    // not Linux: IANA's dynamic range
  }
  return [49152, 65535];
}

const LOWEST = 10_000;

/** Whether `port` can be bound on `host` now (then released at once). */
function bindable(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) =>
      // A machine without this family cannot conflict on it.
      resolve(host === '::1' && (err.code === 'EADDRNOTAVAIL' || err.code === 'EAFNOSUPPORT')),
    );
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Ask the OS for a free port (listen on 0, read it, close). */
function osPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A free loopback TCP port, free on ::1 too (the embedded endpoint listens on both families), chosen below the
 * ephemeral range so that no outgoing connection takes it before it is bound; the OS's choice when none is.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [lo] = ephemeralRange();
  const top = Math.min(lo, 65_536);
  if (top - LOWEST >= 1000) {
    for (let i = 0; i < 50; i++) {
      const port = LOWEST + Math.floor(Math.random() * (top - LOWEST));
      if ((await bindable(port, host)) && (host !== '127.0.0.1' || (await bindable(port, '::1'))))
        return port;
    }
  }
  return osPort(host);
}

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

/**
 * The ports browsers and fetch() refuse to connect to (the Fetch standard's "bad port" list; Chromium's is the
 * same): a probe page or an API call on one fails as if nothing listened (seen: the embedded endpoint planned
 * on 10080, every handset broken with "could not connect").
 */
const BAD_PORTS = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104,
  109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515,
  526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049,
  3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** Whether browsers and fetch() connect to `port` at all (see BAD_PORTS). */
export function browsersConnectTo(port: number): boolean {
  return !BAD_PORTS.has(port);
}

/**
 * Ports this process handed out lately. A port is released as soon as it is found free, so without this two
 * calls could hand out the same one (a plan's endpoint ports, simulators and driver are chosen one after the
 * other and bound later: seen once as an endpoint whose HTTP and HTTPS ports were the same).
 */
const handedOut = new Map<number, number>();
const HANDED_OUT_MS = 10 * 60_000;

function recentlyHandedOut(port: number, now: number): boolean {
  const at = handedOut.get(port);
  if (at === undefined) return false;
  if (now - at < HANDED_OUT_MS) return true;
  handedOut.delete(port);
  return false;
}

function handOut(port: number): number {
  handedOut.set(port, Date.now());
  return port;
}

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
 * Never one browsers refuse (BAD_PORTS), nor one this process handed out in the last ten minutes: it throws
 * rather than hand one out.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [lo] = ephemeralRange();
  const top = Math.min(lo, 65_536);
  if (top - LOWEST >= 1000) {
    for (let i = 0; i < 50; i++) {
      const port = LOWEST + Math.floor(Math.random() * (top - LOWEST));
      if (!browsersConnectTo(port) || recentlyHandedOut(port, Date.now())) continue;
      if ((await bindable(port, host)) && (host !== '127.0.0.1' || (await bindable(port, '::1'))))
        return handOut(port);
    }
  }
  for (let i = 0; i < 50; i++) {
    const port = await osPort(host);
    if (browsersConnectTo(port) && !recentlyHandedOut(port, Date.now())) return handOut(port);
  }
  // Not a port browsers may refuse or one already handed out: that would fail later, and less clearly.
  throw new Error(`no free port on ${host} that browsers connect to`);
}

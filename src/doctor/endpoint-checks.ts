/**
 * Preflight checks of the capture endpoint: it answers, it accepts the API key, its probe and partner hosts
 * resolve, its certificate is valid for both, and nothing in front of it (a proxy, a CDN, a load balancer)
 * changes a request: a raw request with a known set of header lines must come back from the API byte for byte.
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import { CaptureApiError, type CaptureClient, type CreatedRun } from '../capture/index.ts';
import type { HeaderPair } from '../model/capture.ts';
import { describeError } from '../shared/errors.ts';
import { badConfig, type CheckResult, missing, ok } from './doctor-check.ts';

/** Where a host name leads: `*.localhost` is loopback (as in browsers and the simulator), else DNS. */
export async function resolveHost(host: string): Promise<string> {
  if (host === 'localhost' || host.endsWith('.localhost')) return '127.0.0.1';
  if (net.isIP(host)) return host;
  return (await lookup(host)).address;
}

/** The endpoint answers and accepts the key (CaptureClient.checkAccess). */
export async function checkAccess(client: CaptureClient, where: string): Promise<CheckResult[]> {
  try {
    await client.checkAccess();
    return [ok(`capture endpoint ${where} reachable`), ok('capture API key accepted')];
  } catch (err) {
    const why = describeError(err);
    if (err instanceof CaptureApiError && err.status === 401)
      return [
        ok(`capture endpoint ${where} reachable`),
        badConfig(
          'capture API key accepted',
          why,
          "set capture.apiKey to the endpoint's key (serve --api-key)",
        ),
      ];
    return [
      missing(
        `capture endpoint ${where} reachable`,
        why,
        'start headerguard serve there, or fix capture.url',
      ),
    ];
  }
}

/** The probe and partner hosts of a run's plan, with the HTTPS port. */
export function hostsOf(run: CreatedRun): { probe: URL; partner: URL; httpsPort: number } {
  const find = (probe: string) => new URL(run.plan.find((p) => p.probe === probe)!.url);
  const tlsNav = find('nav-tls');
  return { probe: find('nav'), partner: find('partner'), httpsPort: Number(tlsNav.port || 443) };
}

/** Each host resolves. */
export async function checkResolves(hosts: readonly string[]): Promise<CheckResult[]> {
  return Promise.all(
    hosts.map(async (host) => {
      try {
        return ok(`${host} resolves`, await resolveHost(host));
      } catch (err) {
        return missing(
          `${host} resolves`,
          describeError(err),
          `add a DNS record for ${host} pointing at the endpoint`,
        );
      }
    }),
  );
}

/** A TLS handshake with `host` (SNI) on the HTTPS port validates the certificate for that name. */
export async function checkCertificate(
  host: string,
  port: number,
  options: { ca?: string | Buffer; timeoutMs?: number } = {},
): Promise<CheckResult> {
  const check = `certificate valid for ${host}`;
  try {
    const address = await resolveHost(host);
    await new Promise<void>((resolve, reject) => {
      const socket = tls.connect({
        host: address,
        port,
        servername: host,
        rejectUnauthorized: true,
        ...(options.ca ? { ca: options.ca } : {}),
        timeout: options.timeoutMs ?? 5000,
      });
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('timeout', () => socket.destroy(new Error('TLS handshake timed out')));
      socket.once('error', reject);
    });
    return ok(check, `port ${port}`);
  } catch (err) {
    return missing(
      check,
      `${describeError(err)} (port ${port})`,
      `serve a certificate covering both hosts (serve --tls-cert/--tls-key), or set capture.acceptInsecureCerts for a lab endpoint`,
    );
  }
}

/** The known header lines the doctor sends: odd casing, an odd order and a duplicate, as a browser never would. */
export function knownHeaderLines(host: string): HeaderPair[] {
  return [
    ['Host', host],
    ['x-HG-Doctor', 'Nothing-In-Front 1'],
    ['User-Agent', 'headerguard-doctor'],
    ['ACCEPT', '*/*'],
    ['X-hg-dup', 'first'],
    ['x-HG-DUP', 'second'],
    ['Connection', 'close'],
  ];
}

/**
 * Send a raw HTTP/1.1 GET with exactly these header lines; resolve with the status line. `via`: connect there
 * instead of to the URL's host (what a DNS record in front of the endpoint would do).
 */
export async function sendRaw(
  url: URL,
  lines: readonly HeaderPair[],
  options: { via?: { host: string; port: number }; timeoutMs?: number } = {},
): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const address = options.via?.host ?? (await resolveHost(url.hostname));
  const port = options.via?.port ?? Number(url.port || 80);
  const head = `GET ${url.pathname}${url.search} HTTP/1.1\r\n${lines.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port, timeout: timeoutMs });
    let answer = '';
    socket.once('connect', () => socket.write(head, 'latin1'));
    socket.on('data', (d) => {
      answer += d.toString('latin1');
    });
    socket.once('timeout', () =>
      socket.destroy(new Error(`no answer from ${url.host} within ${timeoutMs} ms`)),
    );
    socket.once('error', reject);
    socket.once('close', () => {
      const status = answer.split('\r\n')[0] ?? '';
      if (status.startsWith('HTTP/')) resolve(status);
      else reject(new Error(`no HTTP answer from ${url.host}`));
    });
  });
}

/** What differs between the header lines sent and those the endpoint received, in words (names only). */
export function headerDifference(
  sent: readonly HeaderPair[],
  received: readonly HeaderPair[],
): string | undefined {
  const line = ([k, v]: HeaderPair) => `${k}: ${v}`;
  if (sent.map(line).join('\n') === received.map(line).join('\n')) return undefined;
  const names = (pairs: readonly HeaderPair[]) => pairs.map(([k]) => k);
  const sentSet = new Set(sent.map(line));
  const receivedSet = new Set(received.map(line));
  const added = received.filter((p) => !sentSet.has(line(p)));
  const removed = sent.filter((p) => !receivedSet.has(line(p)));
  const parts: string[] = [];
  if (added.length) parts.push(`added or changed ${names(added).join(', ')}`);
  if (removed.length) parts.push(`removed or changed ${names(removed).join(', ')}`);
  if (!parts.length) parts.push('reordered the header lines');
  return parts.join('; ');
}

/**
 * Nothing in front of the endpoint: a run is created, the doctor sends its `nav` probe a raw request with
 * known header lines, and the capture read back through the API must be those lines, byte for byte.
 */
export async function checkNothingInFront(
  client: CaptureClient,
  bearer: string,
  options: { via?: { host: string; port: number }; waitMs?: number } = {},
): Promise<CheckResult> {
  const waitMs = options.waitMs ?? 5000;
  const check = 'nothing in front of the endpoint (headers arrive byte for byte)';
  let run: CreatedRun;
  try {
    run = await client.createRun({ handset: 'doctor', bearer });
  } catch (err) {
    return missing(
      check,
      `cannot create a run (${describeError(err)})`,
      'fix the capture endpoint checks above first',
    );
  }
  try {
    const nav = new URL(run.plan.find((p) => p.probe === 'nav')!.url);
    const sent = knownHeaderLines(nav.host);
    try {
      await sendRaw(nav, sent, options.via ? { via: options.via } : {});
    } catch (err) {
      return missing(
        check,
        `cannot reach ${nav.host}: ${describeError(err)}`,
        'open the probe port to this machine',
      );
    }
    const deadline = Date.now() + waitMs;
    for (;;) {
      const captures = await client.getCaptures(run.token);
      const got = captures.captures.find((c) => c.probe === 'nav');
      if (got) {
        const diff = headerDifference(sent, got.headers);
        return diff === undefined
          ? ok(check)
          : missing(
              check,
              `something between here and the endpoint ${diff}`,
              'serve the probe hosts with no proxy, CDN or load balancer in front (DNS straight to headerguard serve)',
            );
      }
      if (Date.now() > deadline)
        return missing(
          check,
          `the request to ${nav.host} was answered but never captured`,
          'point the probe host at headerguard serve itself',
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    return missing(check, describeError(err), 'fix the capture endpoint checks above first');
  } finally {
    await client.deleteRun(run.token).catch(() => {});
  }
}

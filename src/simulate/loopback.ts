/** Loopback names, and requests that would loop back to the simulator itself. */
import { ProxyInputError } from './http-head.ts';

/** localhost, `*.localhost`, 127.0.0.0/8, ::1, and the wildcard addresses. */
export function isLoopbackName(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname) ||
    hostname === '0.0.0.0' ||
    hostname === '::'
  );
}

/** Whether a target is the simulator listening on `bind`:`port`. */
export function isSelf(target: { hostname: string; port: number }, bind: string, port: number): boolean {
  return target.port === port && (isLoopbackName(target.hostname) || target.hostname === bind);
}

/** A browser pointed at the simulator (origin form) gets 400; a proxied request to itself, 508. */
export function selfError(url: string): ProxyInputError {
  return url.startsWith('/')
    ? new ProxyInputError(400, 'this is a forward proxy: set it as the HTTP proxy, do not browse to it')
    : new ProxyInputError(508, 'request loops back to the simulator itself');
}

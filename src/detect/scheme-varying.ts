/**
 * THE list of headers a browser legitimately sends differently over HTTP and HTTPS, or by request kind, so that
 * their presence or value on an HTTP probe says nothing about the network. They are never reported as
 * `unexpected-injection` (the identifier rules still scan them). Everything else that differs is the network's.
 */
const SCHEME_VARYING_HEADERS: ReadonlyMap<string, string> = new Map([
  ['host', 'carries the port, which differs between the HTTP, alternate and HTTPS listeners'],
  ['origin', 'scheme and port are part of the origin; sent only on some request kinds'],
  ['referer', 'names the referring page, whose scheme differs; trimmed by referrer policy on downgrade'],
  ['sec-fetch-site', 'same-origin vs cross-site depends on scheme and port'],
  ['sec-fetch-mode', 'depends on the request kind (navigate, no-cors, cors)'],
  ['sec-fetch-dest', 'depends on the request kind (document, image, empty)'],
  ['sec-fetch-user', 'sent only on user-activated navigations'],
  ['sec-fetch-storage-access', 'depends on the storage-access state of the context'],
  [
    'upgrade-insecure-requests',
    'sent on navigations; Chrome sends it over HTTP and HTTPS alike but not on subresources',
  ],
  ['accept', 'varies with the request destination (document, image, fetch)'],
  ['accept-encoding', 'Chromium advertises br/zstd only over HTTPS'],
  ['priority', 'RFC 9218 priority hint varies with the request kind'],
  ['purpose', 'prefetch/prerender hints'],
  ['sec-purpose', 'prefetch/prerender hints'],
  ['cache-control', 'reloads and revalidations differ between requests'],
  ['pragma', 'reloads differ between requests'],
  ['if-none-match', 'conditional requests depend on what the cache holds per scheme'],
  ['if-modified-since', 'conditional requests depend on what the cache holds per scheme'],
  ['connection', 'hop-by-hop: connection management (RFC 9110 §7.6.1)'],
  ['keep-alive', 'hop-by-hop: connection management'],
  ['proxy-connection', 'hop-by-hop: sent by some clients to proxies'],
  ['te', 'hop-by-hop: transfer codings'],
  ['upgrade', 'hop-by-hop: protocol upgrade (HTTP/1.1 only)'],
  ['transfer-encoding', 'HTTP/1.1 message framing; HTTP/2 over TLS has none'],
  ['expect', 'HTTP/1.1 100-continue handshake, by request body'],
  ['content-length', 'depends on the request body'],
  ['content-type', 'depends on the request body'],
  ['range', 'media requests'],
  ['x-requested-with', 'Android WebView sends the app package on some requests only'],
]);

/**
 * Also: `Sec-CH-*` client hints (sent only in secure contexts, after Accept-CH opt-in) and HTTP/2 pseudo-headers.
 */
export function isSchemeVarying(lowerName: string): boolean {
  // HTTP/2 pseudo-headers (`:authority`…) appear in raw headers when the TLS listener speaks HTTP/2.
  return (
    SCHEME_VARYING_HEADERS.has(lowerName) || lowerName.startsWith('sec-ch-') || lowerName.startsWith(':')
  );
}

/**
 * `/me`: shows visitors the request headers this server received from them, in order, original case, escaped.
 * The manual check an engineer does with any phone. Nothing is stored.
 */
import type { HeaderPair, Listener } from '../../model/capture.ts';
import { escapeHtml, page } from './html.ts';

export interface MeRequest {
  method: string;
  url: string;
  httpVersion: string;
  listener: Listener;
  tls: boolean;
  remoteAddress: string;
  headers: readonly HeaderPair[];
}

export function mePage(req: MeRequest): string {
  const rows = req.headers
    .map(
      ([name, value], i) =>
        `<tr><td>${i + 1}</td><td>${escapeHtml(name)}</td><td>${escapeHtml(value)}</td></tr>`,
    )
    .join('\n');
  const body = `<h1>Your request, as received</h1>
<p><code>${escapeHtml(req.method)} ${escapeHtml(req.url)} HTTP/${escapeHtml(req.httpVersion)}</code>
on the ${escapeHtml(req.listener)} listener (${req.tls ? 'HTTPS' : 'plain HTTP'}) from
<code>${escapeHtml(req.remoteAddress)}</code>.</p>
<p>${req.headers.length} header${req.headers.length === 1 ? '' : 's'}, in the order and case they arrived.
Anything here that your browser did not send was added on the way. This page stores nothing.</p>
<table>
<thead><tr><th>#</th><th>name</th><th>value</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
  return page('headerguard: your request headers', '', body);
}

/** `/`: a pointer for whoever opens the bare host. */
export function indexPage(): string {
  return page(
    'headerguard capture endpoint',
    '',
    `<h1>headerguard capture endpoint</h1>
<p>See the headers your network sends: <a href="/me">/me</a>.</p>`,
  );
}

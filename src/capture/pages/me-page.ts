/**
 * `/me`: shows visitors the request headers this server received from them, in order, original case, escaped;
 * marks the identity headers of the verdict engine's catalogue and, over plain HTTP, the headers the network
 * injected (its script compares with the same request over HTTPS), naming the rule each would trip. The manual
 * check an engineer does with any phone. Nothing is stored.
 */
import { isSchemeVarying } from '../../detect/index.ts';
import type { Listener } from '../../model/capture.ts';
import { escapeHtml, jsonForScript, page } from './html.ts';
import { type MeReport, type MeRequest, meReport } from './me-report.ts';
import { ME_SCRIPT } from './me-script.ts';

export interface MePageRequest extends MeRequest {
  listener: Listener;
  /** Where this page's script fetches `/me.json` over HTTPS; undefined when there is no such address. */
  httpsUrl: string | undefined;
}

const STYLE = `<style>
tr.identity td{background:#fde2e2}tr.injected td{background:#fff1c2}tr.identity.injected td{background:#fbd0b0}
td.note{font-family:system-ui,sans-serif;word-break:normal}td.note p{margin:0 0 .2rem}td.note code{font-weight:bold}
td.n{white-space:nowrap}td.h{word-break:normal;overflow-wrap:anywhere}.legend span{padding:0 .3rem}
.legend .identity{background:#fde2e2}.legend .injected{background:#fff1c2}
</style>`;

function noteCell(report: MeReport, index: number): string {
  const note = report.identityHeaders.find((h) => h.index === index);
  if (!note) return '<td class="note"></td>';
  return `<td class="note"><p>Identity header (${escapeHtml(note.why)}). Rule: <code>${note.rule}</code></p></td>`;
}

export function mePage(req: MePageRequest): string {
  const report = meReport(req);
  const identity = new Set(report.identityHeaders.map((h) => h.index));
  const rows = report.headers
    .map(
      ([name, value], i) =>
        `<tr data-index="${i}"${identity.has(i) ? ' class="identity" data-identity="true"' : ''}><td class="n">${i + 1}</td>` +
        `<td class="h">${escapeHtml(name)}</td><td>${escapeHtml(value)}</td>${noteCell(report, i)}</tr>`,
    )
    .join('\n');
  const n = report.headers.length;
  const ids = report.identityHeaders.length;
  const compare = req.tls
    ? 'This request came over HTTPS: nothing on the way can have added or changed a header. Open this page over plain HTTP to see what your network adds.'
    : 'Comparing with the same request over HTTPS…';
  const data = {
    tls: req.tls,
    httpsUrl: req.httpsUrl ?? null,
    headers: report.headers,
    varying: report.headers.map(([name]) => name.toLowerCase()).filter(isSchemeVarying),
  };
  const body = `${STYLE}
<h1>Your request, as received</h1>
<p><code>${escapeHtml(req.method)} ${escapeHtml(req.url)} HTTP/${escapeHtml(req.httpVersion)}</code>
on the ${escapeHtml(req.listener)} listener (${req.tls ? 'HTTPS' : 'plain HTTP'}) from
<code>${escapeHtml(req.remoteAddress)}</code>.</p>
<p>${n} header${n === 1 ? '' : 's'}, in the order and case they arrived;
${ids === 0 ? 'no identity header' : `<strong>${ids} identity header${ids === 1 ? '' : 's'}</strong>`}.
This page stores nothing. As JSON: <a href="/me.json">/me.json</a>.</p>
<p id="compare">${compare}</p>
<p class="legend"><span class="identity">identity header</span> <span class="injected">added or changed on the way</span></p>
<table>
<thead><tr><th>#</th><th>name</th><th>value</th><th>what headerguard would say</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<script type="application/json" id="me-data">${jsonForScript(data)}</script>
<script>${ME_SCRIPT}</script>`;
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

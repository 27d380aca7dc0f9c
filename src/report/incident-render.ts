/**
 * The incident record printed as Markdown or as one self-contained HTML file (inline style, no script, no
 * external resource: it opens from file://). Both pass the whole text through `maskDigitRuns` last, so a long
 * digit run that reached a summary unmasked is masked here too; masked evidence is never widened.
 */
import { escapeHtml } from '../capture/pages/html.ts';
import { maskDigitRuns } from '../shared/mask.ts';
import type { Block, IncidentDocument } from './incident-document.ts';

/** A Markdown table cell: one line, pipes escaped. */
function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|') || ' ';
}

/**
 * Markdown text: characters that would start code, links or HTML are escaped. `*` and `_` are left as they are,
 * so a masked identifier reads (and greps) as `4477******01`.
 */
function mdText(text: string): string {
  return text.replace(/([\\`[\]<>])/g, '\\$1');
}

function markdownBlock(b: Block): string {
  switch (b.kind) {
    case 'heading':
      return `${'#'.repeat(b.level)} ${mdText(b.text)}`;
    case 'paragraph':
      return mdText(b.text);
    case 'list':
      return b.items.map((i) => `- ${mdText(i)}`).join('\n');
    case 'table':
      return [
        `| ${b.head.map((h) => cell(mdText(h))).join(' | ')} |`,
        `| ${b.head.map(() => '---').join(' | ')} |`,
        ...b.rows.map((r) => `| ${r.map((c) => cell(mdText(c))).join(' | ')} |`),
      ].join('\n');
    case 'prompt':
      return [
        `### ${mdText(b.title)}`,
        '',
        `> **To fill in:** ${mdText(b.ask)}`,
        ...(b.seen ? ['>', `> What headerguard saw: ${mdText(b.seen)}`] : []),
        '',
        '_…_',
      ].join('\n');
  }
}

export function renderIncidentMarkdown(doc: IncidentDocument): string {
  return maskDigitRuns(`${doc.blocks.map(markdownBlock).join('\n\n')}\n`);
}

function htmlBlock(b: Block): string {
  const e = escapeHtml;
  switch (b.kind) {
    case 'heading':
      return `<h${b.level}>${e(b.text)}</h${b.level}>`;
    case 'paragraph':
      return `<p>${e(b.text)}</p>`;
    case 'list':
      return `<ul>${b.items.map((i) => `<li>${e(i)}</li>`).join('')}</ul>`;
    case 'table':
      return (
        `<table id="${e(b.id)}"><thead><tr>${b.head.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead>` +
        `<tbody>${b.rows.map((r) => `<tr>${r.map((c) => `<td>${e(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`
      );
    case 'prompt':
      return (
        `<section class="prompt" id="prompt-${e(b.id)}"><h3>${e(b.title)}</h3>` +
        `<p class="ask"><strong>To fill in:</strong> ${e(b.ask)}</p>` +
        (b.seen ? `<p class="seen">What headerguard saw: ${e(b.seen)}</p>` : '') +
        '<p class="blank">…</p></section>'
      );
  }
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:1.5rem auto;max-width:72rem;padding:0 1rem;line-height:1.45;color:#1d1d1f}
h1{font-size:1.6rem;border-bottom:3px solid #b00020;padding-bottom:.3rem}
h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}
h3{font-size:1rem;margin-bottom:.3rem}
table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.5rem 0}
th,td{border:1px solid #ccc;padding:.25rem .4rem;text-align:left;vertical-align:top;overflow-wrap:break-word}
td:last-child{overflow-wrap:anywhere}
th{background:#f3f3f3;white-space:nowrap;word-break:normal}
ul{padding-left:1.3rem}
.prompt{border-left:4px solid #e0a800;background:#fffbea;padding:.3rem .8rem;margin:.8rem 0}
.prompt .seen{color:#555}
.prompt .blank{border-bottom:1px dotted #999;color:#999}
@media print{.prompt{break-inside:avoid}}`;

export function renderIncidentHtml(doc: IncidentDocument): string {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(doc.title)}</title>
<style>
${STYLE}
</style>
</head>
<body>
${doc.blocks.map(htmlBlock).join('\n')}
</body>
</html>
`;
  return maskDigitRuns(html);
}

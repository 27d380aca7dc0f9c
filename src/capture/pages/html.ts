/** Escaping for the endpoint's HTML pages. Every value from a request or a run goes through one of these. */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escape text for an HTML element body or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * JSON for a `<script type="application/json">` block: `<`, `>` and `&` are written as `\u003c` etc. so no value
 * can close the script element, and U+2028/U+2029 are escaped for old JavaScript parsers.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Shared page chrome: small, readable on a phone, no external resources. */
export function page(title: string, bodyAttributes: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:1rem;line-height:1.4;color:#222}
code,td{font-family:ui-monospace,monospace;font-size:.9em;word-break:break-all}
li[data-state=pending]{color:#777}li[data-state=ok]{color:#176317}li[data-state=error]{color:#a11}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .4rem;text-align:left;vertical-align:top}
iframe{width:1px;height:1px;border:0}
</style>
</head>
<body${bodyAttributes}>
${body}
</body>
</html>
`;
}

import type { ScanCapture } from '../detect/index.ts';
import type { Finding } from '../model/finding.ts';
import { maskKnown, maskLongDigitRuns, maskOpaque } from '../shared/mask.ts';

export interface ProbePairRow {
  header: string;
  /** Masked values on this probe (duplicates kept, in order), or undefined when absent. */
  probe?: string[];
  /** Masked values on the HTTPS twin, or undefined when absent. */
  twin?: string[];
  flagged: boolean;
}

/**
 * A probe's capture beside its HTTPS twin, header by header (names compared case-insensitively, first-seen
 * order). Values are masked: known identifiers (`secrets`: every plain form of them, as the verdict engine's
 * `needlesFor(identity, country).secrets` lists them) and every long digit run; a header a finding names shows
 * only a short prefix.
 */
export function probePairRows(
  capture: ScanCapture,
  twin: ScanCapture | undefined,
  findings: readonly Finding[],
  secrets: readonly string[],
): ProbePairRow[] {
  const flagged = new Set(
    findings.filter((f) => f.probe === capture.probe).map((f) => f.header.toLowerCase()),
  );
  const show = (name: string, value: string) =>
    flagged.has(name.toLowerCase()) ? maskOpaque(value, 4) : maskLongDigitRuns(maskKnown(value, secrets));
  const names: string[] = [];
  for (const [n] of [...capture.headers, ...(twin?.headers ?? [])]) {
    if (!names.some((x) => x.toLowerCase() === n.toLowerCase())) names.push(n);
  }
  const valuesIn = (c: ScanCapture | undefined, name: string) => {
    const values = c?.headers
      .filter(([n]) => n.toLowerCase() === name.toLowerCase())
      .map(([n, v]) => show(n, v));
    return values?.length ? values : undefined;
  };
  return names.map((header) => ({
    header,
    probe: valuesIn(capture, header),
    twin: valuesIn(twin, header),
    flagged: flagged.has(header.toLowerCase()),
  }));
}

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The probe pair as a small HTML page (an Allure attachment): a row per header, findings in red. */
export function renderProbePairHtml(
  capture: ScanCapture,
  twin: ScanCapture | undefined,
  findings: readonly Finding[],
  secrets: readonly string[],
): string {
  const rows = probePairRows(capture, twin, findings, secrets);
  const cell = (values: string[] | undefined) =>
    values ? values.map((v) => `<code>${esc(v)}</code>`).join('<br>') : '<span class="absent">absent</span>';
  const body = rows
    .map(
      (r) =>
        `<tr${r.flagged ? ' class="finding"' : ''}><th>${esc(r.header)}</th><td>${cell(r.probe)}</td><td>${
          twin ? cell(r.twin) : ''
        }</td></tr>`,
    )
    .join('\n');
  const scheme = capture.tls ? 'HTTPS' : 'HTTP';
  return `<!doctype html><meta charset="utf-8"><style>
body{font:13px system-ui,sans-serif;margin:8px}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}th{white-space:nowrap}
code{word-break:break-all}.absent{color:#999}.finding{background:#fde2e2}.finding th{color:#b00}
</style>
<p><b>${esc(capture.probe)}</b> (${scheme}, ${esc(capture.role)}, ${esc(capture.host)}) beside ${
    twin ? `its HTTPS twin <b>${esc(twin.probe)}</b>` : '<i>no HTTPS twin</i>'
  }. Values masked; rows in red are named by a finding.</p>
<table><thead><tr><th>header</th><th>${esc(capture.probe)} (${scheme})</th><th>${
    twin ? `${esc(twin.probe)} (HTTPS)` : ''
  }</th></tr></thead><tbody>
${body}
</tbody></table>
`;
}

import type { ScanCapture } from '../detect/index.ts';
import type { Finding, Identity } from '../model/finding.ts';
import { maskDigitRuns, maskKnown, maskOpaque } from '../shared/mask.ts';

/**
 * A probe's HTTP capture beside its HTTPS twin, as text for a report attachment. Values are masked: known
 * identifiers and every long digit run; a header named by a finding shows only a short prefix.
 */
export function renderProbePair(
  http: ScanCapture,
  twin: ScanCapture | undefined,
  findings: readonly Finding[],
  identity: Identity,
): string {
  const flagged = new Set(findings.filter((f) => f.probe === http.probe).map((f) => f.header.toLowerCase()));
  const secrets = secretsOf(identity);
  const show = (name: string, value: string) =>
    flagged.has(name.toLowerCase()) ? maskOpaque(value, 4) : maskDigitRuns(maskKnown(value, secrets));
  const names: string[] = [];
  for (const [n] of [...http.headers, ...(twin?.headers ?? [])]) {
    if (!names.some((x) => x.toLowerCase() === n.toLowerCase())) names.push(n);
  }
  const valuesIn = (c: ScanCapture | undefined, name: string) =>
    c?.headers
      .filter(([n]) => n.toLowerCase() === name.toLowerCase())
      .map(([n, v]) => show(n, v))
      .join(' | ');
  const width = Math.max(6, ...names.map((n) => n.length));
  const lines = [
    `probe ${http.probe} (${http.tls ? 'HTTPS' : 'HTTP'}, ${http.role})  vs  ${twin ? `twin ${twin.probe} (HTTPS)` : 'no HTTPS twin'}`,
    `url: ${maskDigitRuns(http.url)}`,
    '',
    `${'header'.padEnd(width)}  ${'this probe'.padEnd(50)}  twin`,
    ...names.map((n) => {
      const a = valuesIn(http, n) ?? '';
      const b = twin ? (valuesIn(twin, n) ?? '') : '';
      const mark = flagged.has(n.toLowerCase()) ? '  <-- finding' : '';
      return `${n.padEnd(width)}  ${(a || '(absent)').padEnd(50)}  ${twin ? b || '(absent)' : ''}${mark}`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}

/** The identity's values and the usual national form, for masking free text. */
export function secretsOf(identity: Identity): string[] {
  const out: string[] = [];
  for (const v of [identity.msisdn, identity.imsi, identity.imei]) if (v) out.push(v);
  if (identity.msisdn?.startsWith('44')) out.push(`0${identity.msisdn.slice(2)}`);
  return out;
}

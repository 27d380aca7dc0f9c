import type { ScanCapture } from '../detect/index.ts';
import type { CaptureRecord, PlannedProbe } from '../model/capture.ts';

/**
 * Join the endpoint's captures with the run's plan: each capture gets its probe's role and HTTPS twin. CORS
 * preflights and requests that reached the wrong listener (the endpoint keeps those for diagnosis and redirects
 * them) are not the probe itself and are left out, as the endpoint's completeness check leaves them out.
 */
export function toScanCaptures(
  plan: readonly PlannedProbe[],
  records: readonly CaptureRecord[],
): ScanCapture[] {
  const byProbe = new Map(plan.map((p) => [p.probe, p]));
  const out: ScanCapture[] = [];
  for (const r of records) {
    const planned = byProbe.get(r.probe);
    if (!planned || r.method === 'OPTIONS' || r.listener !== planned.listener) continue;
    const capture: ScanCapture = {
      probe: r.probe,
      role: planned.role,
      tls: r.tls,
      host: r.host,
      url: r.url,
      headers: r.headers,
    };
    if (planned.twin) capture.twin = planned.twin;
    out.push(capture);
  }
  return out;
}

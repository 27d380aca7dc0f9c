import type { ScanCapture } from '../detect/index.ts';
import { addressFamily, type CaptureRecord, isProbeCapture, type PlannedProbe } from '../model/capture.ts';

/**
 * Join the endpoint's captures with the run's plan: each capture gets its probe's role and HTTPS twin. Only
 * captures that count for their probe (`isProbeCapture`, the endpoint's completeness rule) are judged.
 */
export function toScanCaptures(
  plan: readonly PlannedProbe[],
  records: readonly CaptureRecord[],
): ScanCapture[] {
  const byProbe = new Map(plan.map((p) => [p.probe, p]));
  const out: ScanCapture[] = [];
  for (const r of records) {
    const planned = byProbe.get(r.probe);
    if (!planned || !isProbeCapture(r, planned)) continue;
    const capture: ScanCapture = {
      probe: r.probe,
      role: planned.role,
      tls: r.tls,
      host: r.host,
      url: r.url,
      headers: r.headers,
      remoteAddress: r.remoteAddress,
    };
    const family = r.family ?? addressFamily(r.remoteAddress);
    if (family !== undefined) capture.family = family;
    if (planned.twin) capture.twin = planned.twin;
    out.push(capture);
  }
  return out;
}

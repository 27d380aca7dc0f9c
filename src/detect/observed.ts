import type { ObservedProbe } from '../model/baseline.ts';
import { matchIdentityHeader } from './catalogue.ts';
import { ControlIndex, displayName, type EvaluationInput } from './evaluate.ts';
import { needlesFor } from './needles.ts';

/**
 * The baseline view of one handset's captures: per captured probe, the names of the headers the network
 * injected (the verdict's own HTTP-vs-HTTPS diff, `ControlIndex`) and the partner enrichment that arrived.
 * Names only, lower-cased, masked as finding headers are (a name that holds an identifier never leaves
 * here whole); never a value. Probes in plan order, then any captured beyond the plan; a planned probe that
 * was not captured is absent.
 */
export function observedProbes(
  input: Pick<EvaluationInput, 'policy' | 'identity' | 'captures' | 'plan'>,
): ObservedProbe[] {
  const { policy, captures } = input;
  const needles = needlesFor(input.identity ?? {}, policy.country);
  const index = new ControlIndex(captures);
  const enrichment = new Set(policy.partnerEnrichment);
  const byProbe = new Map<string, { injected: Set<string>; enrichment: Set<string> }>();
  const order = [...(input.plan ?? []).filter((p) => index.byProbe.has(p)), ...index.byProbe.keys()];
  for (const probe of order) byProbe.set(probe, { injected: new Set(), enrichment: new Set() });
  const name = (n: string) => displayName(n, needles).toLowerCase();
  for (const c of captures) {
    const seen = byProbe.get(c.probe)!;
    for (const inj of index.injectedInto(c).injected) seen.injected.add(name(inj.name));
    if (c.role !== 'partner' || c.tls) continue;
    for (const [n, v] of c.headers) {
      if (v.trim() === '') continue;
      // The policy's enrichment, and any identity header the network put there (a new enrichment).
      const injectedIdentity = matchIdentityHeader(n) !== undefined && seen.injected.has(name(n));
      if (enrichment.has(n.toLowerCase()) || injectedIdentity) seen.enrichment.add(name(n));
    }
  }
  return [...byProbe].map(([probe, seen]) => ({
    probe: displayName(probe, needles),
    injected: [...seen.injected].filter((n) => !seen.enrichment.has(n)).sort(),
    enrichment: [...seen.enrichment].sort(),
  }));
}

import { type BearerPolicy, type PolicyInput, policySchema } from '../model/policy.ts';
import { zodErrorLine } from '../shared/config-error.ts';
import { PolicyError } from './errors.ts';

/**
 * Bearer policies: what a carrier (or an MVNO riding on one) may legitimately do to plain-HTTP traffic.
 * Validation of the schema in src/model/policy.ts, and resolution: inheritance and defaults.
 */

/** Injected headers a policy allows when it does not say otherwise. */
const DEFAULT_ALLOW_INJECTED: readonly string[] = ['via', 'x-forwarded-for', 'forwarded'];

/** Validate one policy. Throws a one-line PolicyError naming `where` and the field. */
export function parsePolicyInput(value: unknown, where: string): PolicyInput {
  const r = policySchema.safeParse(value, { reportInput: true });
  if (!r.success) throw new PolicyError(zodErrorLine(where, r.error, policySchema));
  return r.data;
}

/** `unknown bearer "x" (known: o2, giffgaff, tesco)`, for a bearer id that names no policy. */
export function unknownBearer(id: string, policies: ReadonlyMap<string, BearerPolicy>): string {
  return `unknown bearer ${JSON.stringify(id)} (known: ${[...policies.keys()].join(', ')})`;
}

/** `23410`, `234-10`, `234 10` → `234-10`. */
export function canonicalMccMnc(value: string): string {
  const digits = value.replace(/\D/g, '');
  return `${digits.slice(0, 3)}-${digits.slice(3)}`;
}

/**
 * `builtins` (the caller passes bearers/' BUILTIN_POLICIES) plus `extra` (an extra policy replaces a built-in of
 * the same id), with parent inheritance applied: an unset field takes the parent's value. Unknown parents,
 * cycles, duplicate extras and roots without a country or MCC-MNC are errors.
 */
export function resolvePolicies(
  builtins: readonly PolicyInput[],
  extra: readonly PolicyInput[] = [],
): Map<string, BearerPolicy> {
  const raw = new Map<string, PolicyInput>();
  for (const p of builtins) raw.set(p.id, parsePolicyInput(p, `bearers/${p.id}`));
  const seen = new Set<string>();
  for (const [i, p] of extra.entries()) {
    const where = typeof p?.id === 'string' ? `policy '${p.id}'` : `policy #${i + 1}`;
    const parsed = parsePolicyInput(p, where);
    if (seen.has(parsed.id)) throw new PolicyError(`${where}: id: defined twice`);
    seen.add(parsed.id);
    raw.set(parsed.id, parsed);
  }
  const out = new Map<string, BearerPolicy>();
  const resolving: string[] = [];
  const resolve = (id: string): BearerPolicy => {
    const done = out.get(id);
    if (done) return done;
    const p = raw.get(id)!;
    if (resolving.includes(id)) {
      throw new PolicyError(`policy '${id}': parent: cycle ${[...resolving, id].join(' → ')}`);
    }
    resolving.push(id);
    let parent: BearerPolicy | undefined;
    if (p.parent !== undefined) {
      if (!raw.has(p.parent)) throw new PolicyError(`policy '${id}': parent: unknown policy '${p.parent}'`);
      parent = resolve(p.parent);
    }
    resolving.pop();
    const country = (p.country ?? parent?.country)?.toUpperCase();
    if (!country) throw new PolicyError(`policy '${id}': country: required (no parent to inherit it from)`);
    const codes = p.mccmnc ?? parent?.mccmnc;
    if (!codes || codes.length === 0) {
      throw new PolicyError(`policy '${id}': mccmnc: required, at least one (no parent to inherit it from)`);
    }
    const policy: BearerPolicy = {
      id,
      name: p.name ?? parent?.name ?? id,
      country,
      mccmnc: [...new Set(codes.map(canonicalMccMnc))],
      allowInjected: lowerUnique(p.allowInjected ?? parent?.allowInjected ?? DEFAULT_ALLOW_INJECTED),
      partnerEnrichment: lowerUnique(p.partnerEnrichment ?? parent?.partnerEnrichment ?? []),
      ipv6: p.ipv6 ?? parent?.ipv6 ?? 'optional',
    };
    if (p.parent !== undefined) policy.parent = p.parent;
    const attest = p.attest ?? parent?.attest;
    if (attest) policy.attest = structuredClone(attest);
    const apns = p.apns ?? parent?.apns;
    if (apns) policy.apns = structuredClone(apns);
    out.set(id, policy);
    return policy;
  };
  for (const id of raw.keys()) resolve(id);
  return out;
}

/**
 * A bearer's policy for one APN: the fields its `apns[apn]` sets replace the bearer's (the rest stay), and the
 * result says which APN it is for. No APN, or one the policy has no entry for: the bearer's policy itself
 * (with `apn` set when one was named). Pure.
 */
export function policyForApn(policy: BearerPolicy, apn: string | undefined): BearerPolicy {
  if (apn === undefined) return policy;
  const { apns: _apns, ...base } = policy;
  const o = policy.apns?.[apn];
  const out: BearerPolicy = { ...base, apn };
  if (!o) return out;
  if (o.allowInjected) out.allowInjected = lowerUnique(o.allowInjected);
  if (o.partnerEnrichment) out.partnerEnrichment = lowerUnique(o.partnerEnrichment);
  if (o.attest) out.attest = structuredClone(o.attest);
  if (o.ipv6) out.ipv6 = o.ipv6;
  return out;
}

function lowerUnique(names: readonly string[]): string[] {
  return [...new Set(names.map((n) => n.toLowerCase()))];
}

import type { PolicyInput } from '../src/model/policy.ts';

/**
 * O2 UK (Telefónica UK, now Virgin Media O2). MCC-MNC 234-10. The network of the January 2012 incident, when
 * `x-up-calling-line-id` reached every website. It enriches plain HTTP for trusted partners (direct carrier
 * billing, age verification), but which partner host it whitelists is deployment configuration, so the
 * built-in policy expects no partner enrichment; add it in a farm file or scan input.
 */
export const o2: PolicyInput = {
  id: 'o2',
  name: 'O2 UK',
  country: 'GB',
  mccmnc: ['234-10'],
  allowInjected: ['via', 'x-forwarded-for', 'forwarded'],
  partnerEnrichment: [],
};

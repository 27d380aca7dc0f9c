import type { PolicyInput } from '../src/model/policy.ts';

/** Tesco Mobile: an MVNO on O2 UK's network (MCC-MNC 234-10), affected by the 2012 incident. Inherits from `o2`. */
export const tesco: PolicyInput = {
  id: 'tesco',
  name: 'Tesco Mobile',
  parent: 'o2',
};

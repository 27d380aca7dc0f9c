import type { PolicyInput } from '../src/model/policy.ts';

/** giffgaff: an MVNO on O2 UK's network (MCC-MNC 234-10), affected by the 2012 incident. Inherits from `o2`. */
export const giffgaff: PolicyInput = {
  id: 'giffgaff',
  name: 'giffgaff',
  parent: 'o2',
};

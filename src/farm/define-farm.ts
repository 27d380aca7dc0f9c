import type { FarmInput } from './farm-schema.ts';

/** Typed helper for `devices/*.ts` farm files: returns its argument; validation happens when the farm loads. */
export function defineFarm(farm: FarmInput): FarmInput {
  return farm;
}

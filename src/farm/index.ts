export { defineFarm } from './define-farm.ts';
export type { FarmInput, HandsetInput } from './farm-schema.ts';
export { loadFarm } from './load-farm.ts';
export { type Farm, FarmError, type Handset, type ProxySpec, validateFarm } from './validate-farm.ts';

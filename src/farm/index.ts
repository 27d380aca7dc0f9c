export { defineFarm } from './define-farm.ts';
export { loadFarm } from './load-farm.ts';
export { type Farm, FarmError, type Handset, validateFarm } from './validate-farm.ts';

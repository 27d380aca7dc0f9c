export { defineFarm } from './define-farm.ts';
export { loadFarm } from './load-farm.ts';
export { type Farm, FarmError, type Grid, type Handset, validateFarm } from './validate-farm.ts';

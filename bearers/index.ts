import type { PolicyInput } from '../src/model/policy.ts';
import { giffgaff } from './giffgaff.ts';
import { o2 } from './o2.ts';
import { tesco } from './tesco.ts';

/** The built-in bearer policies, parents first. Farm files and scan inputs may add or override by id. */
export const BUILTIN_POLICIES: readonly PolicyInput[] = Object.freeze([o2, giffgaff, tesco]);

export { giffgaff, o2, tesco };

/**
 * The verdict engine's one public entry point. Pure: no I/O, nothing imported from capture, simulate, run, farm,
 * report or cli. The suite and `headerguard scan` both call `evaluate`.
 */
import { BUILTIN_POLICIES as BUILTINS } from '../../bearers/index.ts';
import type { PolicyInput } from './policy.ts';

export { CATALOGUE, matchIdentityCookie, matchIdentityHeader, NAME_TOKEN_PATTERNS } from './catalogue.ts';
export { DetectInputError, PolicyError } from './errors.ts';
export type { EvaluationInput, ScanCapture } from './evaluate.ts';
export { evaluate, RULE_SEVERITY, safePreview, verdictOf } from './evaluate.ts';
export { normaliseMsisdn, parseIdentity } from './identity.ts';
export { describeHit, findIdentifiers, type Hit } from './match.ts';
export { needlesFor } from './needles.ts';
export type { BearerPolicy, PolicyInput } from './policy.ts';
export { canonicalMccMnc, DEFAULT_ALLOW_INJECTED, parsePolicyInput, resolvePolicies } from './policy.ts';
export { renderTable } from './render.ts';
export { parseScanInput } from './scan-input.ts';
export { SCHEME_VARYING_HEADERS } from './scheme-varying.ts';

/** o2, giffgaff, tesco (from bearers/). */
export const BUILTIN_POLICIES: readonly PolicyInput[] = BUILTINS;

export { exitCodeOf } from '../shared/exit-codes.ts';

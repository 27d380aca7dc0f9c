/**
 * The verdict engine's one public entry point. Pure: no I/O, nothing imported from outside src/detect, src/model
 * and src/shared (test/architecture.test.ts checks it); the built-in bearers (bearers/) are passed in by the
 * caller. The suite and `headerguard scan` both call `evaluate`.
 */

export type { OffBearer } from './attestation.ts';
export { CATALOGUE, matchIdentityCookie, matchIdentityHeader } from './catalogue.ts';
export { type Change, compareHandset, compareViews, describeChange, withDrift } from './drift.ts';
export { DetectInputError, PolicyError } from './errors.ts';
export type { EvaluationInput, ScanCapture } from './evaluate.ts';
export { evaluate, RULE_SEVERITY } from './evaluate.ts';
export { describeHit, findIdentifiers } from './match.ts';
export { needlesFor } from './needles.ts';
export { observedProbes } from './observed.ts';
export { canonicalMccMnc, parsePolicyInput, policyForApn, resolvePolicies, unknownBearer } from './policy.ts';
export { renderTable } from './render.ts';
export { parseScanInput } from './scan-input.ts';
export { isSchemeVarying } from './scheme-varying.ts';

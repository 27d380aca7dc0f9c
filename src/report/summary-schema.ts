import { z } from 'zod';
import { RULE_IDS, type RuleId, SEVERITY_SCALE, type Severity } from '../model/rules.ts';

/**
 * `<report-dir>/<run-id>/summary.json`: the contract release engineers script against, as one zod schema that
 * the writer checks itself against before writing and tests validate real summaries with. docs/suite.md
 * documents every field.
 *
 * Format versions (bumped on any change of shape):
 * - 1 (unversioned, before `formatVersion` existed): verdict, startedAt, finishedAt, farm, tag, change,
 *   handsets[{id, bearer, device, verdict, findings[{rule, severity, probe, header, evidence}]}].
 * - 2: adds formatVersion, tool, runId; per handset durationMs, attempts, failure, policy; per finding detail.
 *   Nothing of version 1 removed or renamed.
 */
export const SUMMARY_FORMAT_VERSION = 2;

const verdict = z.enum(['pass', 'fail', 'broken']);
const isoTime = z.iso.datetime();

export const findingDetailSchema = z.strictObject({
  identifier: z.enum(['MSISDN', 'IMSI', 'IMEI']).nullable(),
  form: z.string().nullable(),
  encoding: z.array(z.string()),
  sentBy: z.enum(['network', 'device', 'unknown']).nullable(),
});

export const findingSchema = z.strictObject({
  rule: z.enum(RULE_IDS as [RuleId, ...RuleId[]]),
  severity: z.enum(SEVERITY_SCALE as [Severity, ...Severity[]]),
  probe: z.string(),
  header: z.string(),
  evidence: z.string(),
  detail: findingDetailSchema,
});

/** The resolved bearer policy the handset was judged with (inheritance applied, defaults filled). */
export const judgedPolicySchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  country: z.string(),
  mccmnc: z.array(z.string()),
  parent: z.string().optional(),
  allowInjected: z.array(z.string()),
  partnerEnrichment: z.array(z.string()),
  attest: z
    .strictObject({ remoteCidrs: z.array(z.string()).optional(), viaPattern: z.string().optional() })
    .optional(),
});

export const handsetSummarySchema = z
  .strictObject({
    id: z.string(),
    bearer: z.string(),
    device: z.string(),
    verdict,
    /** From the handset's worker start to its verdict; null when it left no result. */
    durationMs: z.number().int().nonnegative().nullable(),
    /** Attempts at the check (infrastructure failures are retried once); 0 when it left no result. */
    attempts: z.number().int().nonnegative(),
    /** Why the handset is broken, masked; null unless the verdict is broken. */
    failure: z.string().min(1).nullable(),
    policy: judgedPolicySchema,
    findings: z.array(findingSchema),
  })
  .refine((h) => (h.verdict === 'broken') === (h.failure !== null), {
    error: 'failure is set exactly when the verdict is broken',
    path: ['failure'],
  });

export const runSummarySchema = z.strictObject({
  formatVersion: z.literal(SUMMARY_FORMAT_VERSION),
  tool: z.strictObject({ name: z.string(), version: z.string() }),
  runId: z.string().min(1),
  verdict,
  startedAt: isoTime,
  finishedAt: isoTime,
  farm: z.string(),
  tag: z.string().nullable(),
  change: z.string().nullable(),
  handsets: z.array(handsetSummarySchema),
});

export type RunSummary = z.infer<typeof runSummarySchema>;
export type HandsetSummary = z.infer<typeof handsetSummarySchema>;

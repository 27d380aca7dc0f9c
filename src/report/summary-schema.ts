import { z } from 'zod';
import { IPV6_MODES } from '../model/policy.ts';
import { RULE_IDS, type RuleId, SEVERITY_SCALE, type Severity } from '../model/rules.ts';

/**
 * `<report-dir>/<run-id>/summary.json`: the contract release engineers script against, as one zod schema that
 * the writer checks itself against before writing and tests validate real summaries with. docs/suite.md
 * documents every field.
 *
 * Format versions (bumped on any change of shape):
 * - 1 (unversioned, before `formatVersion` existed): verdict, startedAt, finishedAt, farm, tag, change,
 *   handsets[{id, bearer, device, verdict, findings[{rule, severity, probe, header, evidence}]}].
 * - 2: adds formatVersion, tool, runId, simFault; per handset durationMs, attempts, failure, policy, gateway,
 *   checks; per finding detail. Nothing of version 1 removed or renamed.
 * - 3: adds rule `drift` and check status `warned`; per handset `observed` (the baseline view: injected and
 *   enrichment header names per probe, the verdict before drift); top-level `drift` (the baseline compared
 *   with, the mode, the baseline's handsets this run lacks). Nothing of version 2 removed or renamed.
 *   Also per handset `apn` (null when the farm names none) and `ipv6Path` (`checked`, `not-checked`, `off`),
 *   and the policy's `ipv6`, `apn` and `apns`.
 */
export const SUMMARY_FORMAT_VERSION = 3;

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

export const ruleCheckSchema = z.strictObject({
  rule: z.enum(RULE_IDS as [RuleId, ...RuleId[]]),
  status: z.enum(['passed', 'failed', 'skipped', 'broken', 'warned']),
  reason: z.string().nullable(),
});

const names = z.array(z.string());

/** One captured probe of the baseline view: header names only, never a value. */
export const observedProbeSchema = z.strictObject({
  probe: z.string().min(1),
  injected: names,
  enrichment: names,
});

/** The handset's baseline view: its verdict as judged before drift, and every probe captured. */
export const observedSchema = z.strictObject({ verdict, probes: z.array(observedProbeSchema) });

const attestShape = z.strictObject({
  remoteCidrs: z.array(z.string()).optional(),
  viaPattern: z.string().optional(),
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
  attest: attestShape.optional(),
  ipv6: z.enum(IPV6_MODES),
  /** The APN this handset's policy was resolved for (its `apns` entry applied). */
  apn: z.string().optional(),
  apns: z
    .record(
      z.string(),
      z.strictObject({
        allowInjected: z.array(z.string()).optional(),
        partnerEnrichment: z.array(z.string()).optional(),
        attest: attestShape.optional(),
        ipv6: z.enum(IPV6_MODES).optional(),
      }),
    )
    .optional(),
});

export const handsetSummarySchema = z
  .strictObject({
    id: z.string(),
    bearer: z.string(),
    /** The APN the handset uses, as the farm names it; null when it names none. */
    apn: z.string().nullable(),
    device: z.string(),
    verdict,
    /**
     * Whether the IPv6 path was checked: `checked`, `not-checked` (no IPv6 probe planned or, where the policy
     * says `ipv6: "optional"`, none arrived: the console says "IPv6 path not checked"), `off` (`ipv6: "off"`).
     */
    ipv6Path: z.enum(['checked', 'not-checked', 'off']),
    /** From the handset's worker start to its verdict; null when it left no result. */
    durationMs: z.number().int().nonnegative().nullable(),
    /** Attempts at the check (infrastructure failures are retried once); 0 when it left no result. */
    attempts: z.number().int().nonnegative(),
    /** Why the handset is broken, masked; null unless the verdict is broken. */
    failure: z.string().min(1).nullable(),
    policy: judgedPolicySchema,
    /**
     * What the handset browsed through: `sim:<bearer>[:<fault>]` (the bearer simulator, a fault replay when a
     * fault is named), a gateway URL without credentials, `direct` (an emulated handset with no gateway), or
     * `device` (a real handset on its own connection).
     */
    gateway: z.string().min(1),
    /** One entry per rule, in rule-table order: passed, failed, skipped (nothing to check) or broken. */
    checks: z.array(ruleCheckSchema),
    findings: z.array(findingSchema),
    /** The baseline view of this handset (what `--save-baseline` writes and `diff` compares). */
    observed: observedSchema,
  })
  .refine((h) => (h.verdict === 'broken') === (h.failure !== null), {
    error: 'failure is set exactly when the verdict is broken',
    path: ['failure'],
  })
  .refine((h) => h.checks.map((c) => c.rule).join() === RULE_IDS.join(), {
    error: 'checks name every rule once, in rule-table order',
    path: ['checks'],
  })
  .refine(
    (h) =>
      h.checks.every((c) => {
        const found = h.findings.some((f) => f.rule === c.rule);
        return found
          ? c.status !== 'passed' && c.status !== 'skipped'
          : c.status !== 'failed' && c.status !== 'warned';
      }),
    {
      error: 'a rule with findings is failed, broken or warned, and a failed or warned rule has findings',
      path: ['checks'],
    },
  );

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
  /** `--sim-fault`: the fault every simulated gateway replayed in this run, or null. */
  simFault: z.string().nullable(),
  handsets: z.array(handsetSummarySchema),
  /** `--baseline`: what this run was compared with; null without one. */
  drift: z
    .strictObject({
      baseline: z.string().min(1),
      baselineRunId: z.string().min(1),
      mode: z.enum(['fail', 'warn']),
      /** Handsets in the baseline that this run did not check (drift: on one side only). */
      handsetsGone: z.array(
        z.strictObject({ id: z.string(), bearer: z.string(), apn: z.string().nullable() }),
      ),
    })
    .nullable(),
});

export type RunSummary = z.infer<typeof runSummarySchema>;
export type HandsetSummary = z.infer<typeof handsetSummarySchema>;
export type DriftSummary = NonNullable<RunSummary['drift']>;

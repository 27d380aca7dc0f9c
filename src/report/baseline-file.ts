import { z } from 'zod';
import type { HandsetView, RunView } from '../model/baseline.ts';
import { zodErrorLine } from '../shared/config-error.ts';
import { TOOL } from '../shared/tool.ts';
import { observedProbeSchema, type RunSummary } from './summary-schema.ts';

/**
 * The baseline file (`--save-baseline FILE`, read by `--baseline FILE` and `headerguard diff`): the baseline
 * view of one run, names and verdicts only, never a value. docs/baselines.md documents every field.
 *
 * Format versions: 1 (this one).
 */
export const BASELINE_FORMAT_VERSION = 1;
export const BASELINE_KIND = 'headerguard-baseline';

export const baselineFileSchema = z.strictObject({
  formatVersion: z.literal(BASELINE_FORMAT_VERSION),
  kind: z.literal(BASELINE_KIND),
  tool: z.strictObject({ name: z.string(), version: z.string() }),
  runId: z.string().min(1),
  farm: z.string(),
  /** When the run it was taken from finished (its summary's finishedAt). */
  createdAt: z.iso.datetime(),
  tag: z.string().nullable(),
  change: z.string().nullable(),
  handsets: z.array(
    z.strictObject({
      id: z.string().min(1),
      bearer: z.string().min(1),
      apn: z.string().nullable(),
      verdict: z.enum(['pass', 'fail', 'broken']),
      probes: z.array(observedProbeSchema),
    }),
  ),
});

export type BaselineFile = z.infer<typeof baselineFileSchema>;

/** The one function that builds the baseline view of a run, from its summary.json. */
export function viewOfSummary(summary: RunSummary): RunView {
  return {
    runId: summary.runId,
    farm: summary.farm,
    handsets: summary.handsets.map(
      (h): HandsetView => ({
        id: h.id,
        bearer: h.bearer,
        apn: h.apn ?? null,
        verdict: h.observed.verdict,
        probes: h.observed.probes,
      }),
    ),
  };
}

/** A run's baseline file content (checked against its schema, so the writer cannot write what it cannot read). */
export function baselineOf(summary: RunSummary): BaselineFile {
  const view = viewOfSummary(summary);
  return baselineFileSchema.parse({
    formatVersion: BASELINE_FORMAT_VERSION,
    kind: BASELINE_KIND,
    tool: { name: TOOL.name, version: TOOL.version },
    runId: view.runId,
    farm: view.farm,
    createdAt: summary.finishedAt,
    tag: summary.tag,
    change: summary.change,
    handsets: view.handsets.map(({ id, bearer, apn, verdict, probes }) => ({
      id,
      bearer,
      apn,
      verdict,
      probes: probes.map(({ probe, injected, enrichment }) => ({ probe, injected, enrichment })),
    })),
  });
}

/** A baseline file's view; `where` (the file name) starts the one-line error (`<where>: <field>: <what>`). */
export function parseBaseline(value: unknown, where: string): RunView {
  const r = baselineFileSchema.safeParse(value);
  if (!r.success) throw new BaselineError(zodErrorLine(where, r.error, baselineFileSchema));
  return { runId: r.data.runId, farm: r.data.farm, handsets: r.data.handsets };
}

export class BaselineError extends Error {
  override name = 'BaselineError';
}

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/**
 * What notifications and `watch` read of a run's summary.json: only the fields they use, extra fields allowed,
 * so that a later format version that adds fields (drift findings, APNs) is still read.
 */
const verdict = z.enum(['pass', 'fail', 'broken']);

export const notifiableSummarySchema = z.looseObject({
  runId: z.string(),
  verdict,
  startedAt: z.string(),
  finishedAt: z.string(),
  farm: z.string(),
  tag: z.string().nullable(),
  change: z.string().nullable(),
  handsets: z.array(
    z.looseObject({
      id: z.string(),
      bearer: z.string(),
      apn: z.string().nullable().optional(),
      verdict,
      failure: z.string().nullable(),
      findings: z.array(z.looseObject({ rule: z.string(), header: z.string() })),
    }),
  ),
});

export type NotifiableSummary = z.infer<typeof notifiableSummarySchema>;
export type NotifiableHandset = NotifiableSummary['handsets'][number];

/** The run folder's summary.json, or undefined when it is missing or not a summary (the run is then broken). */
export async function readSummary(runDir: string): Promise<NotifiableSummary | undefined> {
  try {
    const raw = JSON.parse(await readFile(path.join(runDir, 'summary.json'), 'utf8')) as unknown;
    const parsed = notifiableSummarySchema.safeParse(raw);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `/api/*`: create a run, read its captures, delete it. Every route needs `Authorization: Bearer <key>`;
 * bodies are validated with zod and capped in size. Errors are JSON `{error}` with a one-line message.
 */
import { z } from 'zod';
import { addressFamily, type CaptureRecord, isProbeCapture, type PlannedProbe } from '../../model/capture.ts';
import { maskDigitRuns, maskOpaque } from '../../shared/mask.ts';
import { buildPlan, newCanary } from '../plan/probe-plan.ts';
import { isRunToken, newRunToken } from '../plan/run-token.ts';
import { UnreadableBlockError } from '../store/capture-block.ts';
import type { CreatedRun, RunCaptures, RunSummary } from '../types.ts';
import type { EndpointContext } from './context.ts';
import { type AnyRequest, type AnyResponse, HttpError, readJsonBody, send, sendJson } from './http-io.ts';
import { metaProblem } from './run-meta.ts';

const printable = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

export const CreateRunSchema = z.strictObject({
  handset: printable(200),
  bearer: printable(100),
  meta: z
    .record(z.string(), z.unknown())
    .superRefine((meta, ctx) => {
      const problem = metaProblem(meta);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  ipv6: z.boolean().optional(),
});

/** zod issues as one line: `handset: must not be empty; bearer: …`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ');
}

/** Whether a run is complete, judged here for the API: every planned probe has a capture that counts for it. */
export function missingProbes(plan: readonly PlannedProbe[], captures: readonly CaptureRecord[]): string[] {
  const planned = new Map(plan.map((p) => [p.probe, p]));
  const counted = new Set<string>();
  for (const c of captures) {
    const p = planned.get(c.probe);
    if (p && isProbeCapture(c, p)) counted.add(c.probe);
  }
  return plan.filter((p) => !counted.has(p.probe)).map((p) => p.probe);
}

const RUN_CAPTURES = /^\/api\/runs\/([^/]+)\/captures$/;
const RUN = /^\/api\/runs\/([^/]+)$/;

function methodNotAllowed(allow: string): HttpError {
  return new HttpError(405, `method not allowed here (allowed: ${allow})`, { allow });
}

async function createRun(ctx: EndpointContext, req: AnyRequest, res: AnyResponse): Promise<void> {
  const parsed = CreateRunSchema.safeParse(await readJsonBody(req, ctx.maxBodyBytes));
  if (!parsed.success)
    throw new HttpError(400, `invalid body: ${maskDigitRuns(describeIssues(parsed.error))}`);
  const token = newRunToken();
  const { ipv6, ...run } = parsed.data;
  const plan = buildPlan(token, ctx.endpoint, ipv6 === undefined ? {} : { ipv6 });
  const canary = newCanary();
  const createdAt = Date.now();
  const expiresAt = createdAt + ctx.retentionMs;
  await ctx.store.createRun({ token, ...run, plan, canary, createdAt, expiresAt });
  ctx.logger.info({ token: maskOpaque(token), probes: plan.length }, 'run created');
  const body: CreatedRun = {
    token,
    plan,
    expiresAt: new Date(expiresAt).toISOString(),
    startUrl: plan[0]!.url,
    canary,
  };
  sendJson(req, res, 201, body);
}

async function getCaptures(
  ctx: EndpointContext,
  req: AnyRequest,
  res: AnyResponse,
  token: string,
): Promise<void> {
  const run = isRunToken(token) ? await ctx.store.getRun(token, Date.now()) : undefined;
  if (!run) throw new HttpError(404, 'no such run (unknown, deleted or expired)');
  let captures: CaptureRecord[];
  try {
    captures = (await ctx.store.listCaptures(token)).map(withFamily);
  } catch (err) {
    if (!(err instanceof UnreadableBlockError)) throw err;
    ctx.logger.error({ token: maskOpaque(token), error: err.message }, 'stored captures unreadable');
    throw new HttpError(500, 'the stored captures of this run are unreadable (damaged database)');
  }
  const missing = missingProbes(run.plan, captures);
  const body: RunCaptures = {
    run: {
      token: run.token,
      handset: run.handset,
      bearer: run.bearer,
      ...storedMeta(ctx, token, run.meta, run.metaUnreadable),
      createdAt: new Date(run.createdAt).toISOString(),
      expiresAt: new Date(run.expiresAt).toISOString(),
      canary: run.canary,
    },
    plan: run.plan,
    complete: missing.length === 0,
    missing,
    captures,
  };
  sendJson(req, res, 200, body);
}

/** A capture with the IP family it came in on, read from its remote address (the store keeps no column). */
function withFamily(record: CaptureRecord): CaptureRecord {
  const family = addressFamily(record.remoteAddress);
  return family === undefined ? record : { ...record, family };
}

/**
 * A stored run's meta for the captures answer. One that is out of bounds (stored before the bounds existed) or
 * damaged is left out and said so in `metaOmitted`: the captures stay readable either way.
 */
function storedMeta(
  ctx: EndpointContext,
  token: string,
  meta: Record<string, unknown> | undefined,
  unreadable: boolean | undefined,
): Pick<RunSummary, 'meta' | 'metaOmitted'> {
  const problem = unreadable ? 'not valid JSON (damaged database)' : metaProblem(meta);
  if (problem === undefined) return meta === undefined ? {} : { meta };
  ctx.logger.warn({ token: maskOpaque(token), problem }, 'stored run meta left out of the answer');
  return { metaOmitted: `the stored meta is ${problem}` };
}

async function deleteRun(
  ctx: EndpointContext,
  req: AnyRequest,
  res: AnyResponse,
  token: string,
): Promise<void> {
  ctx.pages.forget(token);
  if (!isRunToken(token) || !(await ctx.store.deleteRun(token))) throw new HttpError(404, 'no such run');
  ctx.logger.info({ token: maskOpaque(token) }, 'run deleted');
  send(req, res, 204, { 'cache-control': 'no-store' });
}

export async function handleApi(
  ctx: EndpointContext,
  req: AnyRequest,
  res: AnyResponse,
  path: string,
  method: string,
): Promise<void> {
  if (!ctx.auth.allows(req.headers.authorization)) {
    throw new HttpError(401, 'missing or wrong API key (Authorization: Bearer <key>)', {
      'www-authenticate': 'Bearer realm="headerguard"',
    });
  }
  if (path === '/api/runs') {
    if (method !== 'POST') throw methodNotAllowed('POST');
    await createRun(ctx, req, res);
    return;
  }
  const captures = RUN_CAPTURES.exec(path);
  if (captures) {
    if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed('GET, HEAD');
    await getCaptures(ctx, req, res, captures[1]!);
    return;
  }
  const run = RUN.exec(path);
  if (run) {
    if (method !== 'DELETE') throw methodNotAllowed('DELETE');
    await deleteRun(ctx, req, res, run[1]!);
    return;
  }
  throw new HttpError(404, 'no such API route');
}

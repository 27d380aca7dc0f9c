import { z } from 'zod';
import { parseIdentity } from '../model/identity.ts';
import type { BearerPolicy, PolicyInput } from '../model/policy.ts';
import { zodErrorLine } from '../shared/config-error.ts';
import { DetectInputError } from './errors.ts';
import type { EvaluationInput, ScanCapture } from './evaluate.ts';
import { parsePolicyInput, resolvePolicies, unknownBearer } from './policy.ts';

/**
 * The `headerguard scan` input file:
 * `{bearer: <id or inline policy>, identity: {msisdn?, imsi?, imei?}, captures: [...], plan?: [...], canary?}`
 * (`identity` may be omitted when no identifier is known: then only the rules that need none apply).
 * Unknown keys are errors (a typo such as `captrues` or `twinn` must not silently weaken the verdict); a capture
 * may also carry the extra fields the capture endpoint records (listener, method, receivedAt…), which are ignored.
 */

const RECORD_EXTRAS = {
  runToken: z.unknown().optional(),
  listener: z.unknown().optional(),
  kind: z.unknown().optional(),
  httpVersion: z.unknown().optional(),
  method: z.unknown().optional(),
  remotePort: z.unknown().optional(),
  connectionId: z.unknown().optional(),
  connectionRequestIndex: z.unknown().optional(),
  receivedAt: z.unknown().optional(),
};

const captureSchema = z.strictObject({
  probe: z.string().min(1),
  role: z.enum(['third-party', 'partner']),
  tls: z.boolean(),
  host: z.string().min(1),
  url: z.string(),
  twin: z.string().min(1).optional(),
  headers: z.array(z.tuple([z.string().min(1, 'header name is empty'), z.string()])),
  /** Where the request came from: checked against the bearer's `attest.remoteCidrs`. */
  remoteAddress: z.string().min(1).optional(),
  ...RECORD_EXTRAS,
});

const scanSchema = z.strictObject({
  bearer: z.union([z.string().min(1), z.record(z.string(), z.unknown())], {
    error: 'expected a bearer id or an inline policy object',
  }),
  identity: z.record(z.string(), z.unknown()).optional(),
  captures: z.array(captureSchema),
  plan: z.array(z.string().min(1)).optional(),
  canary: z.strictObject({ header: z.string().min(1), value: z.string().min(1) }).optional(),
});

/**
 * Validate a parsed scan file; `where` (the file name) starts every error line. `builtins` are the bearer
 * policies a `bearer` id may name and an inline policy may inherit from (bearers/' BUILTIN_POLICIES).
 */
export function parseScanInput(
  value: unknown,
  where: string,
  builtins: readonly PolicyInput[],
): EvaluationInput {
  const r = scanSchema.safeParse(value, { reportInput: true });
  if (!r.success) throw new DetectInputError(zodErrorLine(where, r.error, scanSchema));
  const data = r.data;
  let policy: BearerPolicy | undefined;
  if (typeof data.bearer === 'string') {
    const id = data.bearer;
    const policies = resolvePolicies(builtins);
    policy = policies.get(id) ?? [...policies.values()].find((p) => p.id.toLowerCase() === id.toLowerCase());
    if (!policy) {
      throw new DetectInputError(`${where}: bearer: ${unknownBearer(id, policies)}`);
    }
  } else {
    const inline = parsePolicyInput(data.bearer, `${where}: bearer`);
    try {
      policy = resolvePolicies(builtins, [inline]).get(inline.id)!;
    } catch (err) {
      throw new DetectInputError(`${where}: bearer: ${(err as Error).message}`);
    }
  }
  const identity = parseIdentity(data.identity ?? {}, policy, `${where}: identity`);
  const captures: ScanCapture[] = data.captures.map((c) => {
    const out: ScanCapture = {
      probe: c.probe,
      role: c.role,
      tls: c.tls,
      host: c.host,
      url: c.url,
      headers: c.headers.map(([n, v]) => [n, v]),
    };
    if (c.twin !== undefined) out.twin = c.twin;
    if (c.remoteAddress !== undefined) out.remoteAddress = c.remoteAddress;
    return out;
  });
  for (const [i, c] of captures.entries()) {
    if (c.twin === undefined) continue;
    if (c.tls)
      throw new DetectInputError(
        `${where}: captures[${i}].twin: only a plain-HTTP capture has an HTTPS twin`,
      );
    const twins = captures.filter((t) => t.probe === c.twin);
    if (twins.some((t) => !t.tls)) {
      throw new DetectInputError(
        `${where}: captures[${i}].twin: '${c.twin}' is not an HTTPS (tls: true) capture`,
      );
    }
  }
  const input: EvaluationInput = { policy, identity, captures };
  if (data.plan) input.plan = data.plan;
  if (data.canary) input.canary = data.canary;
  return input;
}

/**
 * `headerguard probe`: one phone or one gateway, checked outside WebdriverIO. The handset is built from the
 * flags by the farm validator (the same checks and messages as a farm file's handset); the embedded endpoint
 * and a `sim:` gateway start as they do for `run`; a Playwright browser drives the same check (checkHandset,
 * one retry for infrastructure failures); the outcome is a summary.json handset. Fails closed: whatever could
 * not be started or checked is broken, never a pass.
 */
import { randomBytes } from 'node:crypto';
import { CaptureClient } from '../capture/index.ts';
import { type Farm, FarmError, validateFarm } from '../farm/index.ts';
import type { HandsetSummary } from '../report/summary.ts';
import { describeError, UserError } from '../shared/errors.ts';
import { freePort } from '../shared/free-port.ts';
import { maskDigitRuns } from '../shared/mask.ts';
import { androidOffBearer } from './android-attestation.ts';
import { proxyUrlOf } from './capabilities.ts';
import { type CheckAttempts, checkHandset, DEFAULT_CHECK_OPTIONS, withOneRetry } from './check-handset.ts';
import { handsetSummary } from './finish-run.ts';
import { gatewayLabel } from './gateway-label.ts';
import { type HandsetResult, outcomeOf } from './handset-result.ts';
import { startInfrastructure } from './infrastructure.ts';
import { DEFAULT_HANDSET_TIMEOUT_S } from './limits.ts';
import {
  type AndroidApi,
  launchAndroid,
  launchEmulated,
  type ProbeBrowser,
  playwrightDriver,
} from './playwright-driver.ts';
import { apiOf, endpointFor, type Session } from './session.ts';

/** The device a probe emulates unless told: a common Android phone. */
export const DEFAULT_PROBE_DEVICE = 'Pixel 7';
/** The handset's id in the probe's output. */
export const PROBE_HANDSET_ID = 'probe';

/** `headerguard probe` flags. */
export interface ProbeOptions {
  bearer: string;
  msisdn: string;
  imsi?: string;
  /** `http://host:port`, `sim:<bearer>[:<fault>][@<egress>]` or `direct` (default). */
  proxy?: string;
  emulate?: string;
  /** The serial of an ADB-attached Android phone: Chrome on it instead of an emulated handset. */
  android?: string;
  /** A deployed capture endpoint instead of the embedded one. */
  capture?: string;
  apiKey?: string;
  /** The deployed endpoint's certificate is not checked (a lab endpoint's self-signed one). */
  acceptInsecureCerts?: boolean;
}

/** Farm fields as the probe's flags name them, for error messages. */
const FLAG_OF: readonly [RegExp, string][] = [
  [/\bidentity\.msisdn\b/g, '--msisdn'],
  [/\bidentity\.imsi\b/g, '--imsi'],
  [/\bcapture\.url\b/g, '--capture'],
  [/\bcapture\.apiKey\b/g, '--api-key'],
  [/^emulate\b/g, '--emulate'],
  [/^bearer\b/g, '--bearer'],
  [/^proxy\b/g, '--proxy'],
];

/**
 * The probed handset (and endpoint) from the flags, validated as a farm of one handset. Throws a UserError
 * (exit 2) naming the flags, every problem at once.
 */
export function probeFarm(options: ProbeOptions, env: NodeJS.ProcessEnv = process.env): Farm {
  const problems: string[] = [];
  if (options.android !== undefined && options.emulate !== undefined)
    problems.push('--android and --emulate: choose one (a real phone, or an emulated one)');
  if (options.android !== undefined && options.proxy !== undefined && options.proxy !== 'direct')
    problems.push(
      '--proxy applies to emulated handsets only; a phone on --android browses through its own bearer',
    );
  if (options.acceptInsecureCerts && options.capture === undefined)
    problems.push('--accept-insecure-certs applies to a deployed endpoint (--capture) only');
  if ((options.capture === undefined) !== (options.apiKey === undefined))
    problems.push('--capture and --api-key go together (a deployed endpoint and its API key)');
  if (problems.length)
    throw new FarmError(
      problems.map((p) => p),
      'probe',
    );
  const handset = {
    id: PROBE_HANDSET_ID,
    bearer: options.bearer,
    identity: { msisdn: options.msisdn, ...(options.imsi !== undefined ? { imsi: options.imsi } : {}) },
    ...(options.android !== undefined
      ? {
          appium: { platformName: 'Android', 'appium:udid': options.android },
          device: `Android phone ${options.android}`,
        }
      : { emulate: options.emulate ?? DEFAULT_PROBE_DEVICE, proxy: options.proxy ?? 'direct' }),
  };
  const raw = {
    name: 'probe',
    handsets: [handset],
    ...(options.capture !== undefined
      ? {
          capture: {
            url: options.capture,
            apiKey: options.apiKey,
            ...(options.acceptInsecureCerts ? { acceptInsecureCerts: true } : {}),
          },
        }
      : {}),
  };
  try {
    return validateFarm(raw, 'probe', env);
  } catch (err) {
    if (!(err instanceof FarmError)) throw err;
    const lines = err.problems.map((line) => asFlags(line));
    throw new UserError(lines.length === 1 ? lines[0]! : [`${lines.length} errors`, ...lines].join('\n'));
  }
}

/** `farm probe: handset "probe": identity.msisdn: …` → `--msisdn: …`. */
function asFlags(line: string): string {
  let out = line.replace(/^farm probe: /, '').replace(new RegExp(`^handset "${PROBE_HANDSET_ID}": `), '');
  for (const [field, flag] of FLAG_OF) out = out.replace(field, flag);
  return out;
}

/** The session `startInfrastructure` needs for one handset: ports, endpoint, no report directory. */
async function probeSession(farm: Farm): Promise<Session> {
  const handsets = farm.handsets;
  const simPorts: Record<string, number> = {};
  for (const h of handsets) if (h.proxy.kind === 'sim') simPorts[h.id] = await freePort();
  const startedAt = new Date().toISOString();
  return {
    farm,
    handsets,
    plan: {
      farmPath: 'probe',
      reportDir: '',
      runDir: '',
      runId: `probe-${startedAt.replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`,
      startedAt,
      maxParallel: 1,
      handsetTimeoutS: DEFAULT_HANDSET_TIMEOUT_S,
      output: 'quiet',
      endpoint: await endpointFor(farm),
      simPorts,
      handsetIds: handsets.map((h) => h.id),
    },
  };
}

/** Seams for tests. */
export interface ProbeDeps {
  android?: AndroidApi;
  log?: (line: string) => void;
}

/**
 * Check the probed handset: start what it needs, browse, judge. Resolves with its summary.json handset (masked);
 * never rejects for a failure of the network, the endpoint or the browser (those are a broken verdict).
 */
export async function runProbe(farm: Farm, deps: ProbeDeps = {}): Promise<HandsetSummary> {
  const handset = farm.handsets[0]!;
  const log = deps.log ?? (() => {});
  const session = await probeSession(farm);
  const workerStartedAt = new Date().toISOString();
  const result = (outcome: CheckAttempts): HandsetSummary => {
    const judgement = outcomeOf(outcome.check, outcome.partial, outcome.error);
    const r: HandsetResult = {
      id: handset.id,
      bearer: handset.bearer,
      device: handset.device,
      verdict: judgement.verdict,
      findings: judgement.findings,
      checks: judgement.checks,
      failure: judgement.failure,
      probes: { planned: outcome.check?.run.plan.length ?? 0, captured: outcome.check?.captured ?? 0 },
      attempts: outcome.attempts,
      workerStartedAt,
      startedAt: workerStartedAt,
      finishedAt: new Date().toISOString(),
      // No baseline here: what was observed is what was judged.
      observed: {
        verdict: judgement.verdict,
        probes: outcome.check?.observed ?? outcome.partial?.observed ?? [],
      },
    };
    return handsetSummary(handset, r, gatewayLabel(handset));
  };
  const notStarted = (why: string) => result({ error: maskDigitRuns(why), attempts: 0 });

  let infra: Awaited<ReturnType<typeof startInfrastructure>>;
  try {
    // Nothing has read the plan's ports yet: a port taken since it was chosen is replaced.
    infra = await startInfrastructure(session, { rebindTakenPorts: true });
  } catch (err) {
    return notStarted(describeError(err));
  }
  let browser: ProbeBrowser | undefined;
  try {
    const api = apiOf(session);
    const acceptInsecureCerts =
      session.plan.endpoint.kind === 'embedded' || farm.capture?.acceptInsecureCerts === true;
    const udid = handset.appium?.['appium:udid'] as string | undefined;
    try {
      browser = udid
        ? await launchAndroid(udid, acceptInsecureCerts, deps.android)
        : await launchEmulated({
            device: handset.emulate!,
            proxy: proxyUrlOf(handset, session.plan),
            acceptInsecureCerts,
          });
    } catch (err) {
      return notStarted(`the browser could not start: ${describeError(err)}`);
    }
    const driver = playwrightDriver(browser.page);
    const client = new CaptureClient(api.url, api.apiKey);
    const outcome = await withOneRetry(async () => {
      const offBearer = udid ? await androidOffBearer(udid, handset.policy.mccmnc) : undefined;
      return checkHandset(handset, driver, client, {
        ...DEFAULT_CHECK_OPTIONS,
        log,
        ...(offBearer ? { device: { offBearer } } : {}),
      });
    }, log);
    return result(outcome);
  } finally {
    await browser?.close().catch(() => {});
    await infra.stop();
  }
}

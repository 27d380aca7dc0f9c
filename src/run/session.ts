import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EndpointConnection } from '../capture/client/endpoint-agent.ts';
import type { Farm, Handset } from '../farm/index.ts';
import type { DriftMode, RunView } from '../model/baseline.ts';
import type { BearerPolicy } from '../model/policy.ts';
import { UserError } from '../shared/errors.ts';
import { freePort } from '../shared/free-port.ts';
import type { FaultName } from '../simulate/index.ts';
import { DEFAULT_HANDSET_TIMEOUT_S, defaultMaxParallel } from './limits.ts';
import type { OutputLevel } from './progress.ts';

/** The project root (where `wdio.conf.ts`, `devices/` and `specs/` live). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_FARM = path.join(PROJECT_ROOT, 'devices', 'simulated.ts');
/** The documented tags; any tag matching TAG_PATTERN is accepted (a team's own: `canary`, `chg-1234-after`). */
export const TAGS = ['nightly', 'pre-maintenance', 'post-maintenance'] as const;
export const TAG_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export type RunTag = string;

/** What the user asked for (`headerguard run` flags). */
export interface RunOptions {
  farmPath: string;
  bearers?: string[];
  simFault?: FaultName;
  reportDir: string;
  tag?: RunTag;
  change?: string;
  /** Handsets in flight at once (`--max-parallel`); default: what the machine can hold (limits.ts). */
  maxParallel?: number;
  /** A handset not judged this many seconds after its worker started is broken (`--handset-timeout`). */
  handsetTimeoutS?: number;
  /** `--quiet` / `--verbose` (default normal: live progress, no WebdriverIO test output). */
  output?: OutputLevel;
  /** `--baseline FILE`: compare with this baseline (drift findings). */
  baselinePath?: string;
  /** `--drift fail|warn` (default fail): whether drift fails the run or is only listed. */
  driftMode?: DriftMode;
  /** `--save-baseline FILE`: write this run's baseline view there. */
  saveBaselinePath?: string;
}

/**
 * Everything the launcher decides before WebdriverIO loads capabilities: ports, run id, API key. It is passed
 * to the WDIO workers in the environment (`HEADERGUARD_SESSION`) so that every process agrees.
 */
export interface SessionPlan extends RunOptions {
  maxParallel: number;
  handsetTimeoutS: number;
  runId: string;
  runDir: string;
  startedAt: string;
  endpoint:
    | { kind: 'embedded'; ports: { main: number; alt: number; https: number }; apiKey: string }
    | {
        kind: 'remote';
        url: string;
        /** The farm's `capture.acceptInsecureCerts`: the browser accepts the deployed endpoint's certificate. */
        acceptInsecureCerts?: boolean;
        /** SPKI hashes of the farm's `capture.ca`: Chromium accepts a chain holding one of these keys. */
        spki?: string[];
        /** The farm's `capture.resolve`: host names Chromium resolves without DNS. */
        resolve?: Record<string, string>;
      };
  /** Port of the bearer simulator each `sim:` handset browses through. */
  simPorts: Record<string, number>;
  /** Port of the local Appium server, when some appium handset runs without a grid. */
  appiumPort?: number;
  /** Port of the one chromedriver that serves the run's emulated handsets not on a grid (started in onPrepare). */
  chromedriverPort?: number;
  handsetIds: string[];
  /** The baseline read from `--baseline` before anything started (names and verdicts only). */
  baselineView?: RunView;
}

export interface Session {
  plan: SessionPlan;
  farm: Farm;
  handsets: Handset[];
  /** WebdriverIO capabilities built by the launcher; a worker reuses them instead of building its own. */
  capabilities?: Record<string, unknown>[];
}

const ENV_KEY = 'HEADERGUARD_SESSION';
/**
 * The resolved session (validated farm, handsets with their identities, capabilities) for WDIO workers. It is
 * put in the workers' environment only (WDIO's `runnerEnv`, never the launcher's own environment, so neither
 * chromedriver nor Chromium nor Allure inherit it), and a worker deletes it as soon as it has read it.
 */
export const RESOLVED_ENV_KEY = 'HEADERGUARD_RESOLVED';
/** One session per process, whichever copy of this module (tsx or a precompiled bundle) asks for it. */
const HELD = Symbol.for('headerguard.session');
type Holder = { [HELD]?: Session };

/** Validate the options and the farm, choose ports and a run id. Throws UserError (exit 2) on bad input. */
export async function planSession(
  options: RunOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Session> {
  if (options.tag !== undefined && !TAG_PATTERN.test(options.tag)) {
    throw new UserError(
      `--tag: "${options.tag}" is not a tag: 1-64 lower-case letters, digits, dots, dashes or underscores, starting with a letter or digit (e.g. ${TAGS.join(', ')})`,
    );
  }
  // Loaded here, not at the top: a WDIO worker imports this module but never plans, and these pull in the
  // farm validator (Playwright's device list) and the simulator.
  const [{ FAULTS }, { loadFarm }] = await Promise.all([
    import('../simulate/index.ts'),
    import('../farm/index.ts'),
  ]);
  if (options.simFault && !(options.simFault in FAULTS)) {
    throw new UserError(
      `--sim-fault: unknown fault "${options.simFault}" (known: ${Object.keys(FAULTS).join(', ')})`,
    );
  }
  const baselineView = await checkBaselineOptions(options);
  const farm = await loadFarm(options.farmPath, env);
  const handsets = selectHandsets(farm, options.bearers);
  const startedAt = new Date();
  const runId = `${startedAt.toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
  const simPorts: Record<string, number> = {};
  for (const h of handsets) if (h.proxy.kind === 'sim') simPorts[h.id] = await freePort();
  const endpoint = await endpointFor(farm);
  // A farm may mix emulated handsets, local phones and phones behind hubs: each local kind gets its server.
  const appiumPort = handsets.some((h) => h.appium && !h.grid) ? await freePort() : undefined;
  const chromedriverPort = handsets.some((h) => h.emulate && !h.grid) ? await freePort() : undefined;
  const reportDir = path.resolve(options.reportDir);
  const plan: SessionPlan = {
    ...options,
    maxParallel: options.maxParallel ?? defaultMaxParallel(handsets.length),
    handsetTimeoutS: options.handsetTimeoutS ?? DEFAULT_HANDSET_TIMEOUT_S,
    farmPath: path.resolve(options.farmPath),
    reportDir,
    runId,
    runDir: path.join(reportDir, runId),
    startedAt: startedAt.toISOString(),
    endpoint,
    simPorts,
    ...(appiumPort ? { appiumPort } : {}),
    ...(chromedriverPort ? { chromedriverPort } : {}),
    handsetIds: handsets.map((h) => h.id),
    ...(baselineView ? { baselineView } : {}),
  };
  return { plan, farm, handsets };
}

/** The capture endpoint a run uses: the farm's deployed one, or an embedded one on free ports with a new key. */
export async function endpointFor(farm: Farm): Promise<SessionPlan['endpoint']> {
  return farm.capture
    ? {
        kind: 'remote',
        url: farm.capture.url,
        ...(farm.capture.acceptInsecureCerts ? { acceptInsecureCerts: true } : {}),
        ...(farm.capture.ca ? { spki: farm.capture.ca.spki } : {}),
        ...(farm.capture.resolve ? { resolve: farm.capture.resolve } : {}),
      }
    : {
        kind: 'embedded',
        ports: { main: await freePort(), alt: await freePort(), https: await freePort() },
        apiKey: randomBytes(24).toString('base64url'),
      };
}

/**
 * `--baseline`, `--drift` and `--save-baseline`, checked before anything starts: the baseline is read and
 * validated (a bad one exits 2 in one line), `--drift` needs a baseline, and the folder a baseline is saved
 * to must exist.
 */
async function checkBaselineOptions(options: RunOptions): Promise<RunView | undefined> {
  const { DRIFT_MODES } = await import('../model/baseline.ts');
  if (options.driftMode !== undefined && !DRIFT_MODES.includes(options.driftMode)) {
    throw new UserError(`--drift: expected ${DRIFT_MODES.join(' or ')}, got "${options.driftMode}"`);
  }
  if (options.driftMode !== undefined && options.baselinePath === undefined) {
    throw new UserError('--drift needs --baseline FILE (the baseline to compare with)');
  }
  if (options.saveBaselinePath !== undefined) {
    const { stat } = await import('node:fs/promises');
    const dir = path.dirname(path.resolve(options.saveBaselinePath));
    const isDir = await stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isDir)
      throw new UserError(`--save-baseline ${options.saveBaselinePath}: folder ${dir} does not exist`);
  }
  if (options.baselinePath === undefined) return undefined;
  const { readBaselineFile } = await import('../report/baseline-io.ts');
  return readBaselineFile(options.baselinePath);
}

/** Store the plan where WDIO workers (forked with this environment) will find it. */
export function publishSession(plan: SessionPlan, env: NodeJS.ProcessEnv = process.env): void {
  env[ENV_KEY] = JSON.stringify(plan);
}

/** Make `session` the one `currentSession()` returns in this process (the launcher, once planned). */
export function holdSession(session: Session): void {
  (globalThis as Holder)[HELD] = session;
}

/** The environment entry that hands the resolved session to WDIO workers (see RESOLVED_ENV_KEY). */
export function resolvedSessionEnv(session: Session): Record<string, string> {
  const { farm } = session;
  return {
    [RESOLVED_ENV_KEY]: JSON.stringify({
      plan: session.plan,
      farm: { ...farm, policies: [...farm.policies] },
      handsets: session.handsets,
      capabilities: session.capabilities,
    }),
  };
}

function parseResolved(text: string): Session {
  const raw = JSON.parse(text) as Omit<Session, 'farm'> & {
    farm: Omit<Farm, 'policies'> & { policies: [string, BearerPolicy][] };
  };
  return { ...raw, farm: { ...raw.farm, policies: new Map(raw.farm.policies) } };
}

/**
 * The session of this process: the one held in it (the launcher's, or a worker's once read), the resolved one
 * the launcher handed to this worker, the plan published by a launcher (farm loaded again), or a new default
 * one when `wdio.conf.ts` is run directly.
 */
export async function currentSession(env: NodeJS.ProcessEnv = process.env): Promise<Session> {
  const holder = globalThis as Holder;
  if (holder[HELD]) return holder[HELD];
  const resolved = env[RESOLVED_ENV_KEY];
  if (resolved) {
    delete env[RESOLVED_ENV_KEY];
    holder[HELD] = parseResolved(resolved);
    return holder[HELD];
  }
  const published = env[ENV_KEY];
  if (published) {
    const plan = JSON.parse(published) as SessionPlan;
    const { loadFarm } = await import('../farm/index.ts');
    const farm = await loadFarm(plan.farmPath, env);
    const byId = new Map(farm.handsets.map((h) => [h.id, h]));
    const handsets = plan.handsetIds.map((id) => {
      const h = byId.get(id);
      if (!h)
        throw new UserError(`farm ${farm.source}: handset "${id}" disappeared while the run was starting`);
      return h;
    });
    holder[HELD] = { plan, farm, handsets };
    return holder[HELD];
  }
  const session = await planSession(
    { farmPath: DEFAULT_FARM, reportDir: path.join(PROJECT_ROOT, 'reports') },
    env,
  );
  publishSession(session.plan, env);
  holder[HELD] = session;
  return session;
}

function selectHandsets(farm: Farm, bearers: string[] | undefined): Handset[] {
  if (!bearers?.length) return farm.handsets;
  for (const b of bearers) {
    if (!farm.policies.has(b)) {
      throw new UserError(`--bearer: unknown bearer "${b}" (known: ${[...farm.policies.keys()].join(', ')})`);
    }
  }
  const chosen = farm.handsets.filter((h) => bearers.includes(h.bearer));
  if (chosen.length === 0) {
    throw new UserError(`--bearer ${bearers.join(' ')}: no handset of farm ${farm.source} is on that bearer`);
  }
  return chosen;
}

/** Where workers reach the capture API, with which key, and how (a deployed endpoint's CA, names). */
export function apiOf(session: Session): { url: string; apiKey: string; connection?: EndpointConnection } {
  const { plan, farm } = session;
  if (plan.endpoint.kind === 'embedded') {
    return { url: `http://127.0.0.1:${plan.endpoint.ports.main}`, apiKey: plan.endpoint.apiKey };
  }
  const capture = farm.capture!;
  return {
    url: capture.url,
    apiKey: capture.apiKey,
    connection: {
      ...(capture.ca ? { ca: capture.ca.pem } : {}),
      ...(capture.acceptInsecureCerts ? { insecure: true } : {}),
      ...(capture.resolve ? { resolve: capture.resolve } : {}),
    },
  };
}

/** The simulator fault a `sim:` handset runs with: `--sim-fault` overrides the farm's. */
export function effectiveFault(handset: Handset, plan: SessionPlan): FaultName | undefined {
  if (handset.proxy.kind !== 'sim') return undefined;
  return plan.simFault ?? handset.proxy.fault;
}

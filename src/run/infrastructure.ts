import { CaptureClient, type RunningCaptureServer, startLocalCaptureServer } from '../capture/index.ts';
import { describeError, isPortInUse } from '../shared/errors.ts';
import { freePort } from '../shared/free-port.ts';
import { maskDigitRuns } from '../shared/mask.ts';
import { type RunningSimulator, startSimulator } from '../simulate/index.ts';
import { type RunningChromedriver, startChromedriver } from './chromedriver.ts';
import { gatewayLabel } from './gateway-label.ts';
import { apiOf, effectiveFault, type Session } from './session.ts';

/**
 * The embedded capture endpoint, the bearer simulators and the shared chromedriver a run needs, started by
 * the launcher service before any worker.
 */
export interface Infrastructure {
  endpoint?: RunningCaptureServer;
  simulators: RunningSimulator[];
  chromedriver?: RunningChromedriver;
  stop(): Promise<void>;
}

export const PROBE_HOST = 'probe.localhost';
export const PARTNER_HOST = 'partner.localhost';

/** What the run needs could not be started or reached: one masked line naming what and why. */
export class StartError extends Error {
  override name = 'StartError';
}

/** Run one start step; a failure becomes a StartError that names the step. */
async function step<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new StartError(`${what}: ${maskDigitRuns(describeError(err))}`);
  }
}

export interface StartOptions {
  /**
   * The plan's ports were free when it was made, but another process may have bound one since (nothing listens
   * between planning and starting). With this, a listener whose port is taken listens on any free port and the
   * plan follows (`plan.endpoint.ports`, `plan.simPorts`, `plan.chromedriverPort`). Only for a caller that reads
   * the plan after this start (capabilities, workers' session): `headerguard run` and `probe`.
   */
  rebindTakenPorts?: boolean;
}

/** `start` on the planned port; with `rebind`, on any free one (0) when the planned one is taken. */
async function onPlannedPort<T>(rebind: boolean, start: (anyPort: boolean) => Promise<T>): Promise<T> {
  try {
    return await start(false);
  } catch (err) {
    if (rebind && isPortInUse(err)) return start(true);
    throw err;
  }
}

/**
 * Start (or, for a deployed endpoint, reach) what the run needs before any worker starts: the capture
 * endpoint, one bearer simulator per `sim:` handset, and the chromedriver emulated handsets share. Throws a StartError naming the first that failed,
 * having stopped whatever it had started.
 */
export async function startInfrastructure(
  session: Session,
  { rebindTakenPorts = false }: StartOptions = {},
): Promise<Infrastructure> {
  const { plan, handsets } = session;
  // A deployed endpoint names its own partner host, and may map its names to where it runs (capture.resolve).
  const capture = session.farm.capture;
  const infra: Infrastructure = {
    simulators: [],
    async stop() {
      await Promise.allSettled([
        infra.chromedriver?.stop(),
        infra.endpoint?.close(),
        ...infra.simulators.map((s) => s.close()),
      ]);
    },
  };
  // Started first: it gets ready while the endpoint and simulators start.
  const plannedDriverPort = plan.chromedriverPort;
  const chromedriver = plannedDriverPort ? startChromedriver(plannedDriverPort) : undefined;
  // Awaited below, after the endpoint and simulators: a driver that fails first must not be an unhandled
  // rejection meanwhile (that ended the launcher with a stack trace and exit 1 instead of one line, exit 3).
  chromedriver?.catch(() => {});
  try {
    const endpoint = plan.endpoint;
    if (endpoint.kind === 'embedded') {
      // Captures are subscriber data: the embedded endpoint keeps them in memory only, for this run.
      const started = await step('the embedded capture endpoint could not start', () =>
        onPlannedPort(rebindTakenPorts, (anyPort) =>
          startLocalCaptureServer({
            httpPort: anyPort ? 0 : endpoint.ports.main,
            altPort: anyPort ? 0 : endpoint.ports.alt,
            httpsPort: anyPort ? 0 : endpoint.ports.https,
            probeHost: PROBE_HOST,
            partnerHost: PARTNER_HOST,
            apiKey: endpoint.apiKey,
          }),
        ),
      );
      infra.endpoint = started;
      endpoint.ports = { ...started.ports };
    } else {
      const api = apiOf(session);
      await step(`the capture endpoint ${endpoint.url} cannot be used`, () =>
        new CaptureClient(api.url, api.apiKey, {
          timeoutMs: 5000,
          ...(api.connection ? { connection: api.connection } : {}),
        }).checkAccess(),
      );
    }
    for (const h of handsets) {
      if (h.proxy.kind !== 'sim') continue;
      const fault = effectiveFault(h, plan);
      const port = plan.simPorts[h.id]!;
      const { bearer, egress } = h.proxy;
      const name = gatewayLabel(h, plan.simFault);
      const simulator = await step(
        `the bearer simulator ${name} of handset ${h.id} (127.0.0.1:${port}) could not start`,
        () =>
          onPlannedPort(rebindTakenPorts, (anyPort) =>
            startSimulator({
              bearer,
              msisdn: h.identity.msisdn!,
              ...(h.identity.imsi ? { imsi: h.identity.imsi } : {}),
              ...(fault ? { fault } : {}),
              ...(egress ? { egress } : {}),
              port: anyPort ? 0 : port,
              partnerHost: capture?.partnerHost ?? PARTNER_HOST,
              ...(capture?.resolve ? { resolve: capture.resolve } : {}),
              ...(endpoint.kind === 'embedded' ? { mainPort: endpoint.ports.main } : {}),
            }),
          ),
      );
      infra.simulators.push(simulator);
      plan.simPorts[h.id] = simulator.port;
    }
    if (chromedriver) {
      infra.chromedriver = await step(`chromedriver (127.0.0.1:${plannedDriverPort}) could not start`, () =>
        onPlannedPort(rebindTakenPorts, async (anyPort) =>
          anyPort ? startChromedriver(await freePort()) : chromedriver,
        ),
      );
      plan.chromedriverPort = infra.chromedriver.port;
    }
    return infra;
  } catch (err) {
    await Promise.allSettled([
      infra.stop(),
      chromedriver?.then((c) => (c === infra.chromedriver ? undefined : c.stop())),
    ]);
    throw err;
  }
}

export { apiOf } from './session.ts';

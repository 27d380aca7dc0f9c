import { CaptureClient, type RunningCaptureServer, startLocalCaptureServer } from '../capture/index.ts';
import { describeError } from '../shared/errors.ts';
import { maskDigitRuns } from '../shared/mask.ts';
import { type RunningSimulator, startSimulator } from '../simulate/index.ts';
import { gatewayLabel } from './gateway-label.ts';
import type { Session } from './session.ts';
import { effectiveFault } from './session.ts';

/** The embedded capture endpoint and the bearer simulators a run needs, started in WDIO's `onPrepare`. */
export interface Infrastructure {
  endpoint?: RunningCaptureServer;
  simulators: RunningSimulator[];
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

/**
 * Start (or, for a deployed endpoint, reach) what the run needs before any worker starts: the capture
 * endpoint and one bearer simulator per `sim:` handset. Throws a StartError naming the first that failed,
 * having stopped whatever it had started.
 */
export async function startInfrastructure(session: Session): Promise<Infrastructure> {
  const { plan, handsets } = session;
  const infra: Infrastructure = {
    simulators: [],
    async stop() {
      await Promise.allSettled([infra.endpoint?.close(), ...infra.simulators.map((s) => s.close())]);
    },
  };
  try {
    const endpoint = plan.endpoint;
    if (endpoint.kind === 'embedded') {
      // Captures are subscriber data: the embedded endpoint keeps them in memory only, for this run.
      infra.endpoint = await step('the embedded capture endpoint could not start', () =>
        startLocalCaptureServer({
          httpPort: endpoint.ports.main,
          altPort: endpoint.ports.alt,
          httpsPort: endpoint.ports.https,
          probeHost: PROBE_HOST,
          partnerHost: PARTNER_HOST,
          apiKey: endpoint.apiKey,
        }),
      );
    } else {
      const api = apiOf(session);
      await step(`the capture endpoint ${endpoint.url} cannot be used`, () =>
        new CaptureClient(api.url, api.apiKey, { timeoutMs: 5000 }).checkAccess(),
      );
    }
    for (const h of handsets) {
      if (h.proxy.kind !== 'sim') continue;
      const fault = effectiveFault(h, plan);
      const port = plan.simPorts[h.id]!;
      const bearer = h.proxy.bearer;
      const name = gatewayLabel(h, plan.simFault);
      infra.simulators.push(
        await step(
          `the bearer simulator ${name} of handset ${h.id} (127.0.0.1:${port}) could not start`,
          () =>
            startSimulator({
              bearer,
              msisdn: h.identity.msisdn!,
              ...(h.identity.imsi ? { imsi: h.identity.imsi } : {}),
              ...(fault ? { fault } : {}),
              port,
              partnerHost: PARTNER_HOST,
              ...(endpoint.kind === 'embedded' ? { mainPort: endpoint.ports.main } : {}),
            }),
        ),
      );
    }
    return infra;
  } catch (err) {
    await infra.stop();
    throw err;
  }
}

/** Where workers reach the capture API, and with which key. */
export function apiOf(session: Session): { url: string; apiKey: string } {
  const { plan, farm } = session;
  if (plan.endpoint.kind === 'embedded') {
    return { url: `http://127.0.0.1:${plan.endpoint.ports.main}`, apiKey: plan.endpoint.apiKey };
  }
  return { url: farm.capture!.url, apiKey: farm.capture!.apiKey };
}

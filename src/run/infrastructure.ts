import { type RunningCaptureServer, startLocalCaptureServer } from '../capture/index.ts';
import { type RunningSimulator, startSimulator } from '../simulate/index.ts';
import { type RunningChromedriver, startChromedriver } from './chromedriver.ts';
import type { Session } from './session.ts';
import { effectiveFault } from './session.ts';

/** The embedded capture endpoint and the bearer simulators a run needs, started in WDIO's `onPrepare`. */
export interface Infrastructure {
  endpoint?: RunningCaptureServer;
  simulators: RunningSimulator[];
  chromedriver?: RunningChromedriver;
  stop(): Promise<void>;
}

export const PROBE_HOST = 'probe.localhost';
export const PARTNER_HOST = 'partner.localhost';

export async function startInfrastructure(session: Session): Promise<Infrastructure> {
  const { plan, handsets } = session;
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
  const chromedriver = plan.chromedriverPort ? startChromedriver(plan.chromedriverPort) : undefined;
  try {
    if (plan.endpoint.kind === 'embedded') {
      // Captures are subscriber data: the embedded endpoint keeps them in memory only, for this run.
      infra.endpoint = await startLocalCaptureServer({
        httpPort: plan.endpoint.ports.main,
        altPort: plan.endpoint.ports.alt,
        httpsPort: plan.endpoint.ports.https,
        probeHost: PROBE_HOST,
        partnerHost: PARTNER_HOST,
        apiKey: plan.endpoint.apiKey,
      });
    }
    for (const h of handsets) {
      if (h.proxy.kind !== 'sim') continue;
      const fault = effectiveFault(h, plan);
      infra.simulators.push(
        await startSimulator({
          bearer: h.proxy.bearer,
          msisdn: h.identity.msisdn!,
          ...(h.identity.imsi ? { imsi: h.identity.imsi } : {}),
          ...(fault ? { fault } : {}),
          port: plan.simPorts[h.id]!,
          partnerHost: PARTNER_HOST,
          ...(plan.endpoint.kind === 'embedded' ? { mainPort: plan.endpoint.ports.main } : {}),
        }),
      );
    }
    if (chromedriver) infra.chromedriver = await chromedriver;
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

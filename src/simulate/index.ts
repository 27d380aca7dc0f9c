/**
 * The bearer simulator: an HTTP forward proxy that behaves like one subscriber's carrier gateway, with healthy
 * profiles per bearer and replays of documented faults. The one public entry point of `src/simulate/`.
 */
import net from 'node:net';
import { describeError, PortInUseError, UserError } from '../shared/errors.ts';
import { resolveOptions, type SimulatorOptions } from './options.ts';
import { type RunningSimulator, startProxy } from './proxy.ts';

export { startSimulatorProcess } from './child.ts';
export type { FaultName } from './faults.ts';
export { FAULT_NAMES, FAULTS } from './faults.ts';
export type { SimulatorOptions } from './options.ts';
export type { SimBearer } from './profiles.ts';
export { BEARER_PROFILES, SIM_BEARERS } from './profiles.ts';
export type { RunningSimulator } from './proxy.ts';
export { parseSimSpec } from './spec.ts';
export { trackingId } from './subscriber.ts';

/** Start a simulator in this process. Bad options reject with a one-line UserError. */
export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const resolved = resolveOptions(options);
  if (resolved.egress) await checkEgressIsLocal(resolved.egress);
  try {
    return await startProxy(resolved);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      const where = `cannot listen on ${resolved.host}:${resolved.port}`;
      if (code === 'EADDRINUSE') throw new PortInUseError(`${where}: the port is already in use`);
      throw new UserError(`${where}: ${code}`);
    }
    throw err;
  }
}

/** An egress address must be one of this machine's: otherwise every upstream connection would fail. */
async function checkEgressIsLocal(address: string): Promise<void> {
  const probe = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(0, address, resolve);
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? describeError(err);
    throw new UserError(`--egress ${address}: not an address of this machine to connect from (${code})`);
  } finally {
    probe.close();
  }
}

/**
 * Bearer profiles of the simulator. Plain data: what each simulated gateway is called. The faults are in
 * `faults.ts` (re-exported here for the modules and tests that import them with the profiles).
 */
export type { FaultName } from './faults.ts';
export { FAULT_NAMES, FAULTS, isFaultName } from './faults.ts';

export type SimBearer = 'o2' | 'giffgaff' | 'tesco';

export const SIM_BEARERS: readonly SimBearer[] = Object.freeze(['o2', 'giffgaff', 'tesco'] as const);

export interface BearerProfile {
  id: SimBearer;
  displayName: string;
  /** ISO country of the network; every simulated bearer is British (national `07…` numbers are accepted). */
  country: 'GB';
  /** The network whose gateway carries the traffic (the MVNOs ride on O2). */
  parent: 'o2';
  /** `received-by` pseudonym and comment of the gateway's `Via` entry (RFC 9110 §7.6.3). */
  viaName: string;
  viaComment: string;
}

/**
 * GiffGaff and Tesco Mobile are MVNOs on O2 UK: same gateway rules, their own Via names (as a real MVNO's
 * branded APN gateway would show).
 */
export const BEARER_PROFILES: Readonly<Record<SimBearer, BearerProfile>> = Object.freeze({
  o2: {
    id: 'o2',
    displayName: 'O2 UK',
    country: 'GB',
    parent: 'o2',
    viaName: 'wapgw.o2.sim.headerguard',
    viaComment: 'O2 UK gateway; headerguard simulator',
  },
  giffgaff: {
    id: 'giffgaff',
    displayName: 'GiffGaff',
    country: 'GB',
    parent: 'o2',
    viaName: 'gw.giffgaff.sim.headerguard',
    viaComment: 'GiffGaff on O2 UK; headerguard simulator',
  },
  tesco: {
    id: 'tesco',
    displayName: 'Tesco Mobile',
    country: 'GB',
    parent: 'o2',
    viaName: 'gw.tescomobile.sim.headerguard',
    viaComment: 'Tesco Mobile on O2 UK; headerguard simulator',
  },
});

export function isSimBearer(value: string): value is SimBearer {
  return (SIM_BEARERS as readonly string[]).includes(value);
}

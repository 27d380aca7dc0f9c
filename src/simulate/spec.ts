/** Farm-file proxy specs: `sim:<bearer>[:<fault>][@<egress>]`. */

import { checkEgress } from './options.ts';
import {
  FAULT_NAMES,
  type FaultName,
  isFaultName,
  isSimBearer,
  SIM_BEARERS,
  type SimBearer,
} from './profiles.ts';

/**
 * Parse `sim:o2`, `sim:giffgaff:o2-2012` or `sim:o2@127.0.0.2` (the simulator's upstream connections leave
 * from that local address, `--egress`); throws a one-line Error naming what is wrong.
 */
export function parseSimSpec(spec: string): { bearer: SimBearer; fault?: FaultName; egress?: string } {
  const shown = JSON.stringify(
    typeof spec === 'string' ? (spec.length > 60 ? `${spec.slice(0, 60)}…` : spec) : String(spec),
  );
  if (typeof spec !== 'string' || !spec.startsWith('sim:')) {
    throw new Error(`proxy spec ${shown} must look like sim:<bearer>[:<fault>]`);
  }
  const at = spec.indexOf('@');
  const egress = at === -1 ? undefined : spec.slice(at + 1);
  if (egress !== undefined) {
    try {
      checkEgress(egress);
    } catch {
      throw new Error(
        `proxy spec ${shown}: after @ comes the simulator's egress, an IP address such as 127.0.0.2`,
      );
    }
  }
  const withEgress = <T extends object>(r: T) => (egress === undefined ? r : { ...r, egress });
  const parts = spec.slice(4, at === -1 ? undefined : at).split(':');
  if (parts.length > 2)
    throw new Error(`proxy spec ${shown} has too many parts: expected sim:<bearer>[:<fault>]`);
  const [bearer = '', fault] = parts;
  if (bearer === '')
    throw new Error(`proxy spec ${shown} names no bearer: expected one of ${SIM_BEARERS.join(', ')}`);
  if (!isSimBearer(bearer)) {
    throw new Error(
      `proxy spec ${shown} names unknown bearer "${bearer}": expected one of ${SIM_BEARERS.join(', ')}`,
    );
  }
  if (fault === undefined) return withEgress({ bearer });
  if (!isFaultName(fault)) {
    throw new Error(
      `proxy spec ${shown} names unknown fault "${fault}": expected one of ${FAULT_NAMES.join(', ')}`,
    );
  }
  return withEgress({ bearer, fault });
}

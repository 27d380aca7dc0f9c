/** Farm-file proxy specs: `sim:<bearer>[:<fault>]`. */
import {
  FAULT_NAMES,
  type FaultName,
  isFaultName,
  isSimBearer,
  SIM_BEARERS,
  type SimBearer,
} from './profiles.ts';

/** Parse `sim:o2` or `sim:giffgaff:o2-2012`; throws a one-line Error naming what is wrong. */
export function parseSimSpec(spec: string): { bearer: SimBearer; fault?: FaultName } {
  const shown = JSON.stringify(
    typeof spec === 'string' ? (spec.length > 60 ? `${spec.slice(0, 60)}…` : spec) : String(spec),
  );
  if (typeof spec !== 'string' || !spec.startsWith('sim:')) {
    throw new Error(`proxy spec ${shown} must look like sim:<bearer>[:<fault>]`);
  }
  const parts = spec.slice(4).split(':');
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
  if (fault === undefined) return { bearer };
  if (!isFaultName(fault)) {
    throw new Error(
      `proxy spec ${shown} names unknown fault "${fault}": expected one of ${FAULT_NAMES.join(', ')}`,
    );
  }
  return { bearer, fault };
}

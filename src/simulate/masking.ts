/**
 * What the simulator shows of its subscriber: every plain form of the MSISDN (E.164 with and without `+`,
 * `00`, national with the trunk prefix, the national significant number, the formatted ones) and the IMSI, as
 * the verdict engine's needles list them, masked wherever the simulator writes free text (host names in logs
 * and error answers) and, as a net under that, in every serialised log line.
 */
import { needlesFor } from '../detect/index.ts';
import { maskDigitRuns, maskKnown } from '../shared/mask.ts';
import type { GatewayConfig } from './enrich.ts';
import { BEARER_PROFILES } from './profiles.ts';

export interface SubscriberMask {
  /** Every plain form of the subscriber's identifiers, longest first. */
  secrets: readonly string[];
  /** Free text such as a `host:port`: known forms masked, then any other run of 6+ digits (separators too). */
  text(value: string): string;
  /** A serialised log line: known forms masked (timestamps and counts untouched). */
  line(value: string): string;
}

export function subscriberMask(gateway: Pick<GatewayConfig, 'bearer' | 'msisdn' | 'imsi'>): SubscriberMask {
  const identity = gateway.imsi ? { msisdn: gateway.msisdn, imsi: gateway.imsi } : { msisdn: gateway.msisdn };
  const { secrets } = needlesFor(identity, BEARER_PROFILES[gateway.bearer].country);
  return {
    secrets,
    text: (value) => maskDigitRuns(maskKnown(value, secrets)),
    line: (value) => maskKnown(value, secrets),
  };
}

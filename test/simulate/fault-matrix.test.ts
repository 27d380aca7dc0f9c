/**
 * Every fault × every healthy profile, in seconds: a run's probe traffic through the simulator's pure gateway
 * rules, judged by the verdict engine. Each fault must fail the rules its record names (under every connection
 * pattern a handset may use); the healthy profile alone must pass.
 */
import assert from 'node:assert/strict';
import { BUILTIN_POLICIES } from '../../bearers/index.ts';
import farm from '../../devices/simulated.ts';
import { evaluate, resolvePolicies } from '../../src/detect/index.ts';
import type { Identity, Judgement } from '../../src/model/finding.ts';
import type { PolicyInput } from '../../src/model/policy.ts';
import { toScanCaptures } from '../../src/run/to-scan-captures.ts';
import type { GatewayConfig } from '../../src/simulate/enrich.ts';
import { FAULT_NAMES, FAULTS, type FaultName } from '../../src/simulate/faults.ts';
import { SIM_BEARERS, type SimBearer } from '../../src/simulate/profiles.ts';
import {
  CANARY,
  CONNECTION_PATTERNS,
  type ConnectionPattern,
  ENDPOINT,
  runThroughGateway,
} from './handset-traffic.ts';

/** The default farm's bearer policies (partner enrichment expected: the positive control runs). */
const POLICIES = resolvePolicies(BUILTIN_POLICIES, farm.bearers as PolicyInput[]);

function handsetOf(bearer: SimBearer): { identity: Identity } {
  const h = farm.handsets.find((x) => x.proxy === `sim:${bearer}`);
  assert.ok(h, `devices/simulated.ts has a sim:${bearer} handset`);
  return { identity: h.identity as Identity };
}

function judge(bearer: SimBearer, fault: FaultName | undefined, pattern: ConnectionPattern): Judgement {
  const { identity } = handsetOf(bearer);
  const gateway: GatewayConfig = {
    bearer,
    msisdn: identity.msisdn!,
    partnerHost: ENDPOINT.partnerHost,
    mainPort: ENDPOINT.ports.main,
  };
  if (identity.imsi) gateway.imsi = identity.imsi;
  if (fault) gateway.fault = fault;
  const run = runThroughGateway(gateway, pattern);
  return evaluate({
    policy: POLICIES.get(bearer)!,
    identity,
    captures: toScanCaptures(run.plan, run.records),
    plan: run.plan.map((p) => p.probe),
    canary: CANARY,
  });
}

function rulesOf(j: Judgement): string[] {
  return [...new Set(j.findings.map((f) => f.rule))].sort();
}

describe('simulate: fault matrix (pure gateway rules → verdict)', () => {
  for (const bearer of SIM_BEARERS) {
    describe(`${bearer}`, () => {
      it('healthy: passes, with nothing to report, under every connection pattern', () => {
        for (const pattern of CONNECTION_PATTERNS) {
          const j = judge(bearer, undefined, pattern);
          assert.deepEqual(j.findings, [], `${pattern}: ${JSON.stringify(j.findings)}`);
          assert.equal(j.verdict, 'pass', pattern);
        }
      });

      for (const fault of FAULT_NAMES) {
        it(`${fault}: fails ${FAULTS[fault].trips.join(', ')}`, () => {
          for (const pattern of CONNECTION_PATTERNS) {
            const j = judge(bearer, fault, pattern);
            const seen = rulesOf(j);
            assert.equal(j.verdict, 'fail', `${pattern}: ${seen.join(', ')}`);
            assert.equal(seen.includes('incomplete'), false, `${pattern}: every probe was captured`);
            for (const rule of FAULTS[fault].trips) {
              assert.ok(
                seen.includes(rule),
                `${pattern}: ${fault} must fail ${rule}; saw ${seen.join(', ')}`,
              );
            }
          }
        });
      }
    });
  }

  it('covers every healthy profile with a handset of the default farm', () => {
    assert.deepEqual(
      SIM_BEARERS.filter((b) => farm.handsets.some((h) => h.proxy === `sim:${b}`)),
      [...SIM_BEARERS],
    );
  });
});

/** Runs and captures for the store tests (SQLite's own in store.test.ts, both stores in run-store.test.ts). */
import { buildPlan, newCanary } from '../../src/capture/plan/probe-plan.ts';
import { newRunToken } from '../../src/capture/plan/run-token.ts';
import { headerPairs } from '../../src/capture/store/capture-block.ts';
import type { NewRun } from '../../src/capture/store/run-row.ts';
import type { CaptureRecord } from '../../src/model/capture.ts';

/** Where the plans of stored test runs point (the ports are never dialled). */
export const PLAN_ENDPOINT = {
  probeHost: 'probe.localhost',
  partnerHost: 'partner.localhost',
  ports: { main: 1, alt: 2, https: 3 },
};

/** A capture of `probe` for run `token`, received at `at`: duplicate names in two cases, latin1 bytes. */
export function sampleCapture(token: string, probe = 'fetch', at = Date.now()): CaptureRecord {
  return {
    runToken: token,
    probe,
    listener: 'main',
    tls: false,
    httpVersion: '1.1',
    method: 'GET',
    url: `/p/${token}/${probe}?q=1`,
    host: 'probe.localhost',
    remoteAddress: '127.0.0.1',
    remotePort: 50000,
    connectionId: 'c-1',
    connectionRequestIndex: 1,
    receivedAt: new Date(at).toISOString(),
    headers: headerPairs(['Host', 'probe.localhost', 'X-A', '1', 'x-a', '2', 'Latin', 'caf\u00e9\u00ff']),
  };
}

/** A new run created at `now` that expires `ttl` ms later, with a token of its own. */
export function sampleRun(now: number, ttl: number, meta?: Record<string, unknown>): NewRun {
  const token = newRunToken();
  return {
    token,
    handset: 'h',
    bearer: 'b',
    ...(meta ? { meta } : {}),
    plan: buildPlan(token, PLAN_ENDPOINT),
    canary: newCanary(),
    createdAt: now,
    expiresAt: now + ttl,
  };
}

import assert from 'node:assert/strict';
import type { CaptureRecord, PlannedProbe } from '../../src/model/capture.ts';
import { toScanCaptures } from '../../src/run/to-scan-captures.ts';

const plan: PlannedProbe[] = [
  {
    probe: 'fetch',
    url: 'http://probe.localhost:1/p/t/fetch',
    role: 'third-party',
    tls: false,
    listener: 'main',
    kind: 'fetch',
    twin: 'fetch-tls',
  },
  {
    probe: 'fetch-tls',
    url: 'https://probe.localhost:3/p/t/fetch-tls',
    role: 'third-party',
    tls: true,
    listener: 'https',
    kind: 'fetch',
  },
];
const record = (over: Partial<CaptureRecord>): CaptureRecord => ({
  runToken: 't',
  probe: 'fetch',
  listener: 'main',
  tls: false,
  httpVersion: '1.1',
  method: 'GET',
  url: '/p/t/fetch',
  host: 'probe.localhost:1',
  remoteAddress: '127.0.0.1',
  remotePort: 5000,
  connectionId: 'c1',
  connectionRequestIndex: 1,
  receivedAt: '2026-11-25T00:00:00.000Z',
  headers: [['Host', 'probe.localhost:1']],
  ...over,
});

describe('run/to-scan-captures', () => {
  it("gives each capture its probe's role and twin", () => {
    const [c] = toScanCaptures(plan, [record({})]);
    assert.deepEqual(
      { probe: c!.probe, role: c!.role, tls: c!.tls, twin: c!.twin, host: c!.host },
      { probe: 'fetch', role: 'third-party', tls: false, twin: 'fetch-tls', host: 'probe.localhost:1' },
    );
  });

  it('leaves out preflights, wrong-listener requests and probes not in the plan', () => {
    const out = toScanCaptures(plan, [
      record({ method: 'OPTIONS' }),
      record({ listener: 'https', tls: true }),
      record({ probe: 'stray' }),
      record({ probe: 'fetch-tls', listener: 'https', tls: true }),
    ]);
    assert.deepEqual(
      out.map((c) => [c.probe, c.tls]),
      [['fetch-tls', true]],
    );
  });
});

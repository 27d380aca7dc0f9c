import { randomBytes } from 'node:crypto';
import { startCaptureServer } from './server/capture-server.ts';
import type { CaptureServerOptions, RunningCaptureServer } from './types.ts';

/**
 * The capture endpoint for one machine's own use (the embedded suite, tests, benches): loopback only, any free
 * ports, captures in memory, `probe.localhost`/`partner.localhost`, the IPv6 probe host `::1` (listening on
 * 127.0.0.1 and ::1), a random API key unless one is given.
 */
export function startLocalCaptureServer(
  overrides: Partial<CaptureServerOptions> = {},
): Promise<RunningCaptureServer> {
  return startCaptureServer({
    httpPort: 0,
    altPort: 0,
    httpsPort: 0,
    bindAddress: '127.0.0.1',
    bindAddress6: '::1',
    probeHost: 'probe.localhost',
    probeHostV6: '::1',
    partnerHost: 'partner.localhost',
    dbPath: ':memory:',
    apiKey: randomBytes(24).toString('base64url'),
    retentionMs: 3600_000,
    ...overrides,
  });
}

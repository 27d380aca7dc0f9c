/** What the proxy's handlers share: the gateway rules, the logger, the connection state and the self check. */
import type net from 'node:net';
import type { Logger } from '../shared/logger.ts';
import type { ClientConnections } from './client-connections.ts';
import type { GatewayConfig } from './enrich.ts';
import type { UpstreamPool } from './upstream-pool.ts';

export interface ProxyContext {
  gateway: GatewayConfig;
  log: Logger;
  clients: ClientConnections;
  pool: UpstreamPool;
  /** Client sockets of CONNECT tunnels and upgrades (Node's server no longer tracks them). */
  tunnels: Set<net.Socket>;
  /** Free text (a `host:port`) fit for logs and answers: every form of the subscriber's identifiers masked. */
  shown(hostAndPort: string): string;
  /** Whether a target is the simulator itself (known once it listens). */
  isSelf(target: { hostname: string; port: number }): boolean;
}

/** What every route of a running endpoint shares. */
import type { Listener } from '../../model/capture.ts';
import type { Logger } from '../../shared/logger.ts';
import type { PageCache } from '../pages/page-cache.ts';
import type { PlanEndpoint } from '../plan/probe-plan.ts';
import type { RunStore } from '../store/run-store.ts';
import type { ApiKeyCheck } from './auth.ts';
import type { ConnectionRegistry } from './connections.ts';
import type { EndpointMetrics } from './metrics.ts';

export interface EndpointContext {
  /** Runs and captures; answer a probe only once `store.capture` says it is committed. */
  store: RunStore;
  logger: Logger;
  auth: ApiKeyCheck;
  connections: ConnectionRegistry;
  endpoint: PlanEndpoint;
  retentionMs: number;
  maxCapturesPerRun: number;
  /** Most bytes an API request body may have. */
  maxBodyBytes: number;
  /** Prometheus counters, histogram and gauge (`GET /metrics`). */
  metrics: EndpointMetrics;
  /** Rendered navigation and partner pages of the runs being browsed. */
  pages: PageCache;
}

/** One request as it arrived, read once before routing. */
export interface Arrival {
  listener: Listener;
  tls: boolean;
  httpVersion: string;
  method: string;
  /** The request target exactly as sent. */
  url: string;
  /** Its path, without query. */
  path: string;
  host: string;
  remoteAddress: string;
  remotePort: number;
  connectionId: string;
  connectionRequestIndex: number;
  receivedAt: number;
}

/**
 * The capture endpoint: the one public entry point of `src/capture/`. Everything else in this folder is internal.
 */
export type { Canary, CaptureRecord, HeaderPair, Listener, PlannedProbe } from '../model/capture.ts';
export { CaptureApiError, CaptureClient, type CaptureClientOptions } from './client/capture-client.ts';
export { startLocalCaptureServer } from './local-server.ts';
export { CANARY_HEADER, PROBE_IDS } from './plan/probe-plan.ts';
export { startCaptureServer } from './server/capture-server.ts';
export { DEFAULTS, MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_RETENTION_MS } from './server/options.ts';
export type {
  CaptureServerOptions,
  CreatedRun,
  CreateRunBody,
  RunCaptures,
  RunningCaptureServer,
  RunSummary,
} from './types.ts';

/**
 * The capture endpoint's public types: how to start it, what a running one offers, and the API payloads.
 * Plain data only; the shapes of plans and captures live in `src/model/capture.ts`.
 */

import type { Canary, CaptureRecord, PlannedProbe } from '../model/capture.ts';
import type { Logger } from '../shared/logger.ts';

export interface CaptureServerOptions {
  /** Main plain-HTTP port (80 in production); 0 picks a free one. */
  httpPort: number;
  /** Alternate plain-HTTP port (8080 in production); 0 picks a free one. */
  altPort: number;
  /** HTTPS port, h1 and h2 (443 in production); 0 picks a free one. */
  httpsPort: number;
  /** Address every listener binds to. Default `0.0.0.0`; the embedded suite passes `127.0.0.1`. */
  bindAddress?: string;
  /**
   * A second address every listener also binds to, on the same ports, for the other IP family (IPv6 only on
   * this socket). Default `::` when `bindAddress` is the default `0.0.0.0` (skipped with a warning on a machine
   * without IPv6); none otherwise. The embedded suite passes `::1`.
   */
  bindAddress6?: string;
  /** The third-party host that must receive nothing. Default `probe.localhost`. */
  probeHost: string;
  /**
   * The IPv6-only probe host (deployed: a name with only an AAAA record; locally `::1`). Runs get the IPv6
   * probes (`nav-v6`, `img-v6`, `fetch-v6` and their HTTPS twins) on it. None by default.
   */
  probeHostV6?: string;
  /** The whitelisted partner host that must receive enrichment. Default `partner.localhost`. */
  partnerHost: string;
  /** SQLite file, or `:memory:`. */
  dbPath: string;
  /** Bearer key for `/api/*`. */
  apiKey: string;
  /** How long a run and its captures are kept, in ms. Default 24 h. */
  retentionMs: number;
  /** PEM certificate chain for the HTTPS listener; a self-signed one is generated when absent. */
  tlsCert?: string;
  /** PEM private key matching `tlsCert`. */
  tlsKey?: string;
  /** How often expired runs are purged, in ms. Default 60 s. */
  purgeIntervalMs?: number;
  /** Most captures one run may hold; later requests get 429 and are not stored. Default 2000. */
  maxCapturesPerRun?: number;
  /** Connection timeouts in ms (headers, whole request, idle, TLS handshake, check interval); defaults in options.ts. */
  timeouts?: Partial<{
    headersMs: number;
    requestMs: number;
    idleMs: number;
    handshakeMs: number;
    checkIntervalMs: number;
  }>;
  /**
   * A listener of its own for `GET /metrics` without the API key (a private address, say). `/metrics` on the
   * main listeners needs the key either way.
   */
  metricsListen?: { host: string; port: number };
  /**
   * A listener of its own for the API (HTTPS, the probe listener's certificate): `/api/*`, `/metrics` (with the key)
   * and `/healthz`. With it, the probe listeners no longer serve `/api/*` or `/metrics`, so that a firewall can
   * open this port to the suite's hosts only while the probe ports stay open to the carrier's network.
   */
  apiListen?: { host: string; port: number };
  /** Where the endpoint logs (never header values, never full tokens). Default: a pino logger on stderr. */
  logger?: Logger;
}

export interface RunningCaptureServer {
  ports: { main: number; alt: number; https: number };
  /**
   * Where the API is reachable from this machine, e.g. `http://127.0.0.1:<main>`, or with `apiListen`
   * `https://<its host>:<apiPort>`.
   */
  apiBaseUrl: string;
  apiKey: string;
  /** True when the HTTPS listener uses a certificate generated at start-up. */
  selfSignedCertificate: boolean;
  /** The metrics listener's port, when `metricsListen` was given. */
  metricsPort?: number;
  /** The API listener's port, when `apiListen` was given. */
  apiPort?: number;
  /**
   * Replace the HTTPS certificate for new connections (open ones keep theirs). Throws a UserError, and keeps the
   * current certificate, when the pair does not load.
   */
  reloadTls(cert: string, key: string): void;
  /** Stops the listeners and the purge timer, then closes the database. Idempotent. */
  close(): Promise<void>;
}

/** `POST /api/runs` request body. */
export interface CreateRunBody {
  handset: string;
  bearer: string;
  /** Free JSON kept with the run: at most 8 levels deep and 4 KiB as JSON, else 400. */
  meta?: Record<string, unknown>;
  /** `false`: leave the IPv6 probes out of this run's plan (a bearer whose policy says `ipv6: "off"`). */
  ipv6?: boolean;
}

/** `POST /api/runs` response (201). */
export interface CreatedRun {
  token: string;
  plan: PlannedProbe[];
  expiresAt: string;
  /** The URL a handset opens: the main navigation probe. */
  startUrl: string;
  canary: Canary;
}

/** The run as `GET /api/runs/:token/captures` describes it. */
export interface RunSummary {
  token: string;
  handset: string;
  bearer: string;
  meta?: unknown;
  /** Set instead of `meta` when the stored meta is out of bounds or damaged: why it was left out. */
  metaOmitted?: string;
  createdAt: string;
  expiresAt: string;
  /** The spoof canary the partner pages of this run send. */
  canary: Canary;
}

/** `GET /api/runs/:token/captures` response. */
export interface RunCaptures {
  run: RunSummary;
  /** The plan as returned when the run was created. */
  plan: PlannedProbe[];
  /** True when every planned probe has a capture on its planned listener (judged by the server). */
  complete: boolean;
  /** Ids of planned probes without such a capture, in plan order. */
  missing: string[];
  /** Every stored request of the run, in receive order. */
  captures: CaptureRecord[];
}

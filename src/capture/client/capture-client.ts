/** A small fetch-based client for the capture endpoint's API, used by the suite and the tests. */
import type { CreatedRun, CreateRunBody, RunCaptures } from '../types.ts';
import { type EndpointConnection, endpointDispatcher } from './endpoint-agent.ts';

/** A refusal from the API: its status and its one-line `error` message. Never contains the token. */
export class CaptureApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'CaptureApiError';
    this.status = status;
  }
}

/** Certificate checks Node names in a TLS failure's code. */
const CERTIFICATE_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

/** Why a request never got an answer, in a few words: timed out, an untrusted certificate, or no connection. */
export function connectFailure(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return 'timed out';
  const code = (err as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  if (typeof code === 'string' && CERTIFICATE_CODES.test(code)) {
    return `could not connect: its certificate is not trusted (${code}); trust its CA with capture.ca, or set capture.acceptInsecureCerts`;
  }
  return 'could not connect';
}

export interface CaptureClientOptions {
  /** Per-request time limit in ms. Default 30 s. */
  timeoutMs?: number;
  /** How to reach a deployed endpoint: its CA, insecure, mapped names (endpoint-agent.ts). */
  connection?: EndpointConnection;
}

export class CaptureClient {
  private readonly base: string;
  private readonly apiKey: string;
  private readonly timeoutMs: number;
  /** undici's dispatcher for fetch (typed loosely: the global fetch's RequestInit does not name it). */
  private readonly via: { dispatcher?: unknown };

  constructor(apiBaseUrl: string, apiKey: string, options: CaptureClientOptions = {}) {
    this.base = apiBaseUrl.replace(/\/+$/, '');
    this.apiKey = apiKey;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const dispatcher = options.connection && endpointDispatcher(options.connection);
    this.via = dispatcher ? { dispatcher } : {};
  }

  private async call(method: string, path: string, what: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.apiKey}`,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
        ...this.via,
      } as RequestInit);
    } catch (err) {
      const reason = connectFailure(err);
      throw new CaptureApiError(0, `${what}: capture endpoint ${reason} (${this.base})`);
    }
    if (!res.ok) {
      let message = res.statusText;
      try {
        const parsed = (await res.json()) as { error?: unknown };
        if (typeof parsed.error === 'string') message = parsed.error;
      } catch {
        // not JSON: keep the status text
      }
      throw new CaptureApiError(res.status, `${what}: ${res.status} ${message}`);
    }
    return res;
  }

  /** `POST /api/runs`. */
  async createRun(body: CreateRunBody): Promise<CreatedRun> {
    const res = await this.call('POST', '/api/runs', 'create run', body);
    return (await res.json()) as CreatedRun;
  }

  /** `GET /api/runs/:token/captures`. */
  async getCaptures(token: string): Promise<RunCaptures> {
    const res = await this.call('GET', `/api/runs/${encodeURIComponent(token)}/captures`, 'get captures');
    return (await res.json()) as RunCaptures;
  }

  /** `DELETE /api/runs/:token`. A run that is already gone (404) counts as deleted. */
  async deleteRun(token: string): Promise<void> {
    try {
      const res = await this.call('DELETE', `/api/runs/${encodeURIComponent(token)}`, 'delete run');
      await res.body?.cancel();
    } catch (err) {
      if (err instanceof CaptureApiError && err.status === 404) return;
      throw err;
    }
  }

  /**
   * Preflight before a run: the endpoint answers, its store works and it accepts the API key. Throws a
   * CaptureApiError whose one-line message says which of these failed.
   */
  async checkAccess(): Promise<void> {
    let health: Response;
    try {
      health = await fetch(`${this.base}/healthz`, {
        signal: AbortSignal.timeout(Math.min(this.timeoutMs, 5000)),
        ...this.via,
      } as RequestInit);
      await health.body?.cancel();
    } catch (err) {
      const reason = connectFailure(err);
      throw new CaptureApiError(0, `capture endpoint ${reason} (${this.base})`);
    }
    if (!health.ok)
      throw new CaptureApiError(
        health.status,
        `capture endpoint unhealthy: /healthz answered ${health.status} (${this.base})`,
      );
    // Authentication comes before routing: with a good key, GET on the create route is 405; without, 401.
    try {
      const res = await this.call('GET', '/api/runs', 'API key check');
      await res.body?.cancel();
    } catch (err) {
      if (err instanceof CaptureApiError && err.status === 405) return;
      if (err instanceof CaptureApiError && err.status === 401)
        throw new CaptureApiError(401, `capture endpoint refused the API key (${this.base})`);
      throw err;
    }
  }

  /** `GET /healthz`: true when the endpoint answers and its store works. Never throws. */
  async health(): Promise<boolean> {
    try {
      const res = await fetch(`${this.base}/healthz`, {
        signal: AbortSignal.timeout(Math.min(this.timeoutMs, 5000)),
        ...this.via,
      } as RequestInit);
      const body = (await res.json()) as { status?: unknown };
      return res.ok && body.status === 'ok';
    } catch {
      return false;
    }
  }
}

import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { TrackingClientError, errorFromConnection, errorFromResponse } from './trackingClientError';

export interface TransportOptions {
  /** `http://host:port` or `https://host[:port][/prefix]` of an MLflow-compatible tracking server. */
  trackingUri: string;
  /** Sent as `Authorization: Bearer <token>` (MLflow's `MLFLOW_TRACKING_TOKEN`). */
  token?: string;
  /** HTTP basic auth (MLflow's `MLFLOW_TRACKING_USERNAME` / `MLFLOW_TRACKING_PASSWORD`); the token wins when both are set. */
  username?: string;
  password?: string;
  userAgent?: string;
  /** Per attempt: a JSON request must be answered in full, a stream must not stall, within this (default 120 s, MLflow's). */
  timeoutMs?: number;
  /** Further attempts of an idempotent request after a connection error or 429/502/503/504 (default 4). */
  maxRetries?: number;
  /** First wait between attempts; doubles each time with ±25% jitter, capped at 8 s (default 250 ms). */
  retryBackoffMs?: number;
}

export type QueryValue = string | number | boolean | undefined | readonly (string | number)[];

export interface RequestOptions {
  /** Query-string fields; lists become repeated keys (`run_ids=a&run_ids=b`), as MLflow expects. */
  query?: Record<string, QueryValue>;
  /** A JSON body (sent with `Content-Type: application/json`). */
  json?: unknown;
  /** A raw body opened afresh for each attempt (artifact uploads). */
  upload?: { open: () => Readable; size: number; contentType?: string };
  headers?: Record<string, string>;
  /** May be sent again after a failure: GETs always; writes only when the server de-duplicates them. */
  idempotent?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A 2xx answer, read whole (`body`) or left open for streaming (`stream`). */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  stream?: IncomingMessage;
}

const RETRY_STATUSES = new Set([429, 502, 503, 504]);
const MAX_BACKOFF_MS = 8000;

class TimeoutError extends Error {
  readonly code = 'TRACKSIDE_TIMEOUT';
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
    stream.on('aborted', () => reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
  });
}

/**
 * HTTP for the tracking client: one keep-alive agent, bearer/basic auth, timeouts, MLflow error
 * mapping, and retries with backoff for idempotent requests only (never on a 4xx other than 429).
 */
export class HttpTransport {
  readonly baseUri: string;
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly options: Required<Pick<TransportOptions, 'timeoutMs' | 'maxRetries' | 'retryBackoffMs'>> & TransportOptions;

  constructor(options: TransportOptions) {
    let base: URL;
    try {
      base = new URL(options.trackingUri);
    } catch {
      throw new TrackingClientError(0, 'INVALID_PARAMETER_VALUE', `Invalid tracking URI '${options.trackingUri}': expected http://host:port.`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new TrackingClientError(
        0,
        'INVALID_PARAMETER_VALUE',
        `Tracking URI '${options.trackingUri}' is not an http(s) server: this client talks to tracking servers over HTTP.`,
      );
    }
    const username = options.username ?? (base.username ? decodeURIComponent(base.username) : undefined);
    const password = options.password ?? (base.password ? decodeURIComponent(base.password) : undefined);
    base.username = '';
    base.password = '';
    this.base = base;
    this.baseUri = base.toString().replace(/\/+$/, '');
    const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as TransportOptions;
    this.options = { timeoutMs: 120_000, maxRetries: 4, retryBackoffMs: 250, ...given, username, password };
    this.agent = base.protocol === 'https:' ? new https.Agent({ keepAlive: true, maxSockets: 8 }) : new http.Agent({ keepAlive: true, maxSockets: 8 });
  }

  /** Sends a request and parses its JSON answer (`{}` for an empty body). */
  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const answer = await this.request(method, path, options, false);
    const text = answer.body.toString('utf8');
    if (text.trim() === '') return {} as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new TrackingClientError(
        answer.status,
        'INVALID_RESPONSE',
        `The server at ${this.baseUri} answered ${method} ${path} with something that is not JSON: '${text.slice(0, 200)}'.`,
        `${method} ${path}`,
      );
    }
  }

  /**
   * Sends a request and returns its answer: the whole body, or (`stream: true`) the open response
   * of a 2xx so the caller can pipe it; it must be consumed or destroyed. Non-2xx answers throw.
   */
  request(method: string, path: string, options: RequestOptions = {}, stream = false): Promise<Answer> {
    return this.withRetries(method, path, options, () => this.once(method, path, options, stream));
  }

  /** Runs `attempt` again after retryable failures of an idempotent request, with backoff. */
  async withRetries<T>(method: string, path: string, options: RequestOptions, attempt: () => Promise<T>): Promise<T> {
    const idempotent = options.idempotent ?? method === 'GET';
    const endpoint = `${method} ${path}`;
    for (let tries = 0; ; tries++) {
      let retryAfterMs: number | undefined;
      try {
        return await attempt();
      } catch (e) {
        const error =
          e instanceof TrackingClientError ? e : errorFromConnection(e, endpoint, this.baseUri, options.timeoutMs ?? this.options.timeoutMs);
        const retryable = error.status === 0 ? error.errorCode === 'CONNECTION_ERROR' : RETRY_STATUSES.has(error.status);
        if (!idempotent || !retryable || tries >= this.options.maxRetries || options.signal?.aborted) throw error;
        retryAfterMs = (error as TrackingClientError & { retryAfterMs?: number }).retryAfterMs;
      }
      const backoff = Math.min(MAX_BACKOFF_MS, this.options.retryBackoffMs * 2 ** tries) * (0.75 + Math.random() * 0.5);
      await sleep(Math.min(MAX_BACKOFF_MS, Math.max(backoff, retryAfterMs ?? 0)), options.signal);
    }
  }

  /** The absolute URL of an API path below the tracking URI (which may carry a path prefix). */
  url(path: string, query?: Record<string, QueryValue>): URL {
    const url = new URL(this.base.toString());
    url.pathname = `${this.base.pathname.replace(/\/+$/, '')}${path}`;
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const item of value) url.searchParams.append(key, String(item));
      else url.searchParams.append(key, String(value));
    }
    return url;
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  private headers(options: RequestOptions): Record<string, string> {
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    if (this.options.userAgent) headers['User-Agent'] = this.options.userAgent;
    if (this.options.token) headers.Authorization = `Bearer ${this.options.token}`;
    else if (this.options.username !== undefined) {
      headers.Authorization = `Basic ${Buffer.from(`${this.options.username}:${this.options.password ?? ''}`).toString('base64')}`;
    }
    return headers;
  }

  private once(method: string, path: string, options: RequestOptions, stream: boolean): Promise<Answer> {
    const url = this.url(path, options.query);
    const headers = this.headers(options);
    let payload: Buffer | undefined;
    if (options.json !== undefined) {
      payload = Buffer.from(JSON.stringify(options.json));
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(payload.length);
    } else if (options.upload) {
      headers['Content-Type'] = options.upload.contentType ?? 'application/octet-stream';
      headers['Content-Length'] = String(options.upload.size);
    }
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    const endpoint = `${method} ${path}`;
    const client = url.protocol === 'https:' ? https : http;
    return new Promise<Answer>((resolve, reject) => {
      let settled = false;
      const finish = (error: unknown, answer?: Answer): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve(answer!);
      };
      const req = client.request(url, { method, headers, agent: this.agent });
      const timer = setTimeout(() => req.destroy(new TimeoutError(`timed out after ${timeoutMs} ms`)), timeoutMs);
      const onAbort = (): void => {
        req.destroy(Object.assign(new Error('aborted'), { name: 'AbortError', code: 'ABORT_ERR' }));
      };
      if (options.signal?.aborted) onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (e) => finish(e));
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        if (stream && status >= 200 && status < 300) {
          clearTimeout(timer);
          // From here on only a stall counts: no bytes for `timeoutMs`.
          res.setTimeout(timeoutMs, () => res.destroy(new TimeoutError(`no data for ${timeoutMs} ms`)));
          finish(undefined, { status, headers: res.headers, body: Buffer.alloc(0), stream: res });
          return;
        }
        readAll(res).then(
          (body) => {
            if (status >= 200 && status < 300) return finish(undefined, { status, headers: res.headers, body });
            const error = errorFromResponse(status, body, endpoint, this.baseUri);
            const retryAfter = Number(res.headers['retry-after']);
            if (Number.isFinite(retryAfter) && retryAfter >= 0) Object.assign(error, { retryAfterMs: retryAfter * 1000 });
            finish(error);
          },
          (e) => finish(e),
        );
      });
      if (payload) req.end(payload);
      else if (options.upload) {
        const source = options.upload.open();
        source.on('error', (e) => {
          req.destroy();
          finish(new TrackingClientError(0, 'INVALID_PARAMETER_VALUE', `Cannot read the file to upload: ${e.message}`, endpoint));
        });
        source.pipe(req);
      } else req.end();
    });
  }
}

import { HttpTransport } from './httpTransport';
import type { TrackingClient } from './trackingClient';
import { TrackingClientError } from './trackingClientError';

/** A result cell: a number, text or NULL (blobs arrive as `[blob N bytes]`). */
export type SqlValue = number | string | null;

/** What Trackside's `POST /api/2.0/trackside/sql` answers. */
export interface SqlAnswer {
  columns: string[];
  rows: SqlValue[][];
  /** More rows matched than `maxRows`. */
  truncated: boolean;
  elapsed_ms: number;
}

export interface SqlRequestOptions {
  /** Rows to return at most (server default 10,000, at most 100,000). */
  maxRows?: number;
  /** The query's time limit (server default 10 s, at most 120 s). */
  timeoutMs?: number;
}

/** How long past the query's own limit the client waits for the answer (copying, sending). */
const ANSWER_GRACE_MS = 30_000;

/**
 * Runs a read-only SQL query over Trackside's `system.ml.*` views (the `sql` extra). Sent once,
 * never retried. Rejects with NOT_IMPLEMENTED when the server is not a Trackside that offers it,
 * and with the server's error otherwise (INVALID_PARAMETER_VALUE for a refused or wrong query,
 * REQUEST_LIMIT_EXCEEDED when it ran out of time).
 */
export async function querySql(client: TrackingClient, query: string, options: SqlRequestOptions = {}): Promise<SqlAnswer> {
  if (!(await client.hasExtra('sql'))) {
    throw new TrackingClientError(
      0,
      'NOT_IMPLEMENTED',
      `The server at ${client.trackingUri} does not offer Trackside's SQL queries (it is plain MLflow or an older Trackside).`,
    );
  }
  const http = new HttpTransport({
    trackingUri: client.trackingUri,
    token: client.token,
    maxRetries: 0,
    timeoutMs: (options.timeoutMs ?? 10_000) + ANSWER_GRACE_MS,
    userAgent: 'trackside-client',
  });
  try {
    const answer = await http.json<Partial<SqlAnswer>>('POST', '/api/2.0/trackside/sql', {
      json: { query, max_rows: options.maxRows, timeout_ms: options.timeoutMs },
      idempotent: false,
    });
    return { columns: answer.columns ?? [], rows: answer.rows ?? [], truncated: answer.truncated === true, elapsed_ms: answer.elapsed_ms ?? 0 };
  } finally {
    http.close();
  }
}

/** Error codes the client itself uses when there is no MLflow error body to read. */
export type ClientErrorCode = 'CONNECTION_ERROR' | 'DEADLINE_EXCEEDED' | 'CANCELLED' | 'INVALID_RESPONSE';

/**
 * A failed request to a tracking server: the HTTP status (0 when no answer came), MLflow's
 * `error_code` (from the body, or derived from the status as MLflow's Python client does), and a
 * message a person can act on (the server's own message when it sent one).
 */
export class TrackingClientError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    /** `METHOD /path` of the request that failed. */
    readonly endpoint = '',
  ) {
    super(message);
    this.name = 'TrackingClientError';
  }

  /** True for MLflow's "not found" codes (a missing run, experiment, model or endpoint). */
  get isNotFound(): boolean {
    return this.errorCode === 'RESOURCE_DOES_NOT_EXIST' || this.errorCode === 'NOT_FOUND' || this.status === 404;
  }
}

/** MLflow's code for a status when the body carries none (`rest_utils.verify_rest_response`). */
function codeForStatus(status: number): string {
  if (status === 400) return 'BAD_REQUEST';
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'PERMISSION_DENIED';
  if (status === 404) return 'ENDPOINT_NOT_FOUND';
  if (status === 409) return 'RESOURCE_CONFLICT';
  if (status === 429) return 'REQUEST_LIMIT_EXCEEDED';
  if (status === 501) return 'NOT_IMPLEMENTED';
  if (status === 503) return 'TEMPORARILY_UNAVAILABLE';
  if (status === 504) return 'DEADLINE_EXCEEDED';
  return 'INTERNAL_ERROR';
}

const TOKEN_HINT =
  'Set MLFLOW_TRACKING_TOKEN to the server\'s token (a Trackside store keeps it in <store>/token; `trackside server` prints where).';

/** The error for a non-2xx answer: MLflow's JSON error body when there is one, else the raw text. */
export function errorFromResponse(status: number, body: Buffer, endpoint: string, baseUri: string): TrackingClientError {
  const text = body.toString('utf8');
  let errorCode: string | undefined;
  let message: string | undefined;
  try {
    const parsed = JSON.parse(text) as { error_code?: unknown; message?: unknown };
    if (parsed && typeof parsed === 'object') {
      if (typeof parsed.error_code === 'string') errorCode = parsed.error_code;
      if (typeof parsed.message === 'string') message = parsed.message;
    }
  } catch {
    /* not JSON: report the text below */
  }
  errorCode ??= codeForStatus(status);
  if (message === undefined) {
    const excerpt = text.length > 500 ? `${text.slice(0, 500)}…` : text;
    message = `API request to ${endpoint} failed with error code ${status} != 200. Response body: '${excerpt.trim()}'`;
  }
  if (status === 401) message = `${message} (server ${baseUri}). ${TOKEN_HINT}`;
  return new TrackingClientError(status, errorCode, message, endpoint);
}

/** The error for a request that got no HTTP answer: refused, unresolvable, reset, timed out. */
export function errorFromConnection(error: unknown, endpoint: string, baseUri: string, timeoutMs: number): TrackingClientError {
  const code = (error as NodeJS.ErrnoException)?.code ?? '';
  const detail = (error as Error)?.message ?? String(error);
  if (error instanceof TrackingClientError) return error;
  if (code === 'TRACKSIDE_TIMEOUT') {
    return new TrackingClientError(
      0,
      'DEADLINE_EXCEEDED',
      `No answer from the tracking server at ${baseUri} within ${Math.round(timeoutMs / 100) / 10} s (${endpoint}).`,
      endpoint,
    );
  }
  if (code === 'ABORT_ERR' || (error as Error)?.name === 'AbortError') {
    return new TrackingClientError(0, 'CANCELLED', `The request ${endpoint} to ${baseUri} was cancelled.`, endpoint);
  }
  let what: string;
  if (code === 'ECONNREFUSED') what = 'connection refused. Is the server running there? Check --tracking-uri or MLFLOW_TRACKING_URI';
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') what = `the host name could not be resolved (${code})`;
  else if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(detail)) what = `the connection was closed before an answer (${code || detail})`;
  else what = detail;
  return new TrackingClientError(0, 'CONNECTION_ERROR', `Cannot reach the tracking server at ${baseUri}: ${what}.`, endpoint);
}

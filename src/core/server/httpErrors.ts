import { TrackingError, type ErrorCode } from '../store/trackingError';

/** MLflow's ERROR_CODE_TO_HTTP_STATUS (mlflow/exceptions.py); anything else is a 500. */
const STATUS: Record<string, number> = {
  INVALID_PARAMETER_VALUE: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  BAD_REQUEST: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  CUSTOMER_UNAUTHORIZED: 401,
  PERMISSION_DENIED: 403,
  ABORTED: 409,
  RESOURCE_CONFLICT: 409,
  ALREADY_EXISTS: 409,
  REQUEST_LIMIT_EXCEEDED: 429,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  INTERNAL_ERROR: 500,
  INVALID_STATE: 500,
  DATA_LOSS: 500,
  NOT_IMPLEMENTED: 501,
  TEMPORARILY_UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
};

export function httpStatusFor(code: string): number {
  return STATUS[code] ?? 500;
}

/** An error the server answers with a specific status (e.g. 413), keeping MLflow's body shape. */
export class HttpError extends TrackingError {
  constructor(readonly status: number, code: ErrorCode, message: string) {
    super(code, message);
  }
}

export interface ErrorBody {
  error_code: string;
  message: string;
}

/** The status and MLflow error body for anything a handler threw. */
export function errorResponse(e: unknown): { status: number; body: ErrorBody; internal: boolean } {
  if (e instanceof HttpError) return { status: e.status, body: { error_code: e.code, message: e.message }, internal: false };
  if (e instanceof TrackingError) return { status: httpStatusFor(e.code), body: { error_code: e.code, message: e.message }, internal: false };
  return {
    status: 500,
    body: { error_code: 'INTERNAL_ERROR', message: `Trackside hit an unexpected error: ${(e as Error)?.message ?? String(e)}` },
    internal: true,
  };
}

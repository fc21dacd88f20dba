/** MLflow's error codes that Trackside raises; the server maps each to an HTTP status once. */
export type ErrorCode =
  | 'INVALID_PARAMETER_VALUE'
  | 'BAD_REQUEST'
  | 'RESOURCE_ALREADY_EXISTS'
  | 'RESOURCE_DOES_NOT_EXIST'
  | 'ENDPOINT_NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'INVALID_STATE'
  | 'RESOURCE_CONFLICT'
  | 'REQUEST_LIMIT_EXCEEDED'
  | 'TEMPORARILY_UNAVAILABLE'
  | 'DATA_LOSS'
  | 'NOT_IMPLEMENTED'
  | 'INTERNAL_ERROR';

/** A domain error with MLflow's error code: the store throws it, the server maps it to HTTP. */
export class TrackingError extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
    this.name = 'TrackingError';
  }
}

export function invalidParameter(message: string): TrackingError {
  return new TrackingError('INVALID_PARAMETER_VALUE', message);
}

export function notFound(message: string): TrackingError {
  return new TrackingError('RESOURCE_DOES_NOT_EXIST', message);
}

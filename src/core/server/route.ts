import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ArtifactStore } from '../store/artifactStore';
import type { StoreBackend } from '../store/storeBackend';
import type { ChangeStream } from './changeStream';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

/** Everything a handler may use for one request. */
export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The JSON body (POST/PATCH/DELETE) or the query fields (GET) as an object. */
  body: Record<string, unknown>;
  /** Size of the raw request body in bytes. */
  bodyBytes: number;
  /** For wildcard routes (`artifacts/*`): the decoded rest of the path. */
  pathRest: string;
  backend: StoreBackend;
  artifacts: ArtifactStore;
  events: ChangeStream;
}

/** Marks a handler that wrote the response itself (a stream, an SSE connection). */
export const RESPONDED = Symbol('responded');

export interface Route {
  method: HttpMethod;
  /** Path below the route group's prefix; a trailing `/*` matches any rest. */
  path: string;
  handler: (ctx: RouteContext) => unknown;
  /** Acknowledge only once the change is durable (the journal's fdatasync covers it). */
  write?: boolean;
  /** GET fields that are lists even when given once. */
  arrays?: readonly string[];
  /** The handler reads the request itself (uploads): the body is not parsed. */
  rawBody?: boolean;
}

/** A group of routes served under each of its prefixes (MLflow serves /api and /ajax-api alike). */
export interface RouteGroup {
  prefixes: readonly string[];
  routes: readonly Route[];
  /** Needs the bearer token (everything but /health and /version). */
  authenticated: boolean;
}

/** Drops top-level fields that protobuf's JSON would omit: undefined, empty lists. */
export function message<T extends Record<string, unknown>>(fields: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    out[key] = value;
  }
  return out as Partial<T>;
}

import type { IncomingMessage } from 'node:http';
import { HttpError } from './httpErrors';

/** Default cap on JSON request bodies (MLflow's batch limit is 1 MB; searches and registry calls are small). */
export const MAX_JSON_BODY_BYTES = 16 * 1024 * 1024;

/**
 * A GET request's fields as an object: `a=1&a=2` and `a[]=1`/`a[0]=1` become arrays, single
 * values stay strings, and the names in `arrays` are always arrays.
 */
export function queryObject(search: URLSearchParams, arrays: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawKey, value] of search) {
    const bracket = /^(.*?)\[\d*\]$/.exec(rawKey);
    const key = bracket ? bracket[1] : rawKey;
    const existing = out[key];
    if (existing === undefined) out[key] = bracket || arrays.includes(key) ? [value] : value;
    else if (Array.isArray(existing)) existing.push(value);
    else out[key] = [existing, value];
  }
  for (const key of arrays) if (typeof out[key] === 'string') out[key] = [out[key]];
  return out;
}

/** Reads a whole request body up to `limit` bytes; 413 with an MLflow error body beyond it. */
export function readBody(req: IncomingMessage, limit = MAX_JSON_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? -1);
  if (declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(declared, limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(tooLarge(size, limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!failed) reject(e);
    });
  });
}

function tooLarge(size: number, limit: number): HttpError {
  return new HttpError(413, 'INVALID_PARAMETER_VALUE', `Request body of ${size} bytes exceeds the limit of ${limit} bytes.`);
}

/** True for `application/json` with or without parameters such as charset. */
export function isJsonContentType(header: string | undefined): boolean {
  return !!header && header.split(';')[0].trim().toLowerCase() === 'application/json';
}

/** Parses a JSON body into an object; a body that is not a JSON object is a 400. Empty means `{}`. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new HttpError(400, 'INVALID_PARAMETER_VALUE', `Malformed JSON in the request body: ${(e as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError(400, 'INVALID_PARAMETER_VALUE', 'The request body must be a JSON object.');
  }
  if (nestingDepth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new HttpError(400, 'INVALID_PARAMETER_VALUE', `The request body is nested more than ${MAX_JSON_DEPTH} levels deep.`);
  }
  return value as Record<string, unknown>;
}

/** protobuf's JSON parser (MLflow's) stops at 100 levels; deeper input overflowed the stack in handlers. */
export const MAX_JSON_DEPTH = 100;

/** How deeply objects and arrays nest in `value`, counted without recursion and up to `limit + 1`. */
function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

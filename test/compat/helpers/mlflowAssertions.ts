import assert from 'node:assert/strict';
import type { ApiResponse } from './serverFixture';

/** A 200 with a JSON body (`Content-Type: application/json`): returns the body. */
export function ok(res: ApiResponse): any {
  assert.equal(res.status, 200, `expected 200, got ${res.status}: ${res.text.slice(0, 500)}`);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  assert.notEqual(res.json, undefined, `the body is not JSON: ${res.text.slice(0, 200)}`);
  return res.json;
}

/** An MLflow error: the status, `{"error_code", "message"}` as JSON, and the message when given. */
export function assertError(res: ApiResponse, status: number, code: string, message?: RegExp | string): void {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text.slice(0, 500)}`);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  assert.equal(res.json?.error_code, code, res.text.slice(0, 500));
  assert.equal(typeof res.json?.message, 'string');
  if (typeof message === 'string') assert.equal(res.json.message, message);
  else if (message) assert.match(res.json.message, message);
}

/** MLflow's message for a missing required field (its handler schemas add a pointer to the docs). */
export function missing(field: string): RegExp {
  return new RegExp(`^Missing value for required parameter '${field}'`);
}

import { invalidParameter } from '../store/trackingError';
import { pythonBytes, pythonJson } from './pythonRepr';

/**
 * MLflow's page tokens: base64 of the JSON `{"offset": N}` (Python's `json.dumps` spacing), so a
 * token from Trackside reads the same as one from MLflow and clients may treat it as opaque.
 */

export function encodePageToken(offset: number): string {
  return Buffer.from(`{"offset": ${offset}}`, 'utf8').toString('base64');
}

/** The offset a token encodes; 0 without a token. Garbage gets MLflow's messages (INVALID_PARAMETER_VALUE). */
export function decodePageToken(token?: string): number {
  if (!token) return 0;
  const bytes = decodeBase64(token);
  if (!bytes) throw invalidParameter('Invalid page token, could not base64-decode');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw invalidParameter(`Invalid page token, decoded value=${pythonBytes(bytes)}`);
  }
  const offsetValue = isRecord(parsed) ? parsed.offset : undefined;
  if (!offsetValue) throw invalidParameter(`Invalid page token, parsed value=${pythonJson(parsed)}`);
  const offset = toInteger(offsetValue);
  if (offset === undefined) throw invalidParameter(`Invalid page token, not stringable ${pythonJson(offsetValue)}`);
  // MLflow would pass a negative offset on to SQL; Trackside refuses it.
  if (offset < 0 || !Number.isSafeInteger(offset)) throw invalidParameter(`Invalid page token, parsed value=${pythonJson(parsed)}`);
  return offset;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Python's `int(x)` for what JSON can hold: truncates floats, parses integer strings, refuses the rest. */
function toInteger(value: unknown): number | undefined {
  if (value === true) return 1;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (typeof value === 'string' && /^\s*[-+]?\d+(?:_\d+)*\s*$/.test(value)) return Number(value.trim().replace(/_/g, ''));
  return undefined;
}

/**
 * Python's lenient `base64.b64decode`: characters outside the alphabet are dropped, and what is
 * left must be whole 4-character groups with correct padding. Node's decoder never fails, so the
 * check is ours.
 */
function decodeBase64(token: string): Uint8Array | undefined {
  const cleaned = token.replace(/[^A-Za-z0-9+/=]/g, '');
  const firstPad = cleaned.indexOf('=');
  const data = firstPad < 0 ? cleaned : cleaned.slice(0, firstPad);
  const remainder = data.length % 4;
  if (remainder === 1) return undefined;
  if (remainder !== 0) {
    const padding = cleaned.slice(firstPad < 0 ? cleaned.length : firstPad);
    if (padding.length < 4 - remainder) return undefined;
  }
  return new Uint8Array(Buffer.from(data, 'base64'));
}

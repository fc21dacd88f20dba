import type { KeyValue } from '../../shared/entities';
import type { TrackingMutation } from './mutations';
import { invalidParameter } from './trackingError';
import {
  LIMITS,
  optionalInt64,
  parseDouble,
  requireString,
  truncateValue,
  validateBatchLimits,
  validateKey,
  validateLength,
  valueString,
} from './validation';

/**
 * Request shapes as they arrive on the wire (MLflow REST JSON). Every field is checked at run time:
 * the server passes parsed JSON straight in, so nothing here trusts its static type.
 */
export interface MetricInput {
  key?: unknown;
  value?: unknown;
  timestamp?: unknown;
  step?: unknown;
}
export interface KeyValueInput {
  key?: unknown;
  value?: unknown;
}

/** The run id of a request that may carry `run_id`, the deprecated `run_uuid`, or both. */
export function runIdOf(req: { run_id?: unknown; run_uuid?: unknown }): string {
  const id = req.run_id ?? req.run_uuid;
  return requireString(id === '' ? req.run_uuid : id, 'run_id');
}

/** A metric in MLflow's rules; ±Infinity clamps to ±max double, NaN is null in the journal. */
export function validateMetric(input: MetricInput): [string, number | null, number, number] {
  requireEntry(input, 'metrics');
  const key = validateKey('metric', input.key, 'Metric name');
  const value = typeof input.value === 'boolean' ? undefined : parseDouble(input.value);
  const timestampRaw = input.timestamp;
  if (value === undefined) {
    throw invalidParameter(
      `Got invalid value ${String(input.value)} for metric '${key}' (timestamp=${String(timestampRaw)}). ` +
        'Please specify value as a valid double (64-bit floating point)',
    );
  }
  if (timestampRaw === undefined || timestampRaw === null) {
    throw invalidParameter(`Missing value for required parameter 'timestamp'.`);
  }
  const timestamp = parseDouble(timestampRaw);
  if (timestamp === undefined || !Number.isFinite(timestamp) || timestamp < 0 || timestamp > Number.MAX_SAFE_INTEGER || typeof timestampRaw === 'boolean') {
    throw invalidParameter(
      `Got invalid timestamp ${String(timestampRaw)} for metric '${key}' (value=${String(input.value)}). ` +
        'Timestamp must be a nonnegative long (64-bit integer) ',
    );
  }
  let step = 0;
  if (input.step !== undefined && input.step !== null) {
    const parsed = typeof input.step === 'boolean' ? undefined : parseDouble(input.step);
    // Beyond 2^53 a JSON number is no longer exact, and the packed history format (zigzag varints)
    // looped forever on steps such as 1e308: refuse them as MLflow refuses steps outside int64.
    if (parsed === undefined || !Number.isSafeInteger(parsed)) {
      throw invalidParameter(
        `Got invalid step ${String(input.step)} for metric '${key}' (value=${String(input.value)}). ` +
          'Step must be a valid long (64-bit integer).',
      );
    }
    step = parsed;
  }
  const clamped = value === Infinity ? Number.MAX_VALUE : value === -Infinity ? -Number.MAX_VALUE : value;
  return [key, Number.isNaN(clamped) ? null : clamped, Math.trunc(timestamp), step];
}

export function validateParam(input: KeyValueInput): KeyValue {
  requireEntry(input, 'params');
  const key = validateKey('parameter', input.key, 'Param key');
  return { key, value: truncateValue(valueString(input.value, 'value'), LIMITS.paramValue) };
}

export function validateRunTag(input: KeyValueInput): KeyValue {
  requireEntry(input, 'tags');
  const key = validateKey('tag', input.key, 'Tag key');
  return { key, value: truncateValue(valueString(input.value, 'value'), LIMITS.tagValue) };
}

export function validateExperimentTag(input: KeyValueInput): KeyValue {
  requireEntry(input, 'tags');
  const key = validateKey('tag', input.key, 'Tag key');
  validateLength('Tag key', LIMITS.experimentTagKey, key);
  const value = valueString(input.value, 'value');
  validateLength('Tag value', LIMITS.experimentTagValue, value);
  return { key, value };
}

/** An entry of a repeated message field (a metric, param or tag) must be a JSON object, not null or a scalar. */
function requireEntry(input: unknown, field: string): void {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw invalidParameter(`Invalid value ${JSON.stringify(input)?.slice(0, 100)} in parameter '${field}' supplied: each entry must be an object.`);
  }
}

/** A repeated field: absent means empty; anything but a list is a 400. */
export function listOf<T>(value: unknown, field: string): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidParameter(`Invalid value for parameter '${field}': expected a list.`);
  return value as T[];
}

/** A repeated string field (`order_by`): one string stands for a list of one; other entries are a 400. */
export function stringList(value: unknown, field: string): string[] {
  const list = listOf<unknown>(typeof value === 'string' ? [value] : value, field);
  for (const item of list) {
    if (typeof item !== 'string') {
      throw invalidParameter(`Invalid value ${JSON.stringify(item)?.slice(0, 100)} in parameter '${field}' supplied: must be a list of strings.`);
    }
  }
  return list as string[];
}

/** Validates a log-batch body into a journal-ready mutation (limits, keys, duplicate params). */
export function validateBatch(
  runId: string,
  req: { metrics?: unknown; params?: unknown; tags?: unknown },
): Extract<TrackingMutation, { t: 'logBatch' }> {
  const metrics = listOf<MetricInput>(req.metrics, 'metrics');
  const params = listOf<KeyValueInput>(req.params, 'params');
  const tags = listOf<KeyValueInput>(req.tags, 'tags');
  validateBatchLimits(metrics.length, params.length, tags.length);
  const validParams = params.map(validateParam);
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const p of validParams) {
    if (seen.has(p.key)) duplicates.push(p.key);
    seen.add(p.key);
  }
  if (duplicates.length > 0) {
    throw invalidParameter(
      `Duplicate parameter keys have been submitted: [${duplicates.map((d) => `'${d}'`).join(', ')}]. ` +
        'Please ensure the request contains only one param value per param key.',
    );
  }
  return {
    t: 'logBatch',
    runId,
    metrics: metrics.map(validateMetric),
    params: validParams,
    tags: tags.map(validateRunTag),
  };
}

export function optionalTime(value: unknown, field: string): number | undefined {
  const n = optionalInt64(value, field);
  if (n !== undefined && n < 0) throw invalidParameter(`Invalid value ${n} for parameter '${field}' supplied.`);
  return n;
}

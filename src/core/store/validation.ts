import type { ViewType } from '../../shared/entities';
import { invalidParameter } from './trackingError';

/** MLflow's limits (mlflow/utils/validation.py, 2.12.2). */
export const LIMITS = {
  metricsPerBatch: 1000,
  paramsPerBatch: 100,
  tagsPerBatch: 100,
  entitiesPerBatch: 1000,
  batchRequestBytes: 1_000_000,
  paramValue: 6000,
  tagValue: 5000,
  experimentName: 500,
  experimentTagKey: 250,
  experimentTagValue: 5000,
  entityKey: 250,
  registryTagKey: 250,
  registryTagValue: 5000,
  datasetName: 500,
  datasetDigest: 36,
  datasetSchema: 1048575,
  datasetSource: 65535,
  datasetProfile: 16777215,
  inputTagKey: 255,
  inputTagValue: 500,
  aliasName: 255,
  searchRunsMaxResults: 50000,
  searchRunsDefault: 1000,
  historyMaxResults: 25000,
  experimentsMaxResults: 50000,
} as const;

/** Python's `\w` in a str pattern: Unicode letters, digits and underscore. */
const VALID_KEY = /^[/\p{L}\p{N}\p{Mn}\p{Mc}_.\- ]*$/u;
const RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;
const EXPERIMENT_ID = /^[a-zA-Z0-9][\w-]{0,63}$/;
const BAD_CHARACTERS =
  'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).';

/** Python's `posixpath.normpath`. */
export function posixNormpath(p: string): string {
  if (p === '') return '.';
  const leading = p.startsWith('/') ? (p.startsWith('//') && !p.startsWith('///') ? 2 : 1) : 0;
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..' || (!leading && out.length === 0) || (out.length > 0 && out[out.length - 1] === '..')) out.push(part);
    else if (out.length > 0) out.pop();
  }
  const joined = '/'.repeat(leading) + out.join('/');
  return joined || '.';
}

function pathNotUnique(name: string): boolean {
  const norm = posixNormpath(name);
  return norm !== name || norm === '.' || norm.startsWith('..') || norm.startsWith('/');
}

export type KeyKind = 'metric' | 'parameter' | 'tag';

/** A metric, param or tag key: MLflow's character set, path-unique, at most 250 characters. */
export function validateKey(kind: KeyKind, name: unknown, lengthLabel: string): string {
  const label = kind === 'metric' ? 'Metric' : kind === 'parameter' ? 'Parameter' : 'Tag';
  if (name === undefined || name === null) {
    throw invalidParameter(`${label} name cannot be None. A key name must be provided.`);
  }
  if (typeof name !== 'string') throw invalidParameter(`Invalid ${kind} name: '${String(name)}'. ${BAD_CHARACTERS}`);
  if (!VALID_KEY.test(name)) throw invalidParameter(`Invalid ${kind} name: '${name}'. ${BAD_CHARACTERS}`);
  if (pathNotUnique(name)) {
    throw invalidParameter(
      `Invalid ${kind} name: '${name}'. Names may be treated as files in certain cases, and must not resolve ` +
        `to other names when treated as such. This name would resolve to '${posixNormpath(name)}'`,
    );
  }
  return validateLength(lengthLabel, LIMITS.entityKey, name);
}

/** Rejects a value over `limit` characters with MLflow's message. */
export function validateLength(label: string, limit: number, value: string): string {
  if (value.length <= limit) return value;
  throw invalidParameter(
    `${label} '${value.slice(0, 250)}' had length ${value.length}, which exceeded length limit of ${limit}`,
  );
}

/** Param and run-tag values longer than the limit are truncated, as MLflow 2.12 does by default. */
export function truncateValue(value: string, limit: number): string {
  return value.length <= limit ? value : value.slice(0, limit);
}

/** A string field that must be present (MLflow's handler schema message). */
export function requireString(value: unknown, field: string): string {
  if (value === undefined || value === null || value === '') {
    throw invalidParameter(`Missing value for required parameter '${field}'.`);
  }
  if (typeof value !== 'string') {
    throw invalidParameter(`Invalid value ${JSON.stringify(value)} for parameter '${field}' supplied: must be a string.`);
  }
  return value;
}

/** A required field that is absent: MLflow's handler-schema message (its type and value are checked after). */
export function requirePresent(value: unknown, field: string): void {
  if (value === undefined || value === null) throw invalidParameter(`Missing value for required parameter '${field}'.`);
}

/** A string field that may be missing (undefined) but not of another type. */
export function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw invalidParameter(`Invalid value ${JSON.stringify(value)} for parameter '${field}' supplied: must be a string.`);
  }
  return value;
}

/** Tag and param values: strings; MLflow's clients also send numbers, which it stringifies. */
export function valueString(value: unknown, field: string): string {
  if (value === undefined || value === null) throw invalidParameter(`Missing value for required parameter '${field}'.`);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw invalidParameter(`Invalid value ${JSON.stringify(value)} for parameter '${field}' supplied: must be a string.`);
}

/** An int64 field sent as a JSON number or a numeric string; undefined when absent. */
export function optionalInt64(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
    throw invalidParameter(`Invalid value ${JSON.stringify(value)} for parameter '${field}' supplied: must be an integer.`);
  }
  return n;
}

/** A double sent as a number, a numeric string, or protobuf JSON's "NaN"/"Infinity"/"-Infinity". */
export function parseDouble(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === 'NaN' || text === 'nan') return NaN;
  if (text === 'Infinity' || text === 'inf') return Infinity;
  if (text === '-Infinity' || text === '-inf') return -Infinity;
  if (text === '' || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

export function validateRunId(runId: unknown): string {
  if (typeof runId !== 'string' || !RUN_ID.test(runId)) {
    throw invalidParameter(`Invalid run ID: '${String(runId)}'`);
  }
  return runId;
}

export function validateExperimentId(experimentId: unknown): string {
  const id = typeof experimentId === 'number' ? String(experimentId) : experimentId;
  if (typeof id !== 'string' || !EXPERIMENT_ID.test(id)) {
    throw invalidParameter(`Invalid experiment ID: '${String(experimentId)}'`);
  }
  return id;
}

export function validateExperimentName(name: unknown): string {
  if (name === undefined || name === null || name === '') {
    throw invalidParameter(`Invalid experiment name: '${name ?? 'None'}'`);
  }
  if (typeof name !== 'string') throw invalidParameter(`Invalid experiment name: ${JSON.stringify(name)}. Expects a string.`);
  if (name.length > LIMITS.experimentName) {
    throw invalidParameter(`Experiment name exceeds the maximum length of ${LIMITS.experimentName} characters`);
  }
  return name;
}

/** Rejects a batch over MLflow's per-kind and total limits, with its message. */
export function validateBatchLimits(metrics: number, params: number, tags: number): void {
  const check = (entity: string, limit: number, length: number): void => {
    if (length > limit) {
      throw invalidParameter(
        `A batch logging request can contain at most ${limit} ${entity}. Got ${length} ${entity}. ` +
          `Please split up ${entity} across multiple requests and try again.`,
      );
    }
  };
  check('metrics', LIMITS.metricsPerBatch, metrics);
  check('params', LIMITS.paramsPerBatch, params);
  check('tags', LIMITS.tagsPerBatch, tags);
  check('metrics, params, and tags', LIMITS.entitiesPerBatch, metrics + params + tags);
}

/** A `max_results` request field: default when absent, 400 above the maximum or below 1. */
export function validateMaxResults(value: unknown, defaultValue: number, maximum: number): number {
  const n = optionalInt64(value, 'max_results');
  if (n === undefined) return defaultValue;
  if (n < 1 || n > maximum) {
    throw invalidParameter(
      `Invalid value ${n} for parameter 'max_results' supplied. It must be at most ${maximum}, but got value ${n}`,
    );
  }
  return n;
}

const VIEW_TYPES: Record<string, ViewType> = {
  ACTIVE_ONLY: 'ACTIVE_ONLY', DELETED_ONLY: 'DELETED_ONLY', ALL: 'ALL', '1': 'ACTIVE_ONLY', '2': 'DELETED_ONLY', '3': 'ALL',
};

/** MLflow's ViewType from its name or enum number; ACTIVE_ONLY when absent. */
export function parseViewType(value: unknown): ViewType {
  if (value === undefined || value === null || value === '') return 'ACTIVE_ONLY';
  const viewType = VIEW_TYPES[String(value).toUpperCase()];
  if (!viewType) throw invalidParameter(`Invalid value '${String(value)}' for view_type: expected ACTIVE_ONLY, DELETED_ONLY or ALL.`);
  return viewType;
}


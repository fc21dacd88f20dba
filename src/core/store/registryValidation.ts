import { MODEL_VERSION_STAGES, type KeyValue, type ModelVersionStage } from '../../shared/entities';
import type { KeyValueInput } from './trackingRequests';
import { invalidParameter } from './trackingError';
import { LIMITS, requireString, validateKey, validateLength, valueString } from './validation';

/**
 * The registry's request rules, with MLflow's messages (mlflow/utils/validation.py and the REST
 * handlers, 2.12): model names, versions, aliases, stages, tags and flags.
 */

/** One part of a three-level `catalog.schema.model` name: letters, digits, underscores, dashes. */
const CATALOG_PART = /^[\p{L}\p{N}_-]+$/u;
/** Python's `^[\w\-]*$` (str pattern: Unicode word characters). */
const ALIAS = /^[\p{L}\p{N}\p{Mn}\p{Mc}_-]*$/u;
const VERSION_ALIAS = /^[vV]\p{Nd}+$/u;
const INTEGER = /^\s*[+-]?\d+\s*$/;
export const ACTIVE_STAGES: readonly ModelVersionStage[] = ['Staging', 'Production'];

/**
 * A registered model name. Plain names are MLflow's (anything non-empty, but no `/`, which would
 * make `models:/` URIs ambiguous — MLflow's file store refuses it too). A name with two or more dots
 * is read as a Unity Catalog-style `catalog.schema.model`: exactly three non-empty parts of letters,
 * digits, underscores and dashes. No name may have an empty dot-separated part.
 */
export function validateModelName(value: unknown, field = 'name'): string {
  const name = requireString(value, field);
  if (name.includes('/')) {
    throw invalidParameter(`Invalid name: '${name}'. Registered model name cannot contain path separator`);
  }
  if (!name.includes('.')) return name;
  const parts = name.split('.');
  const problem = (text: string): Error =>
    invalidParameter(
      `Invalid registered model name '${name}': ${text}. A name with dots is read as a Unity Catalog name, ` +
        'catalog.schema.model: three non-empty parts of letters, digits, underscores (_) and dashes (-).',
    );
  const empty = parts.findIndex((part) => part === '');
  if (empty >= 0) throw problem(`part ${empty + 1} of ${parts.length} is empty`);
  if (parts.length === 2) return name; // one dot: a plain MLflow name such as "churn-2.1"
  if (parts.length !== 3) throw problem(`it has ${parts.length} dot-separated parts, not 3`);
  const bad = parts.find((part) => !CATALOG_PART.test(part));
  if (bad !== undefined) throw problem(`'${bad}' is not a valid ${['catalog', 'schema', 'model'][parts.indexOf(bad)]} name`);
  return name;
}

/** A model version number: an integer or a string holding one (MLflow's `int(version)`). */
export function parseModelVersion(value: unknown, field = 'version'): number {
  if (value === undefined || value === null || value === '') throw invalidParameter(`Missing value for required parameter '${field}'.`);
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !INTEGER.test(text) || !Number.isSafeInteger(Number(text))) {
    throw invalidParameter(`Model version must be an integer, got '${typeof value === 'string' ? value : JSON.stringify(value)}'`);
  }
  return Number(text);
}

/** MLflow's `_validate_model_alias_name`: `^[\w\-]*$`, at most 255, not `latest`, not `v<digits>`. */
export function validateAlias(value: unknown): string {
  const alias = requireString(value, 'alias');
  if (!ALIAS.test(alias)) {
    throw invalidParameter(`Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`);
  }
  validateLength('Registered model alias name', LIMITS.aliasName, alias);
  if (alias.toLowerCase() === 'latest') throw invalidParameter(`'latest' alias name (case insensitive) is reserved.`);
  if (VERSION_ALIAS.test(alias)) throw invalidParameter(`Version alias name '${alias}' is reserved.`);
  return alias;
}

/** MLflow's `get_canonical_stage`: any capitalisation of None, Staging, Production, Archived. */
export function canonicalStage(value: unknown, field = 'stage'): ModelVersionStage {
  const stage = requireString(value, field);
  const found = MODEL_VERSION_STAGES.find((s) => s.toLowerCase() === stage.toLowerCase());
  if (!found) {
    throw invalidParameter(`Invalid Model Version stage: ${stage}. Value must be one of ${MODEL_VERSION_STAGES.join(', ')}.`);
  }
  return found;
}

/** A registered-model tag: MLflow's tag-name rules, key ≤250, value ≤5000. */
export function validateRegisteredModelTag(input: KeyValueInput): KeyValue {
  const key = validateKey('tag', input?.key, 'Registered model key');
  const value = valueString(input?.value, 'value');
  validateLength('Registered model value', LIMITS.registryTagValue, value);
  return { key, value };
}

/** A model-version tag: MLflow's tag-name rules, key ≤250, value ≤5000. */
export function validateModelVersionTag(input: KeyValueInput): KeyValue {
  const key = validateKey('tag', input?.key, 'Model version key');
  if (input?.value === undefined || input.value === null) throw invalidParameter('Tag value cannot be None');
  const value = valueString(input.value, 'value');
  validateLength('Model version value', LIMITS.registryTagValue, value);
  return { key, value };
}

/** A tag key to delete: present and a valid tag name. */
export function validateTagKey(value: unknown): string {
  requireString(value, 'key');
  return validateKey('tag', value, 'Tag key');
}

/** A boolean flag sent as JSON true/false or the strings "true"/"false"; false when absent. */
export function parseFlag(value: unknown, field: string): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw invalidParameter(`Invalid value ${JSON.stringify(value)} for parameter '${field}' supplied: must be a boolean.`);
}

/** A point in time: milliseconds since the epoch (number or digits) or an ISO 8601 date. */
export function parseTime(value: unknown, field = 'time'): number {
  if (value === undefined || value === null || value === '') throw invalidParameter(`Missing value for required parameter '${field}'.`);
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string') {
    if (/^\s*\d+\s*$/.test(value)) return Number(value);
    const parsed = Date.parse(value);
    if (!Number.isNaN(parsed)) return parsed;
  }
  throw invalidParameter(
    `Invalid value ${JSON.stringify(value)} for parameter '${field}' supplied: expected milliseconds since the epoch or an ISO 8601 date.`,
  );
}

/**
 * MLflow's check that a source holds no relative path segments (`..`, `.`) or NUL, even
 * percent-encoded: they could reach files outside the place the source names.
 */
export function assertNoRelativePaths(source: string): void {
  let decoded = source;
  for (let i = 0; i < 10; i++) {
    let next: string;
    try {
      next = decodeURIComponent(decoded.replace(/\+/g, ' '));
    } catch {
      break;
    }
    if (next === decoded) break;
    decoded = next;
  }
  const afterScheme = decoded.replace(/^[a-zA-Z][\w+.-]*:/, '');
  if (decoded.includes('\0') || afterScheme.split(/[\\/]/).some((part) => part === '..' || part === '.')) {
    throw invalidParameter(
      `Invalid model version source: '${source}'. If supplying a source as an http, https, local file path, ftp, ` +
        'objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references ' +
        'present. Please provide an absolute path.',
    );
  }
}

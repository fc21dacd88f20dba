import { invalidParameter, TrackingError } from '../store/trackingError';
import { mapFilterTree, parseFilter, type FilterComparison, type FilterTree } from './filterParser';
import {
  isNumericComparator,
  isStringComparator,
  NUMERIC_COMPARATORS,
  numberValue,
  STRING_COMPARATORS,
  stringComparison,
  stringValue,
  type NumericComparison,
  type StringComparison,
} from './filterValues';
import { pythonList, pythonSet } from './pythonRepr';

/** What a run filter or order_by key names, after MLflow's entity aliases are resolved. */
export type RunEntity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';
export type RunStringAttribute = 'run_id' | 'run_name' | 'status' | 'user_id' | 'artifact_uri';
export type RunNumericAttribute = 'start_time' | 'end_time';
export type RunDatasetKey = 'name' | 'digest' | 'context';

export type RunCondition =
  | ({ entity: 'metric'; key: string } & NumericComparison)
  | ({ entity: 'param' | 'tag'; key: string } & StringComparison)
  | ({ entity: 'attribute'; key: RunStringAttribute } & StringComparison)
  | ({ entity: 'attribute'; key: RunNumericAttribute } & NumericComparison)
  | ({ entity: 'dataset'; key: RunDatasetKey } & StringComparison);

export type RunFilter = FilterTree<RunCondition>;

/** MLflow's entity prefixes and their aliases. */
export const RUN_ENTITY_ALIASES: ReadonlyMap<string, RunEntity> = new Map([
  ['metric', 'metric'], ['metrics', 'metric'],
  ['parameter', 'param'], ['parameters', 'param'], ['param', 'param'], ['params', 'param'],
  ['tag', 'tag'], ['tags', 'tag'],
  ['attribute', 'attribute'], ['attributes', 'attribute'], ['attr', 'attribute'], ['run', 'attribute'],
  ['dataset', 'dataset'], ['datasets', 'dataset'],
]);
const ENTITY_NAMES = ['metric', 'parameter', 'tag', 'attribute', 'dataset'];

/** Searchable run attributes, with MLflow's aliases (`created` is start_time; `Run Name` is run_name). */
export const RUN_STRING_ATTRIBUTES: ReadonlyMap<string, RunStringAttribute> = new Map([
  ['artifact_uri', 'artifact_uri'], ['run_id', 'run_id'], ['run_name', 'run_name'], ['status', 'status'], ['user_id', 'user_id'],
  ['run name', 'run_name'], ['Run name', 'run_name'], ['Run Name', 'run_name'],
]);
export const RUN_NUMERIC_ATTRIBUTES: ReadonlyMap<string, RunNumericAttribute> = new Map([
  ['start_time', 'start_time'], ['end_time', 'end_time'], ['created', 'start_time'], ['Created', 'start_time'],
]);
const SEARCHABLE_ATTRIBUTE_NAMES = [...RUN_STRING_ATTRIBUTES.keys(), ...RUN_NUMERIC_ATTRIBUTES.keys()].sort();
const DATASET_KEYS: readonly RunDatasetKey[] = ['name', 'digest', 'context'];

/** Which entity an identifier's prefix names; a bare key is an attribute. MLflow's message otherwise. */
export function runEntityOf(prefix: string | undefined): RunEntity {
  if (prefix === undefined) return 'attribute';
  const entity = RUN_ENTITY_ALIASES.get(prefix);
  if (!entity) throw invalidParameter(`Invalid entity type '${prefix}'. Valid values are ${pythonList(ENTITY_NAMES)}`);
  return entity;
}

/** Parses and checks a runs filter; undefined for an empty one. Throws INVALID_PARAMETER_VALUE with MLflow's messages. */
export function parseRunFilter(filter: string | undefined): RunFilter | undefined {
  const tree = parseFilter(filter);
  return tree && mapFilterTree(tree, runCondition);
}

/** For validation as you type: undefined when `filter` is a valid runs filter, else the message a search would give. */
export function validateRunFilter(filter: string): string | undefined {
  try {
    parseRunFilter(filter);
    return undefined;
  } catch (e) {
    if (e instanceof TrackingError) return e.message;
    throw e;
  }
}

function comparatorError(comparator: string, allowed: readonly string[]): TrackingError {
  return invalidParameter(`Invalid comparator '${comparator}' not one of '${pythonSet(allowed)}'`);
}

/** The checks in MLflow's order: entity and key, then the value's type, then the comparator. */
function runCondition(comparison: FilterComparison): RunCondition {
  const { identifier, comparator, value } = comparison;
  const entity = runEntityOf(identifier.entity);
  const key = identifier.key;
  switch (entity) {
    case 'metric': {
      const number = numberValue(value, (text) => `Expected numeric value type for metric. Found ${text}`);
      if (!isNumericComparator(comparator)) throw comparatorError(comparator, NUMERIC_COMPARATORS);
      return { entity, key, comparator, value: number };
    }
    case 'param':
    case 'tag': {
      const label = entity === 'param' ? 'parameter' : 'tag';
      const text = stringValue(value, (got) => `Expected a quoted string value for ${label} (e.g. 'my-value'). Got value ${got}`);
      if (!isStringComparator(comparator, STRING_COMPARATORS)) throw comparatorError(comparator, STRING_COMPARATORS);
      return { entity, key, ...stringComparison(comparator, text) };
    }
    case 'dataset': {
      const datasetKey = DATASET_KEYS.find((k) => k === key);
      if (!datasetKey) throw invalidParameter(`Invalid dataset key '${key}' specified. Valid keys are '${pythonSet(DATASET_KEYS)}'`);
      const text = stringValue(value, (got) => `Expected a quoted string value for dataset attributes. Got value ${got}`);
      if (!isStringComparator(comparator, STRING_COMPARATORS)) throw comparatorError(comparator, STRING_COMPARATORS);
      return { entity, key: datasetKey, ...stringComparison(comparator, text) };
    }
    case 'attribute':
      return attributeCondition(key, comparator, comparison);
  }
}

function attributeCondition(key: string, comparator: string, comparison: FilterComparison): RunCondition {
  const numeric = RUN_NUMERIC_ATTRIBUTES.get(key);
  if (numeric) {
    const number = numberValue(comparison.value, (text) => `Expected numeric value type for numeric attribute: ${key}. Found ${text}`);
    if (!isNumericComparator(comparator)) throw comparatorError(comparator, NUMERIC_COMPARATORS);
    return { entity: 'attribute', key: numeric, comparator, value: number };
  }
  const attribute = RUN_STRING_ATTRIBUTES.get(key);
  if (!attribute) {
    throw invalidParameter(`Invalid attribute key '${key}' specified. Valid keys are '${pythonSet(SEARCHABLE_ATTRIBUTE_NAMES)}'`);
  }
  const text = stringValue(comparison.value, (got) => `Expected a quoted string value for attributes. Got value ${got}`);
  if (!isStringComparator(comparator, STRING_COMPARATORS)) throw comparatorError(comparator, STRING_COMPARATORS);
  return { entity: 'attribute', key: attribute, ...stringComparison(comparator, text) };
}

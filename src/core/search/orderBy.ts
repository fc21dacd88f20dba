import { invalidParameter } from '../store/trackingError';
import { identifierOf, tokenizeFilter, type FilterIdentifier } from './filterParser';
import { attributeOrTagOf } from './filterValues';
import { pythonList, pythonSet } from './pythonRepr';
import {
  RUN_NUMERIC_ATTRIBUTES,
  RUN_STRING_ATTRIBUTES,
  runEntityOf,
  type RunNumericAttribute,
  type RunStringAttribute,
} from './runFilter';

/**
 * order_by lists for runs, experiments, registered models and model versions, checked as MLflow
 * checks them. Each `parse…OrderBy` returns the complete ordering to apply: the caller's terms, then
 * MLflow's defaults and tie-breakers.
 */

export interface OrderByClause {
  identifier: FilterIdentifier;
  ascending: boolean;
}

export interface OrderTerm<Key extends string> {
  key: Key;
  ascending: boolean;
}

export type RunOrderAttribute = RunStringAttribute | RunNumericAttribute;
export type RunOrderTerm =
  | { entity: 'metric' | 'param' | 'tag'; key: string; ascending: boolean }
  | { entity: 'attribute'; key: RunOrderAttribute; ascending: boolean };

export type ExperimentOrderKey = 'name' | 'experiment_id' | 'creation_time' | 'last_update_time';
export type RegisteredModelOrderKey = 'name' | 'creation_timestamp' | 'last_updated_timestamp';
export type ModelVersionOrderKey = 'name' | 'version_number' | 'creation_timestamp' | 'last_updated_timestamp';

/** One `"<key> [ASC|DESC]"` clause (keys quoted with backticks or double quotes as in filters). */
export function parseOrderByClause(clause: string): OrderByClause {
  const unparsable = (): Error => invalidParameter(`Invalid order_by clause '${clause}'. Could not be parsed.`);
  const tokens = tokenizeFilter(clause);
  if (tokens.length === 0 || tokens.length > 2 || tokens[0].kind !== 'identifier') throw unparsable();
  let ascending = true;
  if (tokens.length === 2) {
    const direction = tokens[1];
    if (direction.kind !== 'identifier') throw unparsable();
    const word = direction.segments?.length === 1 ? direction.segments[0].value.toLowerCase() : '';
    if (word !== 'asc' && word !== 'desc') throw invalidParameter(`Invalid ordering key in order_by clause '${clause}'.`);
    ascending = word === 'asc';
  }
  return { identifier: identifierOf(tokens[0]), ascending };
}

const RUN_ORDER_ATTRIBUTE_NAMES = [
  'artifact_uri', 'created', 'Created', 'end_time', 'run_id', 'run_name', 'start_time', 'status', 'user_id',
];

/** A runs order_by list; then `start_time DESC` (unless ordered by it) and `run_id`. */
export function parseRunOrderBy(orderBy: readonly string[] | undefined): RunOrderTerm[] {
  const terms: RunOrderTerm[] = [];
  const seen = new Set<string>();
  for (const clause of orderBy ?? []) {
    const { identifier, ascending } = parseOrderByClause(clause);
    const entity = runEntityOf(identifier.entity);
    let term: RunOrderTerm;
    if (entity === 'attribute') {
      const key = RUN_ORDER_ATTRIBUTE_NAMES.includes(identifier.key)
        ? RUN_STRING_ATTRIBUTES.get(identifier.key) ?? RUN_NUMERIC_ATTRIBUTES.get(identifier.key)
        : undefined;
      if (!key) {
        throw invalidParameter(
          `Invalid attribute key '${identifier.key}' specified. Valid keys are '${pythonSet(RUN_ORDER_ATTRIBUTE_NAMES)}'`,
        );
      }
      term = { entity, key, ascending };
    } else if (entity === 'dataset') {
      throw invalidParameter(`Invalid identifier type '${entity}'`);
    } else {
      term = { entity, key: identifier.key, ascending };
    }
    const field = `${term.entity}\u0000${term.key}`;
    if (seen.has(field)) throw invalidParameter(`\`order_by\` contains duplicate fields: ${pythonList(orderBy ?? [])}`);
    seen.add(field);
    terms.push(term);
  }
  if (!seen.has('attribute\u0000start_time')) terms.push({ entity: 'attribute', key: 'start_time', ascending: false });
  if (!seen.has('attribute\u0000run_id')) terms.push({ entity: 'attribute', key: 'run_id', ascending: true });
  return terms;
}

const EXPERIMENT_ORDER_KEYS: readonly ExperimentOrderKey[] = ['name', 'experiment_id', 'creation_time', 'last_update_time'];

/** Experiments: default `creation_time DESC, experiment_id ASC`; tie-breaker `experiment_id DESC`. */
export function parseExperimentOrderBy(orderBy: readonly string[] | undefined): OrderTerm<ExperimentOrderKey>[] {
  if (!orderBy || orderBy.length === 0) {
    return [{ key: 'creation_time', ascending: false }, { key: 'experiment_id', ascending: true }];
  }
  const terms = orderBy.map((clause): OrderTerm<ExperimentOrderKey> => {
    const { identifier, ascending } = parseOrderByClause(clause);
    if (attributeOrTagOf(identifier, EXPERIMENT_ORDER_KEYS) === 'tag') throw invalidParameter('Invalid order_by entity: tag');
    return { key: identifier.key as ExperimentOrderKey, ascending };
  });
  if (!terms.some((t) => t.key === 'experiment_id')) terms.push({ key: 'experiment_id', ascending: false });
  return terms;
}

const REGISTERED_MODEL_ORDER_KEYS = new Map<string, RegisteredModelOrderKey>([
  ['name', 'name'],
  ['creation_timestamp', 'creation_timestamp'],
  // MLflow's SQL store sorts `timestamp` by the last-updated time.
  ['timestamp', 'last_updated_timestamp'],
  ['last_updated_timestamp', 'last_updated_timestamp'],
]);

/** Registered models: the caller's terms, then `name ASC` unless ordered by name. */
export function parseRegisteredModelOrderBy(orderBy: readonly string[] | undefined): OrderTerm<RegisteredModelOrderKey>[] {
  const terms: OrderTerm<RegisteredModelOrderKey>[] = [];
  for (const clause of orderBy ?? []) {
    const { identifier, ascending } = parseOrderByClause(clause);
    const key = identifier.entity === undefined ? REGISTERED_MODEL_ORDER_KEYS.get(identifier.key) : undefined;
    if (!key) {
      throw invalidParameter(
        `Invalid order by key '${identifier.text}' specified. Valid keys are '${pythonSet([...REGISTERED_MODEL_ORDER_KEYS.keys()])}'`,
      );
    }
    if (terms.some((t) => t.key === key)) throw invalidParameter(`\`order_by\` contains duplicate fields: ${pythonList(orderBy ?? [])}`);
    terms.push({ key, ascending });
  }
  if (!terms.some((t) => t.key === 'name')) terms.push({ key: 'name', ascending: true });
  return terms;
}

const MODEL_VERSION_ORDER_KEYS: readonly ModelVersionOrderKey[] = [
  'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp',
];

/**
 * Model versions: default `last_updated_timestamp DESC, name ASC, version_number DESC`;
 * tie-breakers `name ASC`, `version_number DESC`.
 */
export function parseModelVersionOrderBy(orderBy: readonly string[] | undefined): OrderTerm<ModelVersionOrderKey>[] {
  const clauses = orderBy && orderBy.length > 0 ? orderBy : ['last_updated_timestamp DESC', 'name ASC', 'version_number DESC'];
  const terms: OrderTerm<ModelVersionOrderKey>[] = [];
  for (const clause of clauses) {
    const { identifier, ascending } = parseOrderByClause(clause);
    if (attributeOrTagOf(identifier, MODEL_VERSION_ORDER_KEYS) === 'tag') {
      throw invalidParameter(
        `Invalid order by key '${identifier.key}' specified. Valid keys are ${pythonSet(MODEL_VERSION_ORDER_KEYS)}`,
      );
    }
    const key = identifier.key as ModelVersionOrderKey;
    if (terms.some((t) => t.key === key)) throw invalidParameter(`\`order_by\` contains duplicate fields: ${pythonList(clauses)}`);
    terms.push({ key, ascending });
  }
  if (!terms.some((t) => t.key === 'name')) terms.push({ key: 'name', ascending: true });
  if (!terms.some((t) => t.key === 'version_number')) terms.push({ key: 'version_number', ascending: false });
  return terms;
}

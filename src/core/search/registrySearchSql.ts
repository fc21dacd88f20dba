import type { SqlValue } from 'sql.js';
import { invalidParameter } from '../store/trackingError';
import { comparisonSql, filterTreeSql, pageSql, type SqlQuery } from './comparisonSql';
import { mapFilterTree, parseFilter, type FilterComparison, type FilterTree, type FilterValue } from './filterParser';
import {
  attributeOrTagOf,
  isNumericComparator,
  isStringComparator,
  STRING_COMPARATORS,
  stringComparison,
  stringValue,
  type NumericComparison,
  type StringComparison,
} from './filterValues';
import {
  parseModelVersionOrderBy,
  parseRegisteredModelOrderBy,
  type ModelVersionOrderKey,
  type RegisteredModelOrderKey,
} from './orderBy';
import { pythonSet } from './pythonRepr';

/** A registry search page: filter, order_by, LIMIT and OFFSET. */
export interface RegistrySearchQuery {
  filter?: string;
  orderBy?: string[];
  limit: number;
  offset: number;
}

export type RegisteredModelCondition =
  | ({ entity: 'attribute'; key: 'name' } & StringComparison)
  | ({ entity: 'tag'; key: string } & StringComparison);

export type ModelVersionStringAttribute = 'name' | 'run_id' | 'source_path';
export type ModelVersionCondition =
  | ({ entity: 'attribute'; key: ModelVersionStringAttribute } & StringComparison)
  | ({ entity: 'attribute'; key: 'version_number' } & NumericComparison)
  | ({ entity: 'tag'; key: string } & StringComparison);

/** MLflow keeps deleted versions with this stage until they are purged. */
const DELETED_STAGE = 'Deleted_Internal';
const MODEL_VERSION_KEYS = ['name', 'version_number', 'run_id', 'source_path'];
const MODEL_VERSION_NUMERIC_KEYS = ['version_number', 'creation_timestamp', 'last_updated_timestamp'];

const REGISTERED_MODEL_COLUMNS: Record<RegisteredModelOrderKey, string> = {
  name: 'm.name',
  creation_timestamp: 'm.creation_time',
  last_updated_timestamp: 'm.last_updated_time',
};

const MODEL_VERSION_COLUMNS: Record<ModelVersionOrderKey | ModelVersionStringAttribute, string> = {
  name: 'm.name',
  run_id: 'v.run_id',
  source_path: 'v.source',
  version_number: 'v.version',
  creation_timestamp: 'v.creation_time',
  last_updated_timestamp: 'v.last_updated_time',
};

function tagCondition(key: string, comparator: string, value: FilterValue): { entity: 'tag'; key: string } & StringComparison {
  if (!isStringComparator(comparator, STRING_COMPARATORS)) throw invalidParameter(`Invalid comparator for tag: ${comparator}`);
  const text = stringValue(value, (got) => `Expected a quoted string value for tag (e.g. 'my-value'). Got value ${got}`);
  return { entity: 'tag', key, ...stringComparison(comparator, text) };
}

/**
 * Registered models (MLflow's SearchModelUtils): `name` and `tags.<key>` with = != LIKE ILIKE,
 * plus IN / NOT IN lists as a Trackside extension. AND, OR and parentheses as for runs.
 */
export function parseRegisteredModelFilter(filter: string | undefined): FilterTree<RegisteredModelCondition> | undefined {
  const tree = parseFilter(filter);
  return tree && mapFilterTree(tree, ({ identifier, comparator, value }: FilterComparison): RegisteredModelCondition => {
    if (attributeOrTagOf(identifier, ['name']) === 'tag') return tagCondition(identifier.key, comparator, value);
    if (!isStringComparator(comparator, STRING_COMPARATORS)) throw invalidParameter(`Invalid comparator for attribute: ${comparator}`);
    const text = stringValue(
      value,
      (got) => `Expected a quoted string value or a list of quoted string values for attributes. Got value ${got}`,
    );
    return { entity: 'attribute', key: 'name', ...stringComparison(comparator, text) };
  });
}

/**
 * Model versions (MLflow's SearchModelVersionUtils): `name`, `run_id`, `source_path` with
 * = != LIKE ILIKE IN (NOT IN too, in Trackside), `version_number` with numeric comparators,
 * `tags.<key>` as for registered models.
 */
export function parseModelVersionFilter(filter: string | undefined): FilterTree<ModelVersionCondition> | undefined {
  const tree = parseFilter(filter);
  return tree && mapFilterTree(tree, ({ identifier, comparator, value }: FilterComparison): ModelVersionCondition => {
    if (attributeOrTagOf(identifier, MODEL_VERSION_KEYS) === 'tag') return tagCondition(identifier.key, comparator, value);
    const key = identifier.key;
    if (key === 'version_number') {
      if (!isNumericComparator(comparator)) throw invalidParameter(`Invalid comparator for attribute ${key}: ${comparator}`);
      return { entity: 'attribute', key, comparator, value: versionNumber(value) };
    }
    if (!isStringComparator(comparator, STRING_COMPARATORS)) throw invalidParameter(`Invalid comparator for attribute: ${comparator}`);
    if (value.kind === 'number') {
      throw invalidParameter(
        `Only the '${pythonSet(MODEL_VERSION_NUMERIC_KEYS)}' attributes support comparison with numeric values.`,
      );
    }
    const text = stringValue(value, (got) => `Expected a quoted string value for attributes. Got value ${got}`);
    return { entity: 'attribute', key: key as ModelVersionStringAttribute, ...stringComparison(comparator, text) };
  });
}

/** A version number: a number, or a quoted whole number (MLflow's store accepts `version_number = '3'`). */
function versionNumber(value: FilterValue): number {
  if (value.kind === 'number') return value.value;
  if (value.kind === 'string' && /^\s*\d+\s*$/.test(value.value)) return Number(value.value);
  throw invalidParameter(`Expected numeric value type for numeric attribute: version_number. Found ${value.text}`);
}

/** MLflow's registered-model search as one parameterised SELECT of `m.model_id`, in result order. */
export function buildRegisteredModelSearchSql(q: RegistrySearchQuery): SqlQuery {
  const filter = parseRegisteredModelFilter(q.filter);
  const order = parseRegisteredModelOrderBy(q.orderBy);
  const params: SqlValue[] = [];
  const where = filter
    ? filterTreeSql(filter, (condition) => {
        if (condition.entity === 'attribute') return comparisonSql('m.name', condition, params);
        params.push(condition.key);
        const test = comparisonSql('t.value', condition, params);
        return `m.model_id IN (SELECT t.model_id FROM registered_model_tags t WHERE t.key = ? AND ${test})`;
      })
    : undefined;
  const sql = [
    'SELECT m.model_id FROM registered_models m',
    where ? `WHERE ${where}` : '',
    `ORDER BY ${order.map((t) => `${REGISTERED_MODEL_COLUMNS[t.key]} ${t.ascending ? 'ASC' : 'DESC'}`).join(', ')}`,
    pageSql(q.limit, q.offset, params),
  ]
    .filter(Boolean)
    .join('\n');
  return { sql, params };
}

/**
 * MLflow's model-version search as one parameterised SELECT of `v.model_id, v.version`, in result
 * order; versions in MLflow's internal deleted stage are never returned.
 *
 * Tag conditions every result must meet (the filter's top-level ANDs) are joins on the tags'
 * `(key, value)` index (migration 4), so a selective tag drives the query instead of a test on
 * every version; the planner still starts from `name =` or `run_id =` when one is there. A version
 * has at most one tag per key, so a join never repeats a version. Tag conditions under OR stay
 * correlated EXISTS tests.
 */
export function buildModelVersionSearchSql(q: RegistrySearchQuery): SqlQuery {
  const filter = parseModelVersionFilter(q.filter);
  const order = parseModelVersionOrderBy(q.orderBy);
  const params: SqlValue[] = [];
  const joins: string[] = [];
  const rest: FilterTree<ModelVersionCondition>[] = [];
  for (const term of filter ? conjuncts(filter) : []) {
    if (term.kind !== 'condition' || term.condition.entity !== 'tag') {
      rest.push(term);
      continue;
    }
    const t = `t${joins.length + 1}`;
    params.push(term.condition.key);
    const test = comparisonSql(`${t}.value`, term.condition, params);
    joins.push(`JOIN model_version_tags ${t} ON ${t}.model_id = v.model_id AND ${t}.version = v.version AND ${t}.key = ? AND ${test}`);
  }
  params.push(DELETED_STAGE);
  const where = ['v.current_stage != ?'];
  for (const term of rest) {
    where.push(
      filterTreeSql(term, (condition) => {
        if (condition.entity === 'attribute') return comparisonSql(MODEL_VERSION_COLUMNS[condition.key], condition, params);
        params.push(condition.key);
        const test = comparisonSql('t.value', condition, params);
        return (
          'EXISTS (SELECT 1 FROM model_version_tags t ' +
          `WHERE t.model_id = v.model_id AND t.version = v.version AND t.key = ? AND ${test})`
        );
      }),
    );
  }
  const sql = [
    'SELECT v.model_id, v.version FROM model_versions v JOIN registered_models m ON m.model_id = v.model_id',
    ...joins,
    `WHERE ${where.join(' AND ')}`,
    `ORDER BY ${order.map((t) => `${MODEL_VERSION_COLUMNS[t.key]} ${t.ascending ? 'ASC' : 'DESC'}`).join(', ')}`,
    pageSql(q.limit, q.offset, params),
  ].join('\n');
  return { sql, params };
}

/** The operands of a filter's top-level AND (nested ANDs flattened); the filter itself otherwise. */
function conjuncts<C>(tree: FilterTree<C>): FilterTree<C>[] {
  return tree.kind === 'and' ? tree.operands.flatMap(conjuncts) : [tree];
}

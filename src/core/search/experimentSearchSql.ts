import type { SqlValue } from 'sql.js';
import type { ViewType } from '../../shared/entities';
import { invalidParameter } from '../store/trackingError';
import { comparisonSql, filterTreeSql, pageSql, type SqlQuery } from './comparisonSql';
import { mapFilterTree, parseFilter, type FilterComparison, type FilterTree } from './filterParser';
import {
  attributeOrTagOf,
  isNumericComparator,
  isStringComparator,
  numberValue,
  SCALAR_STRING_COMPARATORS,
  stringComparison,
  stringValue,
  type NumericComparison,
  type StringComparison,
} from './filterValues';
import { parseExperimentOrderBy, type ExperimentOrderKey } from './orderBy';

export interface ExperimentSearchQuery {
  filter?: string;
  viewType: ViewType;
  orderBy?: string[];
  limit: number;
  offset: number;
}

export type ExperimentCondition =
  | ({ entity: 'attribute'; key: 'name' } & StringComparison)
  | ({ entity: 'attribute'; key: 'creation_time' | 'last_update_time' } & NumericComparison)
  | ({ entity: 'tag'; key: string } & StringComparison);

const SEARCH_KEYS = ['name', 'creation_time', 'last_update_time'];

const COLUMNS: Record<ExperimentOrderKey, string> = {
  name: 'e.name',
  experiment_id: 'e.experiment_id',
  creation_time: 'e.creation_time',
  last_update_time: 'e.last_update_time',
};

const LIFECYCLE_STAGES: Record<ViewType, string[]> = {
  ACTIVE_ONLY: ['active'],
  DELETED_ONLY: ['deleted'],
  ALL: [],
};

/**
 * Parses and checks an experiments filter (MLflow's SearchExperimentsUtils): `name` with
 * = != LIKE ILIKE, `creation_time` / `last_update_time` with numeric comparators, `tags.<key>`
 * with = != LIKE ILIKE. AND, OR and parentheses as for runs.
 */
export function parseExperimentFilter(filter: string | undefined): FilterTree<ExperimentCondition> | undefined {
  const tree = parseFilter(filter);
  return tree && mapFilterTree(tree, experimentCondition);
}

function experimentCondition({ identifier, comparator, value }: FilterComparison): ExperimentCondition {
  const key = identifier.key;
  if (attributeOrTagOf(identifier, SEARCH_KEYS) === 'tag') {
    if (!isStringComparator(comparator, SCALAR_STRING_COMPARATORS)) throw invalidParameter(`Invalid comparator for tag: ${comparator}`);
    const text = stringValue(value, (got) => `Expected a quoted string value for tag (e.g. 'my-value'). Got value ${got}`);
    return { entity: 'tag', key, ...stringComparison(comparator, text) };
  }
  if (key === 'name') {
    if (!isStringComparator(comparator, SCALAR_STRING_COMPARATORS)) {
      throw invalidParameter(`Invalid comparator for string attribute: ${comparator}`);
    }
    const text = stringValue(value, (got) => `Expected a quoted string value for attributes. Got value ${got}`);
    return { entity: 'attribute', key, ...stringComparison(comparator, text) };
  }
  if (!isNumericComparator(comparator)) throw invalidParameter(`Invalid comparator for numeric attribute: ${comparator}`);
  const number = numberValue(value, (text) => `Expected numeric value type for numeric attribute: ${key}. Found ${text}`);
  return { entity: 'attribute', key: key as 'creation_time' | 'last_update_time', comparator, value: number };
}

/** MLflow's experiment search as one parameterised SELECT of `e.experiment_id`, in result order. */
export function buildExperimentSearchSql(q: ExperimentSearchQuery): SqlQuery {
  const filter = parseExperimentFilter(q.filter);
  const order = parseExperimentOrderBy(q.orderBy);
  const params: SqlValue[] = [];
  const where: string[] = [];
  const stages = LIFECYCLE_STAGES[q.viewType];
  if (stages.length > 0) {
    where.push(`e.lifecycle_stage IN (${stages.map(() => '?').join(', ')})`);
    params.push(...stages);
  }
  if (filter) {
    where.push(
      filterTreeSql(filter, (condition) => {
        if (condition.entity === 'attribute') return comparisonSql(COLUMNS[condition.key], condition, params);
        params.push(condition.key);
        const test = comparisonSql('t.value', condition, params);
        return `e.experiment_id IN (SELECT t.experiment_id FROM experiment_tags t WHERE t.key = ? AND ${test})`;
      }),
    );
  }
  const sql = [
    'SELECT e.experiment_id FROM experiments e',
    where.length > 0 ? `WHERE ${where.join(' AND ')}` : '',
    `ORDER BY ${order.map((t) => `${COLUMNS[t.key]} ${t.ascending ? 'ASC' : 'DESC'}`).join(', ')}`,
    pageSql(q.limit, q.offset, params),
  ]
    .filter(Boolean)
    .join('\n');
  return { sql, params };
}

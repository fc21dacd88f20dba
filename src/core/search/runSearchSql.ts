import type { SqlValue } from 'sql.js';
import type { ViewType } from '../../shared/entities';
import { comparisonSql, filterTreeSql, pageSql, type SqlQuery } from './comparisonSql';
import { parseRunOrderBy, type RunOrderAttribute, type RunOrderTerm } from './orderBy';
import { parseRunFilter, type RunCondition, type RunFilter } from './runFilter';

export interface RunSearchQuery {
  experimentIds: number[];
  filter?: string;
  viewType: ViewType;
  orderBy?: string[];
  limit: number;
  offset: number;
}

/** The dataset input tag MLflow calls a dataset's "context" (`datasets.context`). */
export const DATASET_CONTEXT_TAG = 'mlflow.data.context';

/** Run attributes and the `runs` columns holding them (the only identifiers the SQL names). */
const ATTRIBUTE_COLUMNS: Record<RunOrderAttribute, string> = {
  run_id: 'r.run_uuid',
  run_name: 'r.name',
  status: 'r.status',
  user_id: 'r.user_id',
  artifact_uri: 'r.artifact_uri',
  start_time: 'r.start_time',
  end_time: 'r.end_time',
};

const LIFECYCLE_STAGES: Record<ViewType, string[]> = {
  ACTIVE_ONLY: ['active'],
  DELETED_ONLY: ['deleted'],
  ALL: [],
};

/**
 * MLflow's run search as one parameterised SELECT of `r.run_int`, in result order. Filters and
 * order_by are checked first (INVALID_PARAMETER_VALUE with MLflow's messages). Every value, key and
 * pattern is a bound parameter; the only identifiers in the text are fixed table and column names.
 *
 * Semantics follow MLflow: a condition on a metric, param, tag or dataset matches only runs that
 * have that key (so `params.x != 'a'` skips runs without `x`); metrics compare their latest value
 * and a NaN latest value matches no comparison; runs missing an ordered metric, param, tag or
 * attribute come last in either direction, and for metrics NaN comes after numbers but before
 * missing values.
 */
export function buildRunSearchSql(q: RunSearchQuery): SqlQuery {
  const filter = parseRunFilter(q.filter);
  const order = parseRunOrderBy(q.orderBy);
  const params: SqlValue[] = [];

  // Conditions on metrics, params and tags that the whole filter ANDs together become inner joins:
  // each matches at most one row per run (the tables are keyed by run and key), and a join lets
  // SQLite start from whichever index is most selective instead of scanning every run.
  const joined = filter ? topLevelConditions(filter).filter(isJoinable) : [];
  const joins: string[] = [];
  const joinAliases = new Map<string, string>();
  joined.forEach((condition, index) => {
    const alias = `f${index}`;
    joins.push(joinedConditionSql(condition, alias, params));
    joinAliases.set(`${condition.entity}:${condition.key}`, alias);
  });
  const remaining = filter ? withoutConditions(filter, new Set(joined)) : undefined;

  const orderSql: string[] = [];
  order.forEach((term, index) => {
    const joinedAlias = term.entity === 'attribute' ? undefined : joinAliases.get(`${term.entity}:${term.key}`);
    if (joinedAlias) {
      // Every run left has this key with a non-NaN value: order by it directly.
      orderSql.push(`${joinedAlias}.${term.entity === 'metric' ? 'last_value' : 'value'} ${term.ascending ? 'ASC' : 'DESC'}`);
      return;
    }
    const { join, expressions } = orderTermSql(term, `o${index}`, params);
    if (join) joins.push(join);
    orderSql.push(...expressions);
  });

  const where: string[] = [];
  if (q.experimentIds.length === 0) where.push('0');
  else {
    where.push(`r.experiment_id IN (${q.experimentIds.map(() => '?').join(', ')})`);
    params.push(...q.experimentIds);
  }
  const stages = LIFECYCLE_STAGES[q.viewType];
  if (stages.length > 0) {
    where.push(`r.lifecycle_stage IN (${stages.map(() => '?').join(', ')})`);
    params.push(...stages);
  }
  if (remaining) where.push(filterTreeSql(remaining, (condition) => runConditionSql(condition, params)));

  const sql = [
    'SELECT r.run_int FROM runs r',
    ...joins,
    `WHERE ${where.join(' AND ')}`,
    `ORDER BY ${orderSql.join(', ')}`,
    pageSql(q.limit, q.offset, params),
  ].join('\n');
  return { sql, params };
}

type JoinableCondition = Extract<RunCondition, { entity: 'metric' | 'param' | 'tag' }>;

function isJoinable(condition: RunCondition): condition is JoinableCondition {
  return condition.entity === 'metric' || condition.entity === 'param' || condition.entity === 'tag';
}

/** The leaf conditions the whole filter requires (the root, or the leaves of a root AND). */
function topLevelConditions(tree: RunFilter): RunCondition[] {
  if (tree.kind === 'condition') return [tree.condition];
  if (tree.kind === 'and') return tree.operands.flatMap((o) => (o.kind === 'condition' ? [o.condition] : []));
  return [];
}

function withoutConditions(tree: RunFilter, drop: Set<RunCondition>): RunFilter | undefined {
  if (tree.kind === 'condition') return drop.has(tree.condition) ? undefined : tree;
  if (tree.kind === 'or') return tree;
  const operands = tree.operands.filter((o) => o.kind !== 'condition' || !drop.has(o.condition));
  if (operands.length === 0) return undefined;
  return operands.length === 1 ? operands[0] : { kind: 'and', operands };
}

function joinedConditionSql(condition: JoinableCondition, alias: string, params: SqlValue[]): string {
  params.push(condition.key);
  if (condition.entity === 'metric') {
    return (
      `JOIN metric_series ${alias} ON ${alias}.run_int = r.run_int ` +
      `AND ${alias}.key_id = (SELECT key_id FROM metric_keys WHERE key = ?) AND ${alias}.last_is_nan = 0 ` +
      `AND ${comparisonSql(`${alias}.last_value`, condition, params)}`
    );
  }
  const table = condition.entity === 'param' ? 'params' : 'tags';
  return `JOIN ${table} ${alias} ON ${alias}.run_int = r.run_int AND ${alias}.key = ? AND ${comparisonSql(`${alias}.value`, condition, params)}`;
}

function runConditionSql(condition: RunCondition, params: SqlValue[]): string {
  switch (condition.entity) {
    case 'attribute':
      return comparisonSql(ATTRIBUTE_COLUMNS[condition.key], condition, params);
    case 'metric': {
      params.push(condition.key);
      const head =
        'r.run_int IN (SELECT m.run_int FROM metric_series m ' +
        'WHERE m.key_id = (SELECT key_id FROM metric_keys WHERE key = ?) AND m.last_is_nan = 0 AND ';
      return `${head}${comparisonSql('m.last_value', condition, params)})`;
    }
    case 'param':
    case 'tag': {
      const table = condition.entity === 'param' ? 'params' : 'tags';
      params.push(condition.key);
      return `r.run_int IN (SELECT p.run_int FROM ${table} p WHERE p.key = ? AND ${comparisonSql('p.value', condition, params)})`;
    }
    case 'dataset': {
      if (condition.key === 'context') {
        params.push(DATASET_CONTEXT_TAG);
        const test = comparisonSql('t.value', condition, params);
        return `r.run_int IN (SELECT t.run_int FROM run_input_tags t WHERE t.key = ? AND ${test})`;
      }
      const column = condition.key === 'name' ? 'd.name' : 'd.digest';
      const test = comparisonSql(column, condition, params);
      return `r.run_int IN (SELECT i.run_int FROM run_inputs i JOIN datasets d ON d.dataset_id = i.dataset_id WHERE ${test})`;
    }
  }
}

/**
 * A LEFT JOIN bringing the ordered value in (none for attributes) and the ORDER BY expressions:
 * a "missing last" rank first, as MLflow's SQL store does, then the value itself.
 */
function orderTermSql(term: RunOrderTerm, alias: string, params: SqlValue[]): { join?: string; expressions: string[] } {
  const direction = term.ascending ? 'ASC' : 'DESC';
  if (term.entity === 'attribute') {
    const column = ATTRIBUTE_COLUMNS[term.key];
    // SQLite already sorts NULL last when descending; the plain term lets runs_by_experiment serve
    // the default `start_time DESC, run_uuid` order without a sort.
    if (!term.ascending || term.key === 'run_id') return { expressions: [`${column} ${direction}`] };
    return { expressions: [`${column} IS NULL`, `${column} ${direction}`] };
  }
  params.push(term.key);
  if (term.entity === 'metric') {
    return {
      join:
        `LEFT JOIN metric_series ${alias} ON ${alias}.run_int = r.run_int ` +
        `AND ${alias}.key_id = (SELECT key_id FROM metric_keys WHERE key = ?)`,
      expressions: [
        `CASE WHEN ${alias}.series_id IS NULL THEN 2 WHEN ${alias}.last_is_nan = 1 THEN 1 ELSE 0 END`,
        `${alias}.last_value ${direction}`,
      ],
    };
  }
  const table = term.entity === 'param' ? 'params' : 'tags';
  return {
    join: `LEFT JOIN ${table} ${alias} ON ${alias}.run_int = r.run_int AND ${alias}.key = ?`,
    expressions: [`${alias}.value IS NULL`, `${alias}.value ${direction}`],
  };
}

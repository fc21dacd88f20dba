import type { SqlValue } from 'sql.js';
import type { FilterTree } from './filterParser';
import type { Comparison } from './filterValues';

/** A generated search: SQL text with `?` placeholders and the values to bind, in order. */
export interface SqlQuery {
  sql: string;
  params: SqlValue[];
}

/**
 * SQL for one comparison against `column` (a column name from the caller's fixed whitelist). The
 * value is never in the text: it goes to `params`, in the order the placeholders appear.
 *
 * LIKE is case-sensitive, as in MLflow: it compiles to GLOB with the pattern translated (`%` → `*`,
 * `_` → `?`, GLOB's own `*`, `?` and `[` escaped), so `PRAGMA case_sensitive_like` never needs to
 * change for the whole connection. ILIKE compares both sides lower-cased, as SQLAlchemy does.
 */
export function comparisonSql(column: string, comparison: Comparison, params: SqlValue[]): string {
  switch (comparison.comparator) {
    case 'LIKE':
      params.push(likeToGlob(comparison.value));
      return `${column} GLOB ?`;
    case 'ILIKE':
      params.push(comparison.value);
      return `lower(${column}) LIKE lower(?)`;
    case 'IN':
    case 'NOT IN':
      params.push(...comparison.value);
      return `${column} ${comparison.comparator} (${comparison.value.map(() => '?').join(', ')})`;
    default:
      params.push(comparison.value);
      return `${column} ${comparison.comparator} ?`;
  }
}

/** A SQL LIKE pattern (no escape character, as MLflow uses it) as the equivalent GLOB pattern. */
export function likeToGlob(pattern: string): string {
  let glob = '';
  for (const ch of pattern) {
    if (ch === '%') glob += '*';
    else if (ch === '_') glob += '?';
    else if (ch === '*' || ch === '?' || ch === '[') glob += `[${ch}]`;
    else glob += ch;
  }
  return glob;
}

/** Joins a parsed filter's conditions with AND / OR, parenthesised; `condition` writes each leaf. */
export function filterTreeSql<Condition>(tree: FilterTree<Condition>, condition: (c: Condition) => string): string {
  if (tree.kind === 'condition') return condition(tree.condition);
  const joiner = tree.kind === 'and' ? ' AND ' : ' OR ';
  return `(${tree.operands.map((operand) => filterTreeSql(operand, condition)).join(joiner)})`;
}

/** `LIMIT ? OFFSET ?` after checking both are whole numbers ≥ 0. */
export function pageSql(limit: number, offset: number, params: SqlValue[]): string {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`Search limit must be a whole number ≥ 0, got ${limit}`);
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`Search offset must be a whole number ≥ 0, got ${offset}`);
  params.push(limit, offset);
  return 'LIMIT ? OFFSET ?';
}

import { buildRunSearchSql } from '../search/runSearchSql';
import type { Database } from './database';
import { optionalString, parseViewType } from './validation';
import { invalidParameter } from './trackingError';

const MAX_TABLE_RUNS = 100_000;

/**
 * The runs table of one or more experiments in one call, built as JSON by SQLite itself
 * (`json_object`/`json_group_object`): building 10k JS objects costs far more than SQL-built JSON.
 *
 * The answer is a JSON string:
 *   { "columns": { "params": [...], "metrics": [...], "tags": [...] },
 *     "runs": [ { run_id, run_name, experiment_id, status, start_time, end_time, user_id,
 *                 lifecycle_stage, parent_run_id, params: {k: v}, tags: {k: v},
 *                 metrics: {k: [last, min, max, count, step]} } ] }
 * with runs in the requested order (MLflow's filter and order_by, plus Trackside's OR/IN).
 */
export function runsTableJson(
  db: Database,
  req: { experiment_ids?: unknown; filter?: unknown; view_type?: unknown; order_by?: unknown; max_results?: unknown },
): string {
  const ids = (Array.isArray(req.experiment_ids) ? req.experiment_ids : req.experiment_ids === undefined ? [] : [req.experiment_ids])
    .map((id) => Number(id))
    .filter((id) => Number.isSafeInteger(id));
  if (ids.length === 0) throw invalidParameter('Specify at least one experiment id in experiment_ids.');
  const limit = req.max_results === undefined ? MAX_TABLE_RUNS : Number(req.max_results);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_TABLE_RUNS) {
    throw invalidParameter(`max_results must be between 1 and ${MAX_TABLE_RUNS}.`);
  }
  const orderBy = Array.isArray(req.order_by) ? req.order_by.map(String) : typeof req.order_by === 'string' ? [req.order_by] : [];
  const search = buildRunSearchSql({
    experimentIds: ids,
    filter: optionalString(req.filter, 'filter'),
    viewType: parseViewType(req.view_type),
    orderBy,
    limit,
    offset: 0,
  });
  const runInts = db.values(search.sql, search.params).map((row) => Number(row[0]));
  const list = JSON.stringify(runInts);
  const rows = db.scalar<string>(
    `SELECT json_group_array(json(row)) FROM (
       SELECT json_object(
         'run_id', r.run_uuid, 'run_name', r.name, 'experiment_id', CAST(r.experiment_id AS TEXT), 'status', r.status,
         'start_time', r.start_time, 'end_time', r.end_time, 'user_id', r.user_id, 'lifecycle_stage', r.lifecycle_stage,
         'parent_run_id', r.parent_run_uuid,
         -- A scalar subquery loses the JSON subtype: json(...) restores it (else the objects arrive as strings).
         'params', json(COALESCE((SELECT json_group_object(p.key, p.value) FROM params p WHERE p.run_int = r.run_int), '{}')),
         'tags', json(COALESCE((SELECT json_group_object(t.key, t.value) FROM tags t WHERE t.run_int = r.run_int), '{}')),
         'metrics', json(COALESCE((SELECT json_group_object(k.key, json_array(CASE WHEN s.last_is_nan THEN 'NaN' ELSE s.last_value END,
                        s.min_value, s.max_value, s.count, s.last_step))
                       FROM metric_series s JOIN metric_keys k ON k.key_id = s.key_id WHERE s.run_int = r.run_int AND s.count > 0), '{}'))
       ) AS row
       FROM json_each(?) j JOIN runs r ON r.run_int = j.value
       ORDER BY j.key
     )`,
    [list],
  );
  const keys = (sql: string): string =>
    db.scalar<string>(`SELECT json_group_array(key) FROM (SELECT DISTINCT x.key AS key FROM json_each(?) j ${sql} ORDER BY 1)`, [list]) ?? '[]';
  const params = keys('JOIN params x ON x.run_int = j.value');
  const tags = keys('JOIN tags x ON x.run_int = j.value');
  const metrics = keys('JOIN metric_series s ON s.run_int = j.value JOIN metric_keys x ON x.key_id = s.key_id');
  return `{"columns":{"params":${params},"metrics":${metrics},"tags":${tags}},"runs":${rows ?? '[]'}}`;
}

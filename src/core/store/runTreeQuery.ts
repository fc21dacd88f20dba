import { buildRunSearchSql } from '../search/runSearchSql';
import { decodePageToken, encodePageToken } from '../search/pageToken';
import type { Database } from './database';
import { invalidParameter } from './trackingError';
import { optionalString, parseViewType, validateMaxResults } from './validation';

const LIFECYCLE: Record<string, string[]> = { ACTIVE_ONLY: ['active'], DELETED_ONLY: ['deleted'], ALL: ['active', 'deleted'] };

/**
 * Trackside extra behind the Experiments view: one page of an experiment's runs at one level of
 * nesting (top-level runs, or the children of one run), newest first, each with what a tree row
 * shows — status, times, child count, the chosen key metric, source and project entry point —
 * built as JSON by SQLite. With a filter, matching runs are listed flat.
 */
export function runChildrenJson(
  db: Database,
  req: {
    experiment_id?: unknown; parent_run_id?: unknown; view_type?: unknown; filter?: unknown; key_metric?: unknown;
    max_results?: unknown; page_token?: unknown;
  },
): string {
  const experimentId = Number(req.experiment_id);
  if (!Number.isSafeInteger(experimentId)) throw invalidParameter("Missing value for required parameter 'experiment_id'.");
  const viewType = parseViewType(req.view_type);
  const stages = LIFECYCLE[viewType];
  const limit = validateMaxResults(req.max_results, 200, 5000);
  const offset = decodePageToken(optionalString(req.page_token, 'page_token'));
  const parent = optionalString(req.parent_run_id, 'parent_run_id') || undefined;
  const filter = optionalString(req.filter, 'filter')?.trim() || undefined;
  let ids: number[];
  if (filter) {
    const search = buildRunSearchSql({ experimentIds: [experimentId], filter, viewType, orderBy: [], limit: limit + 1, offset });
    ids = db.values(search.sql, search.params).map((r) => Number(r[0]));
  } else {
    const marks = stages.map(() => '?').join(', ');
    const level = parent
      ? 'r.parent_run_uuid = ?'
      : '(r.parent_run_uuid IS NULL OR NOT EXISTS (SELECT 1 FROM runs p WHERE p.run_uuid = r.parent_run_uuid AND p.experiment_id = r.experiment_id))';
    ids = db
      .values(
        `SELECT r.run_int FROM runs r WHERE r.experiment_id = ? AND r.lifecycle_stage IN (${marks}) AND ${level}
          ORDER BY r.start_time DESC, r.run_uuid LIMIT ? OFFSET ?`,
        [experimentId, ...stages, ...(parent ? [parent] : []), limit + 1, offset],
      )
      .map((r) => Number(r[0]));
  }
  const page = ids.slice(0, limit);
  const keyMetric = optionalString(req.key_metric, 'key_metric') ?? '';
  const marks = stages.map(() => '?').join(', ');
  const runs = db.scalar<string>(
    `SELECT json_group_array(json(row)) FROM (
       SELECT json_object(
         'run_id', r.run_uuid, 'run_name', r.name, 'status', r.status, 'start_time', r.start_time, 'end_time', r.end_time,
         'lifecycle_stage', r.lifecycle_stage, 'parent_run_id', r.parent_run_uuid,
         'child_count', (SELECT COUNT(*) FROM runs c WHERE c.parent_run_uuid = r.run_uuid AND c.lifecycle_stage IN (${marks})),
         'key_metric', (SELECT CASE WHEN s.last_is_nan THEN 'NaN' ELSE s.last_value END FROM metric_series s
                          JOIN metric_keys k ON k.key_id = s.key_id WHERE s.run_int = r.run_int AND k.key = ? AND s.count > 0),
         'source', (SELECT value FROM tags t WHERE t.run_int = r.run_int AND t.key = 'mlflow.source.name'),
         'entry_point', (SELECT value FROM tags t WHERE t.run_int = r.run_int AND t.key = 'mlflow.project.entryPoint'),
         'user_id', r.user_id
       ) AS row
       FROM json_each(?) j JOIN runs r ON r.run_int = j.value ORDER BY j.key
     )`,
    [...stages, keyMetric, JSON.stringify(page)],
  );
  const next = ids.length > limit ? `,"next_page_token":${JSON.stringify(encodePageToken(offset + limit))}` : '';
  return `{"runs":${runs ?? '[]'}${next}}`;
}

/** Active (and, when asked, deleted) run counts per experiment. */
export function runCounts(db: Database, req: { view_type?: unknown }): { counts: Record<string, number> } {
  const stages = LIFECYCLE[parseViewType(req.view_type)];
  const rows = db.values(
    `SELECT experiment_id, COUNT(*) FROM runs WHERE lifecycle_stage IN (${stages.map(() => '?').join(', ')}) GROUP BY experiment_id`,
    stages,
  );
  return { counts: Object.fromEntries(rows.map(([id, n]) => [String(id), Number(n)])) };
}

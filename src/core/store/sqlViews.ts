import { CHUNK_SIZE } from './metricHistory';

/**
 * The views `trackside sql` and `POST /api/2.0/trackside/sql` query, named like Databricks' system
 * tables. SQLite has no three-part names, so each `system.ml.<name>` is a TEMP view called
 * `system_ml_<name>`; the query guard rewrites `system.ml.runs` (also `"system"."ml"."runs"`) to
 * `system_ml_runs` outside strings and comments, and the short names work as they are. The views
 * are created on the private copy of the database each query runs on, never in the store itself,
 * so they cost nothing between queries and never need a migration.
 *
 * Times are epoch milliseconds (as in MLflow's REST API); ids are text. Metric values that are NaN
 * read as NULL (SQLite has no NaN). The raw tables are visible too, but they are not an interface:
 * their layout changes between versions (metric history is packed), the views do not.
 *
 * `system.ml.metrics` expands the packed metric chunks lazily: it joins each chunk with a table of
 * point numbers and decodes points through a function that keeps recently decoded chunks, so a
 * query filtering on run_id and key decodes only that series' chunks (SQLite pushes the filter
 * into the view), while a scan of every point costs under 1 µs a point (1M points in ~0.8 s with
 * the worker's start and the copy included: `bench/sql.bench.mjs`).
 * `system.ml.metric_summaries` answers last/min/max/count per series without decoding anything.
 */

export interface SystemViewColumn {
  name: string;
  description: string;
}

export interface SystemView {
  /** `system.ml.runs`. */
  name: string;
  /** `system_ml_runs`: the view's name in SQLite. */
  sqliteName: string;
  description: string;
  columns: SystemViewColumn[];
  /** The SELECT defining it (over the store's tables, schema `main`). */
  select: string;
}

const col = (name: string, description: string): SystemViewColumn => ({ name, description });

function view(name: string, description: string, columns: SystemViewColumn[], select: string): SystemView {
  return { name: `system.ml.${name}`, sqliteName: `system_ml_${name}`, description, columns, select: select.trim() };
}

export const SYSTEM_VIEWS: readonly SystemView[] = [
  view(
    'experiments',
    'One row per experiment, active or deleted.',
    [
      col('experiment_id', 'The experiment id (text)'),
      col('name', 'Its name'),
      col('artifact_location', 'Root URI of its runs\' artifacts'),
      col('lifecycle_stage', "'active' or 'deleted'"),
      col('creation_time', 'Created (epoch ms)'),
      col('last_update_time', 'Last changed (epoch ms)'),
    ],
    `SELECT CAST(experiment_id AS TEXT) AS experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time
       FROM main.experiments`,
  ),
  view(
    'experiment_tags',
    'Experiment tags (mlflow.note.content is the description).',
    [col('experiment_id', 'The experiment id'), col('key', 'Tag key'), col('value', 'Tag value')],
    'SELECT CAST(experiment_id AS TEXT) AS experiment_id, key, value FROM main.experiment_tags',
  ),
  view(
    'runs',
    'One row per run, active or deleted.',
    [
      col('run_id', "MLflow's 32-character run id"),
      col('experiment_id', 'Its experiment'),
      col('run_name', 'Its name'),
      col('status', 'RUNNING, SCHEDULED, FINISHED, FAILED or KILLED'),
      col('user_id', 'Who ran it (NULL when unknown)'),
      col('start_time', 'Started (epoch ms)'),
      col('end_time', 'Ended (epoch ms; NULL while running)'),
      col('lifecycle_stage', "'active' or 'deleted'"),
      col('parent_run_id', 'The parent of a nested run (tag mlflow.parentRunId), else NULL'),
      col('artifact_uri', 'Where its artifacts are'),
    ],
    `SELECT run_uuid AS run_id, CAST(experiment_id AS TEXT) AS experiment_id, name AS run_name, status, NULLIF(user_id, '') AS user_id,
            start_time, end_time, lifecycle_stage, parent_run_uuid AS parent_run_id, artifact_uri
       FROM main.runs`,
  ),
  view(
    'params',
    'Run parameters.',
    [col('run_id', 'The run'), col('key', 'Parameter name'), col('value', 'Its value (text)')],
    'SELECT r.run_uuid AS run_id, p.key, p.value FROM main.params p JOIN main.runs r ON r.run_int = p.run_int',
  ),
  view(
    'tags',
    'Run tags (mlflow.* system tags included).',
    [col('run_id', 'The run'), col('key', 'Tag key'), col('value', 'Tag value')],
    'SELECT r.run_uuid AS run_id, t.key, t.value FROM main.tags t JOIN main.runs r ON r.run_int = t.run_int',
  ),
  view(
    'metrics',
    'Every metric point (the full history). Filter on run_id and key to read one series quickly.',
    [
      col('run_id', 'The run'),
      col('key', 'Metric name'),
      col('step', 'Step (integer)'),
      col('timestamp', 'When it was logged (epoch ms)'),
      col('value', 'The value (NULL for NaN)'),
    ],
    `SELECT r.run_uuid AS run_id, k.key AS key,
            CAST(trackside_metric_point(p.part, i.n, 0) AS INTEGER) AS step,
            CAST(trackside_metric_point(p.part, i.n, 1) AS INTEGER) AS timestamp,
            trackside_metric_point(p.part, i.n, 2) AS value
       FROM main.metric_series s
       JOIN main.runs r ON r.run_int = s.run_int
       JOIN main.metric_keys k ON k.key_id = s.key_id
       JOIN trackside_metric_parts p ON p.series_id = s.series_id
       JOIN trackside_point_index i ON i.n < p.point_count`,
  ),
  view(
    'metric_summaries',
    'One row per run and metric key: the latest value (MLflow\'s rule: highest step, then timestamp) and the count, min and max of all points.',
    [
      col('run_id', 'The run'),
      col('key', 'Metric name'),
      col('last', 'Latest value (NULL for NaN)'),
      col('last_step', 'Its step'),
      col('last_timestamp', 'Its timestamp (epoch ms)'),
      col('min', 'Smallest value (NaN ignored)'),
      col('max', 'Largest value (NaN ignored)'),
      col('count', 'Number of points'),
    ],
    `SELECT r.run_uuid AS run_id, k.key AS key, CASE WHEN s.last_is_nan THEN NULL ELSE s.last_value END AS last,
            s.last_step, s.last_timestamp, s.min_value AS min, s.max_value AS max, s.count AS count
       FROM main.metric_series s
       JOIN main.runs r ON r.run_int = s.run_int
       JOIN main.metric_keys k ON k.key_id = s.key_id
      WHERE s.count > 0`,
  ),
  view(
    'models',
    'Registered models.',
    [
      col('name', 'The model name'),
      col('description', 'Its description (NULL when none)'),
      col('creation_time', 'Created (epoch ms)'),
      col('last_updated_time', 'Last changed (epoch ms)'),
    ],
    'SELECT name, description, creation_time, last_updated_time FROM main.registered_models',
  ),
  view(
    'model_versions',
    'Versions of registered models (deleted versions are gone).',
    [
      col('name', 'The registered model'),
      col('version', 'Version number (integer)'),
      col('stage', 'None, Staging, Production or Archived'),
      col('source', 'Where its files came from'),
      col('run_id', 'The run that produced it (NULL when none)'),
      col('status', 'READY, PENDING_REGISTRATION or FAILED_REGISTRATION'),
      col('creation_time', 'Created (epoch ms)'),
      col('aliases', "Its aliases, comma-separated and sorted (NULL when none), e.g. 'champion'"),
    ],
    `SELECT m.name, v.version, v.current_stage AS stage, v.source, v.run_id, v.status, v.creation_time,
            (SELECT group_concat(alias, ',') FROM (SELECT a.alias FROM main.registered_model_aliases a
              WHERE a.model_id = v.model_id AND a.version = v.version ORDER BY a.alias)) AS aliases
       FROM main.model_versions v JOIN main.registered_models m ON m.model_id = v.model_id`,
  ),
];

/** The SQLite names of the views (`system_ml_runs`, …). */
export const SYSTEM_VIEW_NAMES: readonly string[] = SYSTEM_VIEWS.map((v) => v.sqliteName);

/**
 * The statements that create the views on a copy of the database (run after the functions
 * `trackside_metric_point(part, n, field)` and `trackside_packed_count(header)` are registered).
 * `trackside_metric_parts` lists sealed chunks (part = chunk_id) and unsealed tails (part =
 * −series_id) with their point counts.
 */
export function viewSetupStatements(): string[] {
  return [
    'CREATE TEMP TABLE trackside_point_index(n INTEGER PRIMARY KEY)',
    // A sealed chunk holds CHUNK_SIZE points and a tail fewer (it is sealed when it reaches that).
    `INSERT INTO trackside_point_index(n)
       WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n + 1 < ${CHUNK_SIZE}) SELECT n FROM i`,
    `CREATE TEMP VIEW trackside_metric_parts AS
       SELECT series_id, chunk_id AS part, point_count FROM main.metric_chunks
       UNION ALL
       SELECT series_id, -series_id AS part, trackside_packed_count(substr(data, 1, 4)) AS point_count FROM main.metric_tails`,
    ...SYSTEM_VIEWS.map((v) => `CREATE TEMP VIEW ${v.sqliteName} AS ${v.select}`),
  ];
}

/** The views and their columns as text, for `trackside sql --views` and the query editor. */
export function describeSystemViews(): string {
  return SYSTEM_VIEWS.map((v) => {
    const width = Math.max(...v.columns.map((c) => c.name.length));
    return [`${v.name}  — ${v.description}`, ...v.columns.map((c) => `  ${c.name.padEnd(width)}  ${c.description}`)].join('\n');
  }).join('\n\n');
}

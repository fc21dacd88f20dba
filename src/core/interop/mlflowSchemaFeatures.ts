import type { Database } from 'sql.js';

/** Which parts of MLflow's schema a database has (they arrived over MLflow 1.x–3.x). */
export interface MlflowSchemaFeatures {
  /** `metrics.step` (alembic 451aebb31d03, MLflow 1.0); before it every point is step 0. */
  metricSteps: boolean;
  /** `metrics.is_nan` (181f10493468); before it MLflow could not store NaN. */
  nanFlags: boolean;
  experimentTags: boolean;
  latestMetrics: boolean;
  registry: boolean;
  registryTags: boolean;
  modelVersionTags: boolean;
  /** `registered_model_aliases` (3500859a5d39, MLflow 2.3). */
  aliases: boolean;
  /** `datasets`, `inputs`, `input_tags` (7f2a7d5fae7d, MLflow 2.4). */
  datasets: boolean;
  /** `experiments.creation_time` / `last_update_time` (97727af70f4d, MLflow 2.2). */
  experimentTimes: boolean;
  runDeletedTime: boolean;
  storageLocation: boolean;
  /** MLflow 3's `logged_models` tables (not imported). */
  loggedModels: boolean;
  /** `workspace` columns (1b5f0d9ad7c1). */
  workspaces: boolean;
}

/** The features of a database with these tables and columns (`columns`: table → its column names). */
export function detectFeatures(tables: ReadonlySet<string>, columns: ReadonlyMap<string, ReadonlySet<string>>): MlflowSchemaFeatures {
  const has = (table: string, column?: string): boolean =>
    column === undefined ? tables.has(table) : (columns.get(table)?.has(column) ?? false);
  return {
    metricSteps: has('metrics', 'step'),
    nanFlags: has('metrics', 'is_nan'),
    experimentTags: has('experiment_tags'),
    latestMetrics: has('latest_metrics'),
    registry: has('registered_models') && has('model_versions'),
    registryTags: has('registered_model_tags'),
    modelVersionTags: has('model_version_tags'),
    aliases: has('registered_model_aliases'),
    datasets: has('datasets') && has('inputs') && has('input_tags'),
    experimentTimes: has('experiments', 'creation_time'),
    runDeletedTime: has('runs', 'deleted_time'),
    storageLocation: has('model_versions', 'storage_location'),
    loggedModels: has('logged_models'),
    workspaces: has('experiments', 'workspace'),
  };
}

/** Builds an index on `table(run_uuid)` in the in-memory copy when the database has none. */
export function ensureRunIndex(db: Database, table: string): void {
  const indexes = db.exec(`PRAGMA index_list(${table})`)[0]?.values ?? [];
  for (const index of indexes) {
    const first = db.exec(`PRAGMA index_info("${String(index[1]).replace(/"/g, '""')}")`)[0]?.values?.[0];
    if (first && first[2] === 'run_uuid') return;
  }
  db.run(`CREATE INDEX trackside_import_${table}_run_uuid ON ${table}(run_uuid)`);
}

import type { Database } from './database';

/**
 * Numbered schema migrations. `PRAGMA user_version` holds the number of the last one applied;
 * each runs once, in order, in one transaction. Never edit a released migration: add one.
 */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'tracking',
    sql: `
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE experiments (
  experiment_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  artifact_location TEXT NOT NULL,
  lifecycle_stage TEXT NOT NULL DEFAULT 'active',
  creation_time INTEGER NOT NULL,
  last_update_time INTEGER NOT NULL,
  deleted_time INTEGER
);
CREATE UNIQUE INDEX experiments_active_name ON experiments(name) WHERE lifecycle_stage = 'active';

CREATE TABLE experiment_tags (
  experiment_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (experiment_id, key)
) WITHOUT ROWID;

-- run_int is the compact integer id used by every child table; run_uuid is MLflow's 32-hex id.
CREATE TABLE runs (
  run_int INTEGER PRIMARY KEY,
  run_uuid TEXT NOT NULL UNIQUE,
  experiment_id INTEGER NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  user_id TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  start_time INTEGER,
  end_time INTEGER,
  lifecycle_stage TEXT NOT NULL DEFAULT 'active',
  artifact_uri TEXT NOT NULL,
  deleted_time INTEGER,
  parent_run_uuid TEXT
);
CREATE INDEX runs_by_experiment ON runs(experiment_id, lifecycle_stage, start_time DESC, run_uuid);
CREATE INDEX runs_by_parent ON runs(parent_run_uuid) WHERE parent_run_uuid IS NOT NULL;

CREATE TABLE params (
  run_int INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_int, key)
) WITHOUT ROWID;
CREATE INDEX params_by_key ON params(key, value);

CREATE TABLE tags (
  run_int INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_int, key)
) WITHOUT ROWID;
CREATE INDEX tags_by_key ON tags(key, value);

CREATE TABLE metric_keys (
  key_id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE
);

-- One row per (run, metric key): MLflow's latest value (max step, then max timestamp, then max
-- value) plus the summary the runs table shows (count, min, max over non-NaN values).
CREATE TABLE metric_series (
  series_id INTEGER PRIMARY KEY,
  run_int INTEGER NOT NULL,
  key_id INTEGER NOT NULL,
  count INTEGER NOT NULL DEFAULT 0,
  min_value REAL,
  max_value REAL,
  last_value REAL NOT NULL DEFAULT 0,
  last_is_nan INTEGER NOT NULL DEFAULT 0,
  last_step INTEGER NOT NULL DEFAULT 0,
  last_timestamp INTEGER NOT NULL DEFAULT 0,
  min_step INTEGER,
  max_step INTEGER,
  sealed_max_step INTEGER
);
CREATE UNIQUE INDEX metric_series_by_run_key ON metric_series(run_int, key_id);
CREATE INDEX metric_series_by_key_value ON metric_series(key_id, last_value);

-- Metric history, packed: sealed chunks of up to 1,024 points sorted by (step, timestamp), with a
-- roll-up (first/last step, min, max, last value) per 64 points so long series read O(buckets).
CREATE TABLE metric_chunks (
  chunk_id INTEGER PRIMARY KEY,
  series_id INTEGER NOT NULL,
  first_step INTEGER NOT NULL,
  last_step INTEGER NOT NULL,
  point_count INTEGER NOT NULL,
  data BLOB NOT NULL,
  rollup BLOB NOT NULL
);
CREATE INDEX metric_chunks_by_series ON metric_chunks(series_id, first_step);

-- The unsealed tail of each series, written at checkpoints (the journal covers it in between).
CREATE TABLE metric_tails (
  series_id INTEGER PRIMARY KEY,
  data BLOB NOT NULL
);

CREATE TABLE datasets (
  dataset_id INTEGER PRIMARY KEY,
  experiment_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  digest TEXT NOT NULL,
  source_type TEXT NOT NULL,
  source TEXT NOT NULL,
  schema TEXT,
  profile TEXT,
  UNIQUE (experiment_id, name, digest)
);

CREATE TABLE run_inputs (
  run_int INTEGER NOT NULL,
  dataset_id INTEGER NOT NULL,
  PRIMARY KEY (run_int, dataset_id)
) WITHOUT ROWID;
CREATE INDEX run_inputs_by_dataset ON run_inputs(dataset_id);

CREATE TABLE run_input_tags (
  run_int INTEGER NOT NULL,
  dataset_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_int, dataset_id, key)
) WITHOUT ROWID;
`,
  },
  {
    version: 2,
    name: 'registry',
    sql: `
-- model_id keeps children stable across renames; versions are never reused (next_version).
CREATE TABLE registered_models (
  model_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  creation_time INTEGER NOT NULL,
  last_updated_time INTEGER NOT NULL,
  description TEXT,
  user_id TEXT,
  next_version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE registered_model_tags (
  model_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (model_id, key)
) WITHOUT ROWID;

CREATE TABLE model_versions (
  model_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  creation_time INTEGER NOT NULL,
  last_updated_time INTEGER NOT NULL,
  description TEXT,
  user_id TEXT,
  current_stage TEXT NOT NULL DEFAULT 'None',
  source TEXT NOT NULL,
  run_id TEXT,
  run_link TEXT,
  status TEXT NOT NULL DEFAULT 'READY',
  status_message TEXT,
  PRIMARY KEY (model_id, version)
) WITHOUT ROWID;
CREATE INDEX model_versions_by_run ON model_versions(run_id);

CREATE TABLE model_version_tags (
  model_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (model_id, version, key)
) WITHOUT ROWID;

CREATE TABLE registered_model_aliases (
  model_id INTEGER NOT NULL,
  alias TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (model_id, alias)
) WITHOUT ROWID;

-- Every alias move and stage transition: which version was Production on 3 March.
CREATE TABLE registry_history (
  event_id INTEGER PRIMARY KEY,
  model_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  alias TEXT,
  version INTEGER,
  from_value TEXT,
  to_value TEXT,
  time INTEGER NOT NULL,
  user_id TEXT
);
CREATE INDEX registry_history_by_model ON registry_history(model_id, time);
`,
  },
  {
    version: 3,
    name: 'model version storage location',
    sql: `
-- Where a version's source resolved to when it was registered (a runs:/ or models:/ source is
-- resolved once, as MLflow's storage_location); NULL means the source itself.
ALTER TABLE model_versions ADD COLUMN storage_location TEXT;
CREATE INDEX registry_history_by_alias ON registry_history(model_id, alias, event_id) WHERE alias IS NOT NULL;
-- latest_versions (the highest version per stage) without scanning every version of a model.
CREATE INDEX model_versions_by_stage ON model_versions(model_id, current_stage, version);
`,
  },
  {
    version: 4,
    name: 'model version tags by key',
    sql: `
-- search_model_versions with tags.<key> = / LIKE / IN starts from the matching tags instead of
-- testing every version (the search joins its top-level tag conditions on this index).
CREATE INDEX model_version_tags_by_key ON model_version_tags(key, value);
`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Brings the database up to the newest schema; refuses one written by a newer Trackside. */
export function migrate(db: Database): void {
  const current = Number(db.scalar('PRAGMA user_version') ?? 0);
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `This store was written by a newer Trackside (schema ${current}; this version knows ${SCHEMA_VERSION}). ` +
        'Update Trackside to open it.',
    );
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.exec(`PRAGMA user_version = ${migration.version}`);
    });
  }
}

import type { SqlValue } from 'sql.js';
import { Database } from '../../../src/core/store/database';
import { migrate } from '../../../src/core/store/migrations';
import { loadSqlJs } from '../../../src/core/store/sqlJsLoader';
import { buildRunSearchSql, type RunSearchQuery } from '../../../src/core/search/runSearchSql';

export interface RunRow {
  runInt: number;
  experiment: number;
  name: string;
  user?: string;
  status?: string;
  start?: number | null;
  end?: number | null;
  stage?: 'active' | 'deleted';
}

/** A migrated in-memory store with rows inserted directly, for checking what searches return. */
export class SearchFixture {
  private constructor(readonly db: Database) {}

  static async create(): Promise<SearchFixture> {
    const db = Database.create(await loadSqlJs());
    migrate(db);
    return new SearchFixture(db);
  }

  close(): void {
    this.db.close();
  }

  experiment(id: number, name: string, created = id * 100, updated = created, stage: 'active' | 'deleted' = 'active'): void {
    this.db.run(
      `INSERT INTO experiments(experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
       VALUES (?, ?, ?, ?, ?, ?)`,
      [id, name, `mlflow-artifacts:/${id}`, stage, created, updated],
    );
  }

  experimentTag(id: number, key: string, value: string): void {
    this.db.run('INSERT INTO experiment_tags(experiment_id, key, value) VALUES (?, ?, ?)', [id, key, value]);
  }

  /** The run's MLflow id is its integer padded to 32 hex digits. */
  static uuid(runInt: number): string {
    return runInt.toString(16).padStart(32, '0');
  }

  run(row: RunRow): void {
    this.db.run(
      `INSERT INTO runs(run_int, run_uuid, experiment_id, name, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        row.runInt, SearchFixture.uuid(row.runInt), row.experiment, row.name, row.user ?? '', row.status ?? 'FINISHED',
        row.start === undefined ? row.runInt * 1000 : row.start, row.end ?? null, row.stage ?? 'active',
        `mlflow-artifacts:/${row.experiment}/${SearchFixture.uuid(row.runInt)}/artifacts`,
      ],
    );
  }

  param(runInt: number, key: string, value: string): void {
    this.db.run('INSERT INTO params(run_int, key, value) VALUES (?, ?, ?)', [runInt, key, value]);
  }

  tag(runInt: number, key: string, value: string): void {
    this.db.run('INSERT INTO tags(run_int, key, value) VALUES (?, ?, ?)', [runInt, key, value]);
  }

  /** The latest value of a metric (NaN stored as MLflow does: last_is_nan = 1). */
  metric(runInt: number, key: string, value: number): void {
    this.db.run('INSERT OR IGNORE INTO metric_keys(key) VALUES (?)', [key]);
    const keyId = this.db.scalar('SELECT key_id FROM metric_keys WHERE key = ?', [key]);
    const nan = Number.isNaN(value);
    this.db.run(
      'INSERT INTO metric_series(run_int, key_id, count, last_value, last_is_nan) VALUES (?, ?, 1, ?, ?)',
      [runInt, keyId as SqlValue, nan ? 0 : value, nan ? 1 : 0],
    );
  }

  dataset(id: number, experiment: number, name: string, digest: string): void {
    this.db.run(
      'INSERT INTO datasets(dataset_id, experiment_id, name, digest, source_type, source) VALUES (?, ?, ?, ?, ?, ?)',
      [id, experiment, name, digest, 'local', `/data/${name}.csv`],
    );
  }

  input(runInt: number, datasetId: number, context?: string): void {
    this.db.run('INSERT INTO run_inputs(run_int, dataset_id) VALUES (?, ?)', [runInt, datasetId]);
    if (context !== undefined) {
      this.db.run('INSERT INTO run_input_tags(run_int, dataset_id, key, value) VALUES (?, ?, ?, ?)', [
        runInt, datasetId, 'mlflow.data.context', context,
      ]);
    }
  }

  /** Runs a run search and returns the run names in result order. */
  runNames(query: Partial<RunSearchQuery> = {}): string[] {
    const { sql, params } = buildRunSearchSql({
      experimentIds: [1],
      viewType: 'ACTIVE_ONLY',
      limit: 1000,
      offset: 0,
      ...query,
    });
    const names = new Map(this.db.values('SELECT run_int, name FROM runs').map((r) => [Number(r[0]), String(r[1])]));
    return this.db.values(sql, params).map((r) => names.get(Number(r[0])) ?? '?');
  }

  /** The rows a generated query returns, first column only. */
  firstColumn(query: { sql: string; params: SqlValue[] }): SqlValue[] {
    return this.db.values(query.sql, query.params).map((r) => r[0]);
  }
}

/**
 * The shared run fixture. Experiment 1 holds five runs (one deleted), experiment 2 one.
 *
 * | run | name    | user | status   | start | end  | params                 | metrics                 |
 * |-----|---------|------|----------|-------|------|------------------------|-------------------------|
 * | 1   | alpha   | ann  | FINISHED | 1000  | 2000 | model=rf, lr=0.1, a b=x | rmse 0.5, acc 0.9, loss -0.001 |
 * | 2   | beta    | bob  | FAILED   | 2000  | —    | model=RF, lr=0.01      | rmse 0.8                |
 * | 3   | Gamma   | ann  | RUNNING  | 3000  | —    | model=xgb              | rmse NaN                |
 * | 6   | zeta    | cat  | KILLED   | 1500  | 1600 | —                      | —                       |
 * | 4   | delta   | dan  | FINISHED | 4000  | (deleted)                                        |
 * | 5   | epsilon | eve  | FINISHED | 5000  | experiment 2                                     |
 */
export function seedRuns(f: SearchFixture): void {
  f.experiment(1, 'exp-one');
  f.experiment(2, 'exp-two');
  f.run({ runInt: 1, experiment: 1, name: 'alpha', user: 'ann', status: 'FINISHED', start: 1000, end: 2000 });
  f.run({ runInt: 2, experiment: 1, name: 'beta', user: 'bob', status: 'FAILED', start: 2000 });
  f.run({ runInt: 3, experiment: 1, name: 'Gamma', user: 'ann', status: 'RUNNING', start: 3000 });
  f.run({ runInt: 6, experiment: 1, name: 'zeta', user: 'cat', status: 'KILLED', start: 1500, end: 1600 });
  f.run({ runInt: 4, experiment: 1, name: 'delta', user: 'dan', start: 4000, stage: 'deleted' });
  f.run({ runInt: 5, experiment: 2, name: 'epsilon', user: 'eve', start: 5000 });

  f.param(1, 'model', 'rf');
  f.param(1, 'lr', '0.1');
  f.param(1, 'a b', 'x');
  f.param(2, 'model', 'RF');
  f.param(2, 'lr', '0.01');
  f.param(3, 'model', 'xgb');
  f.param(4, 'model', 'rf');
  f.param(5, 'model', 'rf');

  f.tag(1, 'my tag', 'yes');
  f.tag(1, 'team', 'ml');
  f.tag(1, 'mlflow.source.type', 'LOCAL');
  f.tag(1, 'glob', 'a*b');
  f.tag(2, 'team', 'ML-ops');
  f.tag(2, 'glob', 'axxb');
  f.tag(3, 'quote', "it's \"quoted\"");
  f.tag(3, 'team', 'data_eng');

  f.metric(1, 'rmse', 0.5);
  f.metric(1, 'acc', 0.9);
  f.metric(1, 'loss', -0.001);
  f.metric(2, 'rmse', 0.8);
  f.metric(3, 'rmse', NaN);
  f.metric(5, 'rmse', 0.1);

  f.dataset(1, 1, 'train', 'abc123');
  f.dataset(2, 1, 'eval', 'def456');
  f.input(1, 1, 'training');
  f.input(2, 2, 'evaluation');
  f.input(3, 1);
}

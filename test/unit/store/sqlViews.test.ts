import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { querySql } from '../../../src/core/client/sqlClient';
import { TrackingClient } from '../../../src/core/client/trackingClient';
import { TrackingClientError } from '../../../src/core/client/trackingClientError';
import { TrackingServer } from '../../../src/core/server/trackingServer';
import { SqlRefusedError, guardQuery } from '../../../src/core/store/sqlGuard';
import { SQL_LIMITS, SqlTimeoutError, runSqlQuery, type SqlQueryResult } from '../../../src/core/store/sqlQueryRunner';
import { SYSTEM_VIEWS, SYSTEM_VIEW_NAMES } from '../../../src/core/store/sqlViews';
import { StoreBackend } from '../../../src/core/store/storeBackend';

/** Rows as objects keyed by column name (easier to read in assertions). */
function objects(result: SqlQueryResult): Record<string, unknown>[] {
  return result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, row[i]])));
}

interface Seeded {
  experimentId: string;
  deletedExperimentId: string;
  parent: string;
  child: string;
  deletedRun: string;
  longRun: string;
}

/** A store with nested, deleted and long runs, NaN points, params, tags and a registry. */
function seed(backend: StoreBackend): Seeded {
  const t = backend.tracking;
  const experimentId = t.createExperiment({ name: 'churn', tags: [{ key: 'team', value: 'growth' }] }).experiment_id;
  const deletedExperimentId = t.createExperiment({ name: 'old-idea' }).experiment_id;
  t.deleteExperiment(deletedExperimentId);
  const parent = t.createRun({ experiment_id: experimentId, run_name: 'sweep', start_time: 1_000, user_id: 'ana' }).info.run_id;
  const child = t.createRun({
    experiment_id: experimentId, run_name: 'trial-1', start_time: 2_000, user_id: 'ben', tags: [{ key: 'mlflow.parentRunId', value: parent }],
  }).info.run_id;
  const deletedRun = t.createRun({ experiment_id: experimentId, run_name: 'oops', start_time: 3_000 }).info.run_id;
  t.deleteRun(deletedRun);
  const longRun = t.createRun({ experiment_id: experimentId, run_name: 'long', start_time: 4_000 }).info.run_id;
  t.logBatch({ run_id: parent, params: [{ key: 'lr', value: '0.1' }, { key: 'depth', value: '4' }], tags: [{ key: 'stage', value: 'tuning' }] });
  t.logBatch({ run_id: child, params: [{ key: 'lr', value: '0.01' }] });
  t.logBatch({
    run_id: child,
    metrics: [
      { key: 'loss', value: 0.5, timestamp: 10, step: 0 },
      { key: 'loss', value: Number.NaN, timestamp: 11, step: 1 },
      { key: 'loss', value: 0.25, timestamp: 12, step: 2 },
    ],
  });
  // 2,500 points: two sealed chunks of 1,024 and an unsealed tail of 452 still in memory.
  for (let start = 0; start < 2500; start += 1000) {
    t.logBatch({
      run_id: longRun,
      metrics: Array.from({ length: Math.min(1000, 2500 - start) }, (_, i) => ({ key: 'train/loss', value: 1 / (start + i + 1), timestamp: 100 + start + i, step: start + i })),
    });
  }
  t.updateRun({ run_id: parent, status: 'FINISHED', end_time: 9_000 });
  const r = backend.registry;
  r.createRegisteredModel({ name: 'churn-classifier', description: 'GBM' });
  r.createModelVersion({ name: 'churn-classifier', source: `runs:/${child}/model`, run_id: child });
  r.createModelVersion({ name: 'churn-classifier', source: `runs:/${child}/model`, run_id: child });
  r.transitionModelVersionStage({ name: 'churn-classifier', version: '2', stage: 'Production', archive_existing_versions: false });
  r.setRegisteredModelAlias({ name: 'churn-classifier', alias: 'champion', version: '2' });
  r.setRegisteredModelAlias({ name: 'churn-classifier', alias: 'blessed', version: '2' });
  return { experimentId, deletedExperimentId, parent, child, deletedRun, longRun };
}

describe('SQL over the system.ml views', function () {
  this.timeout(30_000);
  let backend: StoreBackend;
  let ids: Seeded;
  before(async () => {
    backend = await StoreBackend.inMemory();
    ids = seed(backend);
  });
  after(() => backend.close());

  const sql = (query: string, options = {}): Promise<SqlQueryResult> => runSqlQuery(backend.store, query, options);

  it('documents every view with the columns it answers', async () => {
    assert.deepEqual(SYSTEM_VIEW_NAMES, [
      'system_ml_experiments', 'system_ml_experiment_tags', 'system_ml_runs', 'system_ml_params', 'system_ml_tags', 'system_ml_metrics',
      'system_ml_metric_summaries', 'system_ml_models', 'system_ml_model_versions',
    ]);
    for (const view of SYSTEM_VIEWS) {
      const result = await sql(`SELECT * FROM ${view.name} LIMIT 1`);
      assert.deepEqual(result.columns, view.columns.map((c) => c.name), `${view.name}'s columns match its documentation`);
    }
  });

  it('system.ml.experiments and experiment_tags', async () => {
    const result = objects(await sql('SELECT experiment_id, name, lifecycle_stage FROM system.ml.experiments ORDER BY name'));
    assert.deepEqual(result, [
      { experiment_id: '0', name: 'Default', lifecycle_stage: 'active' },
      { experiment_id: ids.experimentId, name: 'churn', lifecycle_stage: 'active' },
      { experiment_id: ids.deletedExperimentId, name: 'old-idea', lifecycle_stage: 'deleted' },
    ]);
    assert.deepEqual((await sql('SELECT * FROM system.ml.experiment_tags')).rows, [[ids.experimentId, 'team', 'growth']]);
  });

  it('system.ml.runs with parent links, users, times and deleted runs', async () => {
    const runs = objects(await sql('SELECT run_id, run_name, status, user_id, start_time, end_time, lifecycle_stage, parent_run_id FROM system.ml.runs ORDER BY start_time'));
    assert.deepEqual(runs, [
      { run_id: ids.parent, run_name: 'sweep', status: 'FINISHED', user_id: 'ana', start_time: 1000, end_time: 9000, lifecycle_stage: 'active', parent_run_id: null },
      { run_id: ids.child, run_name: 'trial-1', status: 'RUNNING', user_id: 'ben', start_time: 2000, end_time: null, lifecycle_stage: 'active', parent_run_id: ids.parent },
      { run_id: ids.deletedRun, run_name: 'oops', status: 'RUNNING', user_id: null, start_time: 3000, end_time: null, lifecycle_stage: 'deleted', parent_run_id: null },
      { run_id: ids.longRun, run_name: 'long', status: 'RUNNING', user_id: null, start_time: 4000, end_time: null, lifecycle_stage: 'active', parent_run_id: null },
    ]);
  });

  it('system.ml.params and system.ml.tags', async () => {
    assert.deepEqual((await sql('SELECT count(*) FROM system.ml.params')).rows, [[3]]);
    const params = (await sql(`SELECT key, value FROM system.ml.params WHERE run_id = '${ids.parent}' ORDER BY key`)).rows;
    assert.deepEqual(params, [['depth', '4'], ['lr', '0.1']]);
    const tags = (await sql(`SELECT key, value FROM system.ml.tags WHERE run_id = '${ids.child}' ORDER BY key`)).rows;
    assert.deepEqual(tags, [['mlflow.parentRunId', ids.parent], ['mlflow.runName', 'trial-1']]);
  });

  it('system.ml.metrics expands every point of the packed history, unsealed tail included, NaN as NULL', async () => {
    const child = (await sql(`SELECT step, timestamp, value FROM system.ml.metrics WHERE run_id = '${ids.child}' ORDER BY step`)).rows;
    assert.deepEqual(child, [[0, 10, 0.5], [1, 11, null], [2, 12, 0.25]]);
    const long = await sql(`SELECT step, timestamp, value FROM system.ml.metrics WHERE run_id = '${ids.longRun}' AND key = 'train/loss' ORDER BY step`);
    const history = backend.tracking.metrics.getHistory({ run_id: ids.longRun, metric_key: 'train/loss' }).metrics;
    assert.equal(long.rows.length, 2500);
    assert.deepEqual(long.rows, history.map((m) => [m.step, m.timestamp, m.value]), 'the same points as get-history, in order');
    const types = (await sql("SELECT DISTINCT typeof(step), typeof(timestamp) FROM system.ml.metrics")).rows;
    assert.deepEqual(types, [['integer', 'integer']]);
  });

  it('system.ml.metric_summaries agrees with the expanded history', async () => {
    const summaries = objects(await sql('SELECT run_id, key, last, last_step, min, max, count FROM system.ml.metric_summaries'));
    const child = summaries.find((s) => s.run_id === ids.child)!;
    assert.deepEqual(child, { run_id: ids.child, key: 'loss', last: 0.25, last_step: 2, min: 0.25, max: 0.5, count: 3 });
    const counted = (await sql(`
      SELECT s.run_id, s.key, s.count, (SELECT count(*) FROM system.ml.metrics m WHERE m.run_id = s.run_id AND m.key = s.key) AS points,
             s.max = (SELECT max(value) FROM system.ml.metrics m WHERE m.run_id = s.run_id AND m.key = s.key) AS same_max
        FROM system.ml.metric_summaries s`)).rows;
    assert.equal(counted.length, 2);
    for (const [runId, key, count, points, sameMax] of counted) assert.deepEqual([count, sameMax], [points, 1], `${runId} ${key}`);
  });

  it('system.ml.models and model_versions with stages and aliases', async () => {
    assert.deepEqual((await sql('SELECT name, description FROM system.ml.models')).rows, [['churn-classifier', 'GBM']]);
    const versions = objects(await sql('SELECT name, version, stage, source, run_id, status, aliases FROM system.ml.model_versions ORDER BY version'));
    assert.deepEqual(versions, [
      { name: 'churn-classifier', version: 1, stage: 'None', source: `runs:/${ids.child}/model`, run_id: ids.child, status: 'READY', aliases: null },
      { name: 'churn-classifier', version: 2, stage: 'Production', source: `runs:/${ids.child}/model`, run_id: ids.child, status: 'READY', aliases: 'blessed,champion' },
    ]);
  });

  it('joins across views: the best loss per learning rate, and the runs behind production models', async () => {
    const best = (await sql(`
      SELECT p.value AS lr, min(m.value) AS best_loss
        FROM system.ml.metrics m JOIN system.ml.params p ON p.run_id = m.run_id AND p.key = 'lr'
       WHERE m.key = 'loss' GROUP BY p.value`)).rows;
    assert.deepEqual(best, [['0.01', 0.25]]);
    const production = (await sql(`
      SELECT r.run_name, e.name, v.version FROM "system"."ml"."model_versions" v
        JOIN system.ml.runs r ON r.run_id = v.run_id JOIN system_ml_experiments e ON e.experiment_id = r.experiment_id
       WHERE v.stage = 'Production'`)).rows;
    assert.deepEqual(production, [['trial-1', 'churn', 2]]);
  });

  it('refuses writes, schema changes, PRAGMA, ATTACH and more than one statement, and the store stays as it was', async () => {
    const refused = [
      "INSERT INTO params VALUES (1, 'x', 'y')",
      "UPDATE runs SET name = 'x'",
      'DELETE FROM runs',
      'DROP TABLE runs',
      "ATTACH DATABASE '/tmp/x.db' AS x",
      'PRAGMA query_only = 0',
      'SELECT 1; DELETE FROM runs',
      'SELECT 1; SELECT 2',
      'WITH doomed AS (SELECT run_int FROM runs) DELETE FROM runs WHERE run_int IN doomed',
      "REPLACE INTO meta VALUES ('a', 'b')",
      'CREATE TEMP TABLE t(x)',
      'VACUUM',
      'BEGIN',
      '',
      '  -- only a comment',
    ];
    const before = backend.store.db.export();
    for (const query of refused) {
      await assert.rejects(sql(query), (e: unknown) => e instanceof SqlRefusedError && /read-only|one statement|empty/i.test(e.message), query);
    }
    assert.equal(Buffer.compare(Buffer.from(backend.store.db.export()), Buffer.from(before)), 0, 'the database is byte for byte the same');
    // Read-only queries that merely mention those words in strings, comments or replace() run.
    const allowed = await sql("SELECT replace('drop table', 'drop', 'keep') AS text /* DELETE */, 'INSERT' AS word; -- a trailing comment");
    assert.deepEqual(allowed.rows, [['keep table', 'INSERT']]);
    assert.ok((await sql('EXPLAIN QUERY PLAN SELECT * FROM system.ml.runs')).rows.length > 0);
  });

  it('names an unknown system.ml view and reports SQLite errors plainly', async () => {
    await assert.rejects(sql('SELECT * FROM system.ml.nope'), /There is no view system\.ml\.nope\. The views are system\.ml\.experiments, /);
    await assert.rejects(sql('SELECT nope FROM system.ml.runs'), /SQL error: no such column: nope/);
    await assert.rejects(sql('SELEC 1'), /read-only queries/);
  });

  it('caps rows (10,000 by default) and says the answer was truncated', async () => {
    const capped = await sql('SELECT step FROM system.ml.metrics ORDER BY step', { maxRows: 100 });
    assert.equal(capped.rows.length, 100);
    assert.equal(capped.truncated, true);
    const exact = await sql('SELECT step FROM system.ml.metrics WHERE step < 3', { maxRows: 100 });
    assert.equal(exact.truncated, false);
    const endless = await sql('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c');
    assert.equal(endless.rows.length, SQL_LIMITS.defaultMaxRows);
    assert.equal(endless.truncated, true);
    assert.deepEqual(endless.rows.at(-1), [10_000]);
  });

  it('stops a query that never ends at its time limit with a clear error, and answers the next one', async () => {
    const started = Date.now();
    await assert.rejects(
      sql('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c', { timeoutMs: 1000 }),
      (e: unknown) => e instanceof SqlTimeoutError && /ran past its time limit of 1 s and was stopped/.test(e.message),
    );
    const took = Date.now() - started;
    assert.ok(took >= 1000 && took < 2500, `stopped after ${took} ms`);
    assert.deepEqual((await sql('SELECT count(*) FROM system.ml.runs')).rows, [[4]]);
  });

  it('guards: rewrites only names outside strings and comments', () => {
    const guarded = guardQuery("SELECT 'system.ml.runs' AS s FROM system.ml.runs /* system.ml.nope */ JOIN `system`.ml.[params] USING (run_id)", SYSTEM_VIEW_NAMES);
    assert.equal(guarded.sql, "SELECT 'system.ml.runs' AS s FROM system_ml_runs /* system.ml.nope */ JOIN system_ml_params USING (run_id)");
    assert.deepEqual(guarded.views, ['system_ml_params', 'system_ml_runs']);
  });
});

describe('POST /api/2.0/trackside/sql', function () {
  this.timeout(30_000);
  let backend: StoreBackend;
  let server: TrackingServer;
  let client: TrackingClient;
  let ids: Seeded;
  before(async () => {
    backend = await StoreBackend.inMemory();
    ids = seed(backend);
    const token = crypto.randomBytes(16).toString('hex');
    server = await TrackingServer.start({ backend, port: 0, token });
    client = new TrackingClient({ trackingUri: server.url, token });
  });
  after(async () => {
    client.close();
    await server.close();
    await backend.close();
  });

  it("is announced in /version and answers {columns, rows, truncated, elapsed_ms}", async () => {
    assert.ok((await client.capabilities()).extras.includes('sql'));
    const answer = await querySql(client, `SELECT run_name FROM system.ml.runs WHERE run_id = '${ids.child}'`);
    assert.deepEqual(answer.columns, ['run_name']);
    assert.deepEqual(answer.rows, [['trial-1']]);
    assert.equal(answer.truncated, false);
    assert.ok(answer.elapsed_ms >= 0);
    const capped = await querySql(client, 'SELECT * FROM system.ml.metrics', { maxRows: 5 });
    assert.equal(capped.rows.length, 5);
    assert.equal(capped.truncated, true);
  });

  it('refuses writes with 400 INVALID_PARAMETER_VALUE and a bad max_rows', async () => {
    await assert.rejects(querySql(client, 'DELETE FROM runs'), (e: unknown) => e instanceof TrackingClientError && e.status === 400 && /DELETE is refused|read-only/.test(e.message));
    await assert.rejects(querySql(client, 'SELECT 1', { maxRows: 0 }), /max_rows must be a whole number from 1 to 100000/);
  });

  it('keeps answering other requests while a query runs out its time limit', async () => {
    const endless = querySql(client, 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c', { timeoutMs: 2000 });
    const outcome = endless.then(() => 'answered', (e: TrackingClientError) => e);
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    const run = await client.runs.get(ids.child);
    const page = await client.runs.search({ experimentIds: [ids.experimentId] });
    assert.equal(run.info.run_name, 'trial-1');
    assert.equal(page.runs.length, 3);
    assert.ok(Date.now() - started < 500, `the engine answered in ${Date.now() - started} ms during the query`);
    const error = await outcome;
    assert.ok(error instanceof TrackingClientError, 'the endless query failed');
    assert.equal(error.errorCode, 'REQUEST_LIMIT_EXCEEDED');
    assert.match(error.message, /time limit of 2 s/);
  });
});

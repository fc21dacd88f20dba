import assert from 'node:assert/strict';
import path from 'node:path';
import { ModelCache } from '../../../src/core/models/modelCache';
import { runPerformanceCheck } from '../../../src/core/monitoring/performanceRun';
import { scoreWithModel } from '../../../src/core/monitoring/performanceScoring';
import { ServerFixture } from '../client/clientFixture';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { expectedSpend, logDemoModel, runtime } from '../models/modelsFixture';
import { runRecords, writeCsv } from './monitoringFixtures';

describe('runPerformanceCheck (logged as a run on a real server)', function () {
  this.timeout(30_000);
  let fixture: ServerFixture;
  let folder: string;
  let labelled: string;

  before(async () => {
    fixture = await ServerFixture.start();
    folder = tempFolder('trackside-performance-run-');
    const client = fixture.client;
    await client.registeredModels.create('churn');
    for (let version = 1; version <= 3; version++) await client.modelVersions.create('churn', `file:///models/churn/${version}`);
    await client.registeredModels.setAlias('churn', 'champion', '2');
    // 10 rows: 8 right. Label 1: 4 true, predicted 1 four times of which 3 right → precision 0.75, recall 0.75.
    labelled = writeCsv(
      path.join(folder, 'labelled.csv'),
      ['id', 'churned', 'predicted'],
      [
        [1, 1, 1], [2, 1, 1], [3, 1, 1], [4, 1, 0], [5, 0, 0],
        [6, 0, 0], [7, 0, 0], [8, 0, 0], [9, 0, 1], [10, 0, 0],
      ],
    );
  });
  after(async () => {
    await fixture.stop();
    removeFolder(folder);
  });

  it('logs perf.* metrics tagged with the model version into "Monitoring"', async () => {
    const client = fixture.client;
    const result = await runPerformanceCheck({ client, model: 'models:/churn/1', labelledPath: labelled, labelColumn: 'churned', predictionColumn: 'predicted', positiveLabel: 1 });
    assert.equal(result.task, 'classification');
    assert.deepEqual(result.model, { name: 'churn', version: '1', uri: 'models:/churn/1' });
    assert.deepEqual(result.metrics, { 'perf.accuracy': 0.8, 'perf.precision': 0.75, 'perf.recall': 0.75, 'perf.f1': 0.75, 'perf.rows': 10, 'perf.skipped_rows': 0 });
    assert.equal(result.summary, 'churn v1: accuracy 0.8, F1 0.75 (positive label 1) on 10 rows of labelled.csv.');
    const run = await client.runs.get(result.runId);
    assert.equal(run.info.status, 'FINISHED');
    assert.equal(run.info.experiment_id, (await client.experiments.getByName('Monitoring'))?.experiment_id);
    const { tags, params, metrics } = runRecords(run);
    assert.equal(tags['trackside.monitor'], 'performance');
    assert.equal(tags['trackside.model_name'], 'churn');
    assert.equal(tags['trackside.model_version'], '1');
    assert.deepEqual(metrics, result.metrics);
    assert.equal(params.label_column, 'churned');
    assert.equal(params.predictions, 'column predicted');
    assert.equal(params.positive_label, '1');
  });

  it("makes each version's checks a series the runs can be searched for", async () => {
    const client = fixture.client;
    await runPerformanceCheck({ client, model: 'models:/churn@champion', labelledPath: labelled, labelColumn: 'churned', predictionColumn: 'predicted' });
    await runPerformanceCheck({ client, model: { name: 'churn', version: '2' }, labelledPath: labelled, labelColumn: 'churned', predictionColumn: 'churned' });
    const latest = await runPerformanceCheck({ client, model: 'models:/churn/latest', labelledPath: labelled, labelColumn: 'churned', predictionColumn: 'predicted' });
    assert.equal(latest.model.version, '3');
    const experimentId = (await client.experiments.getByName('Monitoring'))!.experiment_id;
    const runs = await client.runs.searchAll({
      experimentIds: [experimentId],
      filter: "tags.trackside.monitor = 'performance' and tags.trackside.model_name = 'churn' and tags.trackside.model_version = '2'",
      orderBy: ['attributes.start_time ASC'],
    });
    assert.deepEqual(runs.map((run) => runRecords(run).metrics['perf.accuracy']), [0.8, 1]);
    // Without a positive label, 1 of the labels 0/1 is taken as positive, as the A/B comparison does.
    assert.equal(runRecords(runs[0]).metrics['perf.f1'], 0.75);
    assert.equal(runRecords(runs[0]).params.positive_label, '1');
  });

  it('scores regression with RMSE, MAE and R²', async () => {
    const file = writeCsv(path.join(folder, 'prices.csv'), ['price', 'estimate'], Array.from({ length: 30 }, (_, i) => [i * 10, i * 10 + (i % 2 === 0 ? 3 : -3)]));
    const result = await runPerformanceCheck({ client: fixture.client, model: 'models:/churn/3', labelledPath: file, labelColumn: 'price', predictionColumn: 'estimate' });
    assert.equal(result.task, 'regression');
    assert.equal(result.metrics['perf.rmse'], 3);
    assert.equal(result.metrics['perf.mae'], 3);
    assert.equal(result.metrics['perf.rows'], 30);
    assert.ok(result.metrics['perf.r2'] > 0.99);
    assert.match(result.summary, /^churn v3: RMSE 3, MAE 3, R² 0\.99\d* on 30 rows of prices\.csv\.$/);
  });

  it('scores through the model-scoring hook when there is no prediction column, and skips unlabelled rows', async () => {
    const file = writeCsv(path.join(folder, 'unscored.csv'), ['x', 'label'], [[1, 'a'], [2, 'b'], [3, ''], [4, 'b']]);
    const calls: string[] = [];
    const result = await runPerformanceCheck({
      client: fixture.client,
      model: 'models:/churn@champion',
      labelledPath: file,
      labelColumn: 'label',
      score: async ({ modelUri, inputPath }) => {
        calls.push(`${modelUri} ${path.basename(inputPath)}`);
        return ['a', 'b', 'a', 'a'];
      },
    });
    assert.deepEqual(calls, ['models:/churn/2 unscored.csv']);
    assert.equal(result.rowCount, 3);
    assert.equal(result.skippedRows, 1);
    assert.equal(result.metrics['perf.skipped_rows'], 1);
    assert.ok(Math.abs(result.metrics['perf.accuracy'] - 2 / 3) < 1e-12);
    // a/b: neither reads positive, so the averages are macro (F1 of a: 2/3, of b: 2/3).
    assert.ok(Math.abs(result.metrics['perf.f1'] - 2 / 3) < 1e-12);
  });

  it('scores with a real logged model through the model scoring driver', async function () {
    this.timeout(60_000);
    const client = fixture.client;
    const { version } = await logDemoModel(fixture.server.url, fixture.token, 'spend');
    const rows = Array.from({ length: 50 }, (_, i) => ({ tenure: i, plan: i % 3, calls: i % 4 }));
    const noise = (i: number): number => (i % 2 === 0 ? 2 : -2);
    const file = writeCsv(
      path.join(folder, 'spend.csv'),
      ['tenure', 'plan', 'calls', 'spend'],
      rows.map((row, i) => [row.tenure, row.plan, row.calls, expectedSpend(row) + noise(i)]),
    );
    const score = scoreWithModel(client, runtime(), new ModelCache(path.join(folder, 'model-cache')));
    const result = await runPerformanceCheck({ client, model: `models:/spend/${version}`, labelledPath: file, labelColumn: 'spend', score });
    assert.equal(result.task, 'regression');
    assert.ok(Math.abs(result.metrics['perf.rmse'] - 2) < 1e-9, `RMSE ${result.metrics['perf.rmse']}`);
    assert.ok(Math.abs(result.metrics['perf.mae'] - 2) < 1e-9);
    assert.equal(result.metrics['perf.rows'], 50);
    const { params } = runRecords(await client.runs.get(result.runId));
    assert.equal(params.predictions, 'scored by the model');
  });

  it('refuses clearly: no predictions, an unknown column, a missing version', async () => {
    const client = fixture.client;
    await assert.rejects(runPerformanceCheck({ client, model: 'models:/churn/1', labelledPath: labelled, labelColumn: 'churned' }), /Give the column holding the predictions, or score with the model/);
    await assert.rejects(
      runPerformanceCheck({ client, model: 'models:/churn/1', labelledPath: labelled, labelColumn: 'churn', predictionColumn: 'predicted' }),
      /The label column 'churn' is not in the file; its columns are id, churned, predicted/,
    );
    await assert.rejects(runPerformanceCheck({ client, model: 'models:/churn/9', labelledPath: labelled, labelColumn: 'churned', predictionColumn: 'predicted' }), /not found|does not exist/i);
    await assert.rejects(runPerformanceCheck({ client, model: 'runs:/abc/model', labelledPath: labelled, labelColumn: 'churned', predictionColumn: 'predicted' }), /registered model version/);
  });
});

import assert from 'node:assert/strict';
import path from 'node:path';
import { seedStore, trackside } from '../cli/cliFixture';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { expectedSpend, logDemoModel } from '../models/modelsFixture';
import { customerFiles, runRecords, writeCsv } from './monitoringFixtures';

describe('trackside monitor (the built CLI, in-process store)', function () {
  this.timeout(60_000);
  let folder: string;
  let store: string;
  let files: { reference: string; current: string };

  before(async () => {
    folder = tempFolder('trackside-cli-monitor-');
    store = path.join(folder, 'store');
    files = customerFiles(folder);
    await seedStore(store, async (client) => {
      await client.registeredModels.create('churn');
      await client.modelVersions.create('churn', 'file:///models/churn/1');
      await logDemoModel(client.trackingUri, client.token!, 'spend');
    });
  });
  after(() => removeFolder(folder));

  it('checks drift, says which columns drifted, and logs the run with its report', async () => {
    const result = await trackside(['monitor', 'drift', '--reference', files.reference, '--current', files.current, '--store', store]);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.match(lines[0], /^3 of 5 columns drifted: income \(PSI [\d.]+\), plan \(PSI [\d.]+\), score \(nulls/);
    const runId = /^Logged run ([0-9a-f]{32}) in experiment (\d+): drift.score 0.600, report in drift\/report.html, drift\/report.png, drift\/summary.json\.$/.exec(lines[1])?.[1];
    assert.ok(runId, lines[1]);
    assert.match(result.stderr, /Comparing current.csv against reference.csv/);
    const described = await trackside(['runs', 'describe', '--run-id', runId!, '--json', '--store', store]);
    const { tags, metrics } = runRecords(JSON.parse(described.stdout).run);
    assert.equal(tags['trackside.drifted_columns'], 'income,plan,score');
    assert.equal(metrics['drift.score'], 0.6);
    const artifacts = await trackside(['artifacts', 'list', '--run-id', runId!, '--artifact-path', 'drift', '--store', store]);
    assert.match(artifacts.stdout, /drift\/report\.html/);
    assert.match(artifacts.stdout, /drift\/report\.png/);
  });

  it('takes thresholds and an experiment, answers JSON, and fails on drift when asked', async () => {
    const args = ['monitor', 'drift', '-r', files.reference, '-c', files.current, '--psi', '0.05', '--ks-p', '0.01', '--experiment-name', 'nightly', '--store', store];
    const result = await trackside([...args, '--json', '--fail-on-drift']);
    assert.equal(result.code, 3, result.stderr);
    const answer = JSON.parse(result.stdout);
    assert.deepEqual(answer.drifted_columns, ['income', 'plan', 'score']);
    assert.equal(answer.thresholds.psi, 0.05);
    assert.equal(answer.thresholds.ksPValue, 0.01);
    assert.equal(answer.metrics['drift.score'], 0.6);
    const experiments = JSON.parse((await trackside(['experiments', 'search', '--json', '--store', store])).stdout);
    const nightly = experiments.experiments.find((experiment: { name: string }) => experiment.name === 'nightly');
    assert.equal(answer.experiment_id, nightly.experiment_id);
    const same = await trackside(['monitor', 'drift', '-r', files.reference, '-c', files.reference, '--fail-on-drift', '--store', store]);
    assert.equal(same.code, 0, 'a file does not drift from itself');
    assert.match(same.stdout, /^No drift: 0 of 5 columns drifted/);
  });

  it('refuses bad usage with exit code 2', async () => {
    const missing = await trackside(['monitor', 'drift', '--reference', files.reference, '--store', store]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Missing option --current/);
    const badPsi = await trackside(['monitor', 'drift', '-r', files.reference, '-c', files.current, '--psi', 'high', '--store', store]);
    assert.equal(badPsi.code, 2);
    assert.match(badPsi.stderr, /--psi must be a number above 0, got 'high'/);
    const noFile = await trackside(['monitor', 'drift', '-r', files.reference, '-c', path.join(folder, 'nope.csv'), '--store', store]);
    assert.equal(noFile.code, 2);
    assert.match(noFile.stderr, /nope\.csv: no such file/);
  });

  it('checks a model version’s performance on a labelled file', async () => {
    const labelled = writeCsv(path.join(folder, 'labelled.csv'), ['label', 'prediction'], [[1, 1], [0, 0], [1, 0], [0, 0]]);
    const result = await trackside(['monitor', 'performance', '-m', 'models:/churn/1', '-i', labelled, '--label', 'label', '-p', 'prediction', '--json', '--store', store]);
    assert.equal(result.code, 0, result.stderr);
    const answer = JSON.parse(result.stdout);
    assert.deepEqual(answer.model, { name: 'churn', version: '1', uri: 'models:/churn/1' });
    assert.equal(answer.metrics['perf.accuracy'], 0.75);
    assert.equal(answer.task, 'classification');
    const described = JSON.parse((await trackside(['runs', 'describe', '--run-id', answer.run_id, '--json', '--store', store])).stdout);
    assert.equal(runRecords(described.run).tags['trackside.model_version'], '1');
  });

  it('scores with the model itself when the file has no predictions', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({ tenure: i, plan: i % 2, calls: 1 }));
    const labelled = writeCsv(path.join(folder, 'spend.csv'), ['tenure', 'plan', 'calls', 'spend'], rows.map((row) => [row.tenure, row.plan, row.calls, expectedSpend(row) + 1]));
    const result = await trackside(['monitor', 'performance', '-m', 'models:/spend/latest', '-i', labelled, '--label', 'spend', '--store', store]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^spend v1: RMSE 1, MAE 1, R² 0\.99\d* on 30 rows of spend\.csv\.$/m);
    const broken = await trackside(['monitor', 'performance', '-m', 'models:/churn/1', '-i', labelled, '--label', 'spend', '--store', store]);
    assert.equal(broken.code, 1, 'a version whose files are not an MLflow Model');
    assert.match(broken.stderr, /^trackside monitor performance: /m);
  });
});

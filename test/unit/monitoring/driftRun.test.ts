import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { driftArtifacts, runDriftCheck } from '../../../src/core/monitoring/driftRun';
import { ServerFixture } from '../client/clientFixture';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { countColor, customerFiles, decodePng, runRecords, writeCsv } from './monitoringFixtures';

const red: [number, number, number] = [207, 34, 46];
const blue: [number, number, number] = [107, 143, 199];

describe('runDriftCheck (logged as a run on a real server)', function () {
  this.timeout(30_000);
  let fixture: ServerFixture;
  let folder: string;
  let files: { reference: string; current: string };

  before(async () => {
    fixture = await ServerFixture.start();
    folder = tempFolder('trackside-drift-run-');
    files = customerFiles(folder);
  });
  after(async () => {
    await fixture.stop();
    removeFolder(folder);
  });

  it('logs one finished run in "Monitoring" with a metric per column and test, and names the drifted columns', async () => {
    const client = fixture.client;
    const result = await runDriftCheck({ client, referencePath: files.reference, currentPath: files.current });
    assert.deepEqual(result.driftedColumns, ['income', 'plan', 'score']);
    assert.match(result.summary, /^3 of 5 columns drifted: income \(PSI [\d.]+\), plan \(PSI [\d.]+\), score \(nulls 0\.0% → 3\d\.\d%\)\.$/);

    const experiment = await client.experiments.getByName('Monitoring');
    assert.equal(result.experimentId, experiment?.experiment_id);
    const run = await client.runs.get(result.runId);
    assert.equal(run.info.status, 'FINISHED');
    assert.equal(run.info.run_name, 'drift: reference.csv → current.csv');
    const { tags, params, metrics } = runRecords(run);
    assert.equal(tags['trackside.monitor'], 'drift');
    assert.equal(tags['trackside.drifted_columns'], 'income,plan,score');
    assert.equal(tags['mlflow.note.content'], result.summary);
    assert.equal(params.reference, path.resolve(files.reference));
    assert.equal(params.current_rows, '2000');
    assert.equal(params.psi_threshold, '0.2');
    assert.equal(params.ks_pvalue_threshold, '0.05');

    // Numeric columns have KS, categorical ones chi-square; every column has PSI and its null-rate shift.
    for (const column of result.report.columns) {
      assert.equal(metrics[`drift.psi.${column.column}`], column.psi, column.column);
      assert.equal(metrics[`drift.null_rate_shift.${column.column}`], column.nullRateCur - column.nullRateRef);
      assert.equal(metrics[`drift.drifted.${column.column}`], column.drifted ? 1 : 0);
    }
    assert.ok(metrics['drift.ks.income'] > 0.5, `KS statistic of a 2σ shift: ${metrics['drift.ks.income']}`);
    assert.ok(metrics['drift.ks_pvalue.income'] < 1e-10);
    assert.ok(metrics['drift.ks_pvalue.age'] > 0.05, 'age is stable');
    assert.equal(metrics['drift.ks.plan'], undefined);
    assert.ok(metrics['drift.chi2_pvalue.plan'] < 1e-10);
    assert.ok(metrics['drift.chi2_pvalue.region'] > 0.05, 'region is stable');
    assert.equal(metrics['drift.chi2_pvalue.income'], undefined);
    assert.ok(Math.abs(metrics['drift.null_rate_shift.score'] - 0.3) < 0.05);
    assert.ok(Math.abs(metrics['drift.mean_shift_std.income'] - 2) < 0.2);
    assert.equal(metrics['drift.score'], 3 / 5);
    assert.ok(Math.abs(metrics['drift.mean_psi'] - result.report.meanPsi) < 1e-12);
  });

  it('uploads the HTML report, a PNG bar chart of PSI per column and a JSON summary', async () => {
    const client = fixture.client;
    const result = await runDriftCheck({ client, referencePath: files.reference, currentPath: files.current, experimentName: 'drift-artifacts' });
    const listed = (await client.artifacts.list(result.runId, 'drift')).files.map((file) => file.path).sort();
    assert.deepEqual(listed, [driftArtifacts.html, driftArtifacts.png, driftArtifacts.json].sort());

    const html = (await client.artifacts.read(result.runId, driftArtifacts.html)).toString('utf8');
    assert.match(html, /<title>Data drift report<\/title>/);
    assert.ok(html.includes('3 of 5 columns drifted'), 'the summary is in the report');
    assert.ok(html.includes('reference.csv (2,000 rows) against current.csv (2,000 rows)'));

    const png = decodePng(await client.artifacts.read(result.runId, driftArtifacts.png));
    assert.deepEqual(png.chunkTypes, ['IHDR', 'IDAT', 'IEND']);
    assert.ok(png.width >= 600 && png.height >= 5 * 24, `${png.width}×${png.height}`);
    // Drifted bars are red, stable ones blue: income's long bar dominates.
    assert.ok(countColor(png, red) > 2 * countColor(png, blue), 'more red than blue');
    assert.ok(countColor(png, blue) > 0, 'the stable columns have (short) blue bars');

    const summary = JSON.parse((await client.artifacts.read(result.runId, driftArtifacts.json)).toString('utf8'));
    assert.equal(summary.summary, result.summary);
    assert.deepEqual(summary.columns.map((column: { column: string; drifted: boolean }) => [column.column, column.drifted]), [
      ['age', false],
      ['region', false],
      ['income', true],
      ['plan', true],
      ['score', true],
    ]);
  });

  it('uses the thresholds it is given', async () => {
    const result = await runDriftCheck({
      client: fixture.client,
      referencePath: files.reference,
      currentPath: files.current,
      thresholds: { psi: 100, ksPValue: 0, chi2PValue: 0, nullRateShift: 0.5 },
    });
    assert.deepEqual(result.driftedColumns, []);
    assert.match(result.summary, /^No drift: 0 of 5 columns drifted/);
    const { tags, params, metrics } = runRecords(await fixture.client.runs.get(result.runId));
    assert.equal(tags['trackside.drifted_columns'], '');
    assert.equal(params.psi_threshold, '100');
    assert.equal(metrics['drift.score'], 0);
  });

  it('turns column names MLflow rejects into valid keys and keeps the mapping in a tag', async () => {
    const header = ['price (€)/unit', 'price ____unit', 'ok.name'];
    const reference = writeCsv(path.join(folder, 'odd-ref.csv'), header, [[1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 6]]);
    const current = writeCsv(path.join(folder, 'odd-cur.csv'), header, [[1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 6]]);
    const result = await runDriftCheck({ client: fixture.client, referencePath: reference, currentPath: current });
    assert.deepEqual(result.renamedColumns, { 'price ____unit_2': 'price (€)/unit' });
    const { tags, metrics } = runRecords(await fixture.client.runs.get(result.runId));
    assert.deepEqual(JSON.parse(tags['trackside.drift.column_keys']), { 'price ____unit_2': 'price (€)/unit' });
    assert.ok('drift.psi.price ____unit_2' in metrics);
    assert.ok('drift.psi.price ____unit' in metrics, 'the valid name keeps its own key');
    assert.ok('drift.psi.ok.name' in metrics);
  });

  it('creates no run when a file cannot be read', async () => {
    const experimentName = 'drift-unreadable';
    const empty = path.join(folder, 'empty.csv');
    fs.writeFileSync(empty, '');
    await assert.rejects(runDriftCheck({ client: fixture.client, referencePath: files.reference, currentPath: empty, experimentName }), /empty/);
    assert.equal(await fixture.client.experiments.getByName(experimentName), undefined);
  });
});

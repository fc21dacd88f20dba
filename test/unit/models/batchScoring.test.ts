import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openCsv } from '../../../src/core/data/csvReader';
import { runBatchScoring } from '../../../src/core/models/batchScoring';
import { ModelCache } from '../../../src/core/models/modelCache';
import { ScoringError } from '../../../src/core/models/modelScorer';
import type { Run } from '../../../src/shared/entities';
import { ServerFixture } from '../client/clientFixture';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { expectedSpend, logDemoModel, runtime, writeDemoCsv } from './modelsFixture';

function metric(run: Run, key: string): number | undefined {
  const value = run.data.metrics?.find((m) => m.key === key)?.value;
  return value === undefined ? undefined : Number(value);
}

function param(run: Run, key: string): string | undefined {
  return run.data.params?.find((p) => p.key === key)?.value;
}

function tag(run: Run, key: string): string | undefined {
  return run.data.tags?.find((t) => t.key === key)?.value;
}

describe('batch scoring from the registry (python3 against the real server)', function () {
  this.timeout(120_000);
  let fixture: ServerFixture;
  let work: string;
  let cache: ModelCache;

  before(async () => {
    fixture = await ServerFixture.start();
    work = tempFolder('trackside-scoring-');
    cache = new ModelCache(path.join(fixture.folder, '.model-cache'));
    await logDemoModel(fixture.server.url, fixture.token, 'spend', { alias: 'champion' });
  });

  after(async () => {
    await fixture.stop();
    removeFolder(work);
  });

  it('scores a 10k-row CSV with models:/name@alias, appends predictions, and logs the job as a run', async () => {
    const input = path.join(work, 'customers.csv');
    const output = path.join(work, 'scored', 'customers.predictions.csv');
    fs.mkdirSync(path.dirname(output), { recursive: true });
    writeDemoCsv(input, 10_000);
    const progress: number[] = [];
    const outcome = await runBatchScoring(fixture.client, runtime(), cache, {
      modelUri: 'models:/spend@champion',
      input,
      output,
      batchRows: 2000,
      onProgress: (p) => progress.push(p.rows),
    });
    assert.equal(outcome.result.inputRows, 10_000);
    assert.equal(outcome.result.outputRows, 10_000);
    assert.equal(outcome.model.name, 'spend');
    assert.equal(outcome.model.version, '1');
    assert.equal(outcome.model.cached, false);
    assert.ok(progress.length >= 1 && progress[progress.length - 1] <= 10_000, `progress: ${progress.join(',')}`);
    assert.ok(!fs.existsSync(`${output}.tmp`), 'no temporary file is left');

    // The output: every input column, then the prediction, row for row.
    const table = await openCsv(output);
    assert.deepEqual(table.header, ['id', 'tenure', 'plan', 'calls', 'spend', 'prediction']);
    let rows = 0;
    for await (const batch of table.batches) {
      for (const row of batch) {
        const [id, tenure, plan, calls, spend, prediction] = row.map(Number);
        assert.equal(id, rows);
        assert.ok(Math.abs(prediction - expectedSpend({ tenure, plan, calls })) < 1e-9, `row ${rows}: ${row.join(',')}`);
        assert.ok(Math.abs(prediction - spend) < 1e-9);
        rows++;
      }
    }
    assert.equal(rows, 10_000);

    // The run: in batch-scoring, finished, with the model, counts, duration and output.
    const run = await fixture.client.runs.get(outcome.runId!);
    const experiment = await fixture.client.experiments.get(run.info.experiment_id);
    assert.equal(experiment.name, 'batch-scoring');
    assert.equal(run.info.status, 'FINISHED');
    assert.equal(run.info.run_name, 'score spend v1 · customers.csv');
    assert.equal(param(run, 'model_uri'), 'models:/spend@champion');
    assert.equal(param(run, 'model_name'), 'spend');
    assert.equal(param(run, 'model_version'), '1');
    assert.equal(param(run, 'input_path'), input);
    assert.equal(metric(run, 'input_rows'), 10_000);
    assert.equal(metric(run, 'output_rows'), 10_000);
    assert.ok((metric(run, 'duration_seconds') ?? -1) > 0);
    assert.ok((metric(run, 'rows_per_second') ?? 0) > 1000, `rows/s ${metric(run, 'rows_per_second')}`);
    assert.equal(tag(run, 'trackside.scoring.output'), output);
    assert.equal(tag(run, 'trackside.model.version'), '1');
    assert.equal(tag(run, 'trackside.kind'), 'batch-scoring');

    // The version's files were cached; the next job reuses them.
    assert.ok(fs.existsSync(path.join(fixture.folder, '.model-cache', 'spend', '1', 'MLmodel')));
    const again = await runBatchScoring(fixture.client, runtime(), cache, { modelUri: 'models:/spend/1', input, output, track: false });
    assert.equal(again.model.cached, true);
    assert.equal(again.runId, undefined);
  });

  it('scores JSON lines into JSON lines', async () => {
    const input = path.join(work, 'rows.jsonl');
    const output = path.join(work, 'rows.scored.jsonl');
    fs.writeFileSync(input, '{"tenure": 1, "plan": 1, "calls": 0, "note": "a"}\n\n{"tenure": 2, "plan": 3, "calls": 1.5, "note": "b"}\n');
    const outcome = await runBatchScoring(fixture.client, runtime(), cache, { modelUri: 'models:/spend/1', input, output, track: false });
    assert.equal(outcome.result.inputRows, 2);
    const lines = fs.readFileSync(output, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(lines[0], { tenure: 1, plan: 1, calls: 0, note: 'a', prediction: expectedSpend({ tenure: 1, plan: 1, calls: 0 }) });
    assert.equal(lines[1].prediction, expectedSpend({ tenure: 2, plan: 3, calls: 1.5 }));
  });

  it('names the missing columns when the file does not match the signature, and ends the run FAILED', async () => {
    const input = path.join(work, 'partial.csv');
    const output = path.join(work, 'partial.out.csv');
    writeDemoCsv(input, 50, { columns: ['id', 'tenure', 'plan'] });
    const error = await runBatchScoring(fixture.client, runtime(), cache, { modelUri: 'models:/spend/1', input, output }).then(
      () => assert.fail('scoring should fail'),
      (e: unknown) => e as ScoringError,
    );
    assert.ok(error instanceof ScoringError);
    assert.equal(error.code, 'SCHEMA_MISMATCH');
    assert.deepEqual(error.missing, ['calls']);
    assert.match(error.message, /missing a column that the model's signature requires: 'calls'\. The input has: 'id', 'tenure', 'plan'/);
    assert.ok(!fs.existsSync(output) && !fs.existsSync(`${output}.tmp`), 'nothing is written');
    const runs = await fixture.client.runs.searchAll({ experimentIds: [(await fixture.client.experiments.getByName('batch-scoring'))!.experiment_id] });
    const failed = runs.find((r) => r.info.run_name === 'score spend v1 · partial.csv')!;
    assert.equal(failed.info.status, 'FAILED');
    assert.match(tag(failed, 'trackside.error') ?? '', /'calls'/);
  });

  it('names the cell when a value is not of the signature type', async () => {
    const input = path.join(work, 'typo.csv');
    fs.writeFileSync(input, 'tenure,plan,calls\n1,1,0\n2,two,0\n');
    await assert.rejects(
      runBatchScoring(fixture.client, runtime(), cache, { modelUri: 'models:/spend/1', input, output: path.join(work, 'typo.out.csv'), track: false }),
      (e: unknown) => e instanceof ScoringError && e.code === 'SCHEMA_MISMATCH' && /Column 'plan' row 2: 'two' is not a valid double/.test(e.message),
    );
  });

  it('stops when asked: no output, and the run ends KILLED', async () => {
    const input = path.join(work, 'big.csv');
    const output = path.join(work, 'big.out.csv');
    writeDemoCsv(input, 200_000);
    const controller = new AbortController();
    await assert.rejects(
      runBatchScoring(fixture.client, runtime(), cache, {
        modelUri: 'models:/spend/1',
        input,
        output,
        batchRows: 500,
        signal: controller.signal,
        onProgress: () => controller.abort(),
      }),
      (e: unknown) => e instanceof ScoringError && e.code === 'STOPPED',
    );
    assert.ok(!fs.existsSync(output) && !fs.existsSync(`${output}.tmp`), 'nothing is written');
    const runs = await fixture.client.runs.searchAll({ experimentIds: [(await fixture.client.experiments.getByName('batch-scoring'))!.experiment_id] });
    assert.equal(runs.find((r) => r.info.run_name === 'score spend v1 · big.csv')?.info.status, 'KILLED');
  });

  it('resolves every URI form to the version it designates, downloading each version once', async () => {
    const second = await logDemoModel(fixture.server.url, fixture.token, 'spend', { scale: 2 });
    await fixture.client.modelVersions.transitionStage('spend', second.version, 'Production');
    const expectations: [string, string | undefined][] = [
      ['models:/spend/1', '1'],
      ['models:/spend@champion', '1'],
      ['models:/spend/Production', '2'],
      ['models:/spend/production', '2'],
      ['models:/spend/latest', '2'],
      [`runs:/${second.runId}/model`, undefined],
    ];
    const seen = new Set<string>(['1']); // version 1 was fetched by the first test
    for (const [uri, version] of expectations) {
      const model = await cache.fetch(fixture.client, uri);
      assert.equal(model.version, version, uri);
      if (version) assert.equal(model.cached, seen.has(version), `${uri} downloaded only the first time`);
      if (version) seen.add(version);
      assert.deepEqual(model.mlModel.flavors, ['python_function', 'trackside.pickle'], uri);
      if (version) assert.equal(model.folder, path.join(fixture.folder, '.model-cache', 'spend', version), uri);
      else assert.equal(model.runId, second.runId);
    }
    const local = await cache.fetch(fixture.client, path.join(fixture.folder, '.model-cache', 'spend', '2'));
    assert.equal(local.folder, path.join(fixture.folder, '.model-cache', 'spend', '2'), 'a local folder is used where it is');
    await fixture.client.modelVersions.transitionStage('spend', second.version, 'Archived');
  });

  it('says which model URI designates nothing', async () => {
    await assert.rejects(
      runBatchScoring(fixture.client, runtime(), cache, { modelUri: 'models:/spend@nobody', input: 'x.csv', output: 'y.csv' }),
      /alias|nobody/i,
    );
    await assert.rejects(
      runBatchScoring(fixture.client, runtime(), cache, { modelUri: 'models:/spend/Production', input: 'x.csv', output: 'y.csv' }),
      /No versions of model 'spend' are in stage 'Production'/,
    );
  });
});

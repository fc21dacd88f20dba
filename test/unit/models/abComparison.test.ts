import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { compareModelVersions } from '../../../src/core/models/abComparison';
import { betterSide, comparisonHtml, comparisonSvg } from '../../../src/core/models/comparisonChart';
import { ModelCache } from '../../../src/core/models/modelCache';
import { ScoringError } from '../../../src/core/models/modelScorer';
import type { Run } from '../../../src/shared/entities';
import { ServerFixture } from '../client/clientFixture';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { expectedSpend, logDemoModel, runtime, writeDemoCsv } from './modelsFixture';

function metrics(run: Run): Record<string, number> {
  return Object.fromEntries((run.data.metrics ?? []).map((m) => [m.key, Number(m.value)]));
}

function tags(run: Run): Record<string, string> {
  return Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
}

describe('A/B comparison of model versions on a labelled file', function () {
  this.timeout(120_000);
  let fixture: ServerFixture;
  let work: string;
  let cache: ModelCache;

  before(async () => {
    fixture = await ServerFixture.start();
    work = tempFolder('trackside-compare-');
    cache = new ModelCache(path.join(fixture.folder, '.model-cache'));
    // v1 is the true formula (champion); v2 is 10% off (challenger).
    await logDemoModel(fixture.server.url, fixture.token, 'spend', { alias: 'champion' });
    await logDemoModel(fixture.server.url, fixture.token, 'spend', { alias: 'challenger', scale: 1.1 });
    // A classifier pair: v1 thresholds the true score at 190, v2 at 150 (the truth).
    await logDemoModel(fixture.server.url, fixture.token, 'big-spender', { alias: 'champion', threshold: 190 });
    await logDemoModel(fixture.server.url, fixture.token, 'big-spender', { alias: 'challenger', threshold: 150 });
  });

  after(async () => {
    await fixture.stop();
    removeFolder(work);
  });

  it('logs one run with both versions\u2019 regression metrics, the winner and a chart', async () => {
    const input = path.join(work, 'labelled.csv');
    writeDemoCsv(input, 2000, { noise: (i) => ((i % 7) - 3) / 10 });
    const outcome = await compareModelVersions(fixture.client, runtime(), cache, {
      modelUriA: 'models:/spend@champion',
      modelUriB: 'models:/spend@challenger',
      input,
      labelColumn: 'spend',
    });
    assert.equal(outcome.task, 'regression');
    assert.equal(outcome.rows, 2000);
    assert.equal(outcome.winner, 'a');
    assert.equal(outcome.primaryMetric, 'rmse');
    assert.ok(outcome.metricsA.rmse < 0.25, `champion rmse ${outcome.metricsA.rmse}`);
    assert.ok(outcome.metricsB.rmse > 5, `challenger rmse ${outcome.metricsB.rmse}`);

    const run = await fixture.client.runs.get(outcome.runId);
    assert.equal(run.info.status, 'FINISHED');
    assert.equal((await fixture.client.experiments.get(run.info.experiment_id)).name, 'model-comparisons');
    assert.equal(run.info.run_name, 'compare spend v1 vs spend v2 · labelled.csv');
    const m = metrics(run);
    for (const side of ['champion', 'challenger']) for (const name of ['rmse', 'mae', 'r2']) assert.ok(Number.isFinite(m[`${side}.${name}`]), `${side}.${name}`);
    assert.equal(m['champion.rmse'], outcome.metricsA.rmse);
    assert.ok(m['champion.r2'] > 0.99 && m['challenger.r2'] < m['champion.r2']);
    assert.equal(m['delta.rmse'], outcome.metricsB.rmse - outcome.metricsA.rmse);
    assert.equal(m.rows, 2000);
    const t = tags(run);
    assert.equal(t['trackside.compare.winner'], 'champion');
    assert.equal(t['trackside.compare.winner_model'], 'spend v1');
    assert.equal(t['trackside.compare.a'], 'spend v1');
    assert.equal(t['trackside.compare.b'], 'spend v2');
    assert.equal(t['trackside.compare.task'], 'regression');
    const params = Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value]));
    assert.equal(params.model_a_uri, 'models:/spend@champion');
    assert.equal(params.label_column, 'spend');

    const files = (await fixture.client.artifacts.list(outcome.runId, 'comparison')).files.map((f) => f.path).sort();
    assert.deepEqual(files, ['comparison/comparison.html', 'comparison/comparison.svg']);
    const svg = (await fixture.client.artifacts.read(outcome.runId, 'comparison/comparison.svg')).toString('utf8');
    assert.match(svg, /^<svg /);
    assert.match(svg, /champion: spend v1/);
    assert.match(svg, /challenger: spend v2/);
    assert.match(svg, /rmse/);
  });

  it('uses accuracy, precision, recall and f1 for labels, with 1 as the positive class', async () => {
    const input = path.join(work, 'classes.csv');
    const lines = ['tenure,plan,calls,big'];
    for (let i = 0; i < 600; i++) {
      const row = { tenure: (i * 7) % 60, plan: (i % 3) + 1, calls: ((i * 13) % 50) / 10 };
      lines.push(`${row.tenure},${row.plan},${row.calls},${expectedSpend(row) >= 150 ? 1 : 0}`);
    }
    fs.writeFileSync(input, lines.join('\n') + '\n');
    const outcome = await compareModelVersions(fixture.client, runtime(), cache, {
      modelUriA: 'models:/big-spender@champion',
      modelUriB: 'models:/big-spender@challenger',
      input,
      labelColumn: 'big',
    });
    assert.equal(outcome.task, 'classification');
    assert.equal(outcome.primaryMetric, 'f1');
    assert.equal(outcome.metricsB.accuracy, 1);
    assert.equal(outcome.metricsB.f1, 1);
    assert.ok(outcome.metricsA.recall < 1 && outcome.metricsA.precision === 1, JSON.stringify(outcome.metricsA));
    assert.equal(outcome.winner, 'b');
    const run = await fixture.client.runs.get(outcome.runId);
    const m = metrics(run);
    assert.deepEqual(
      Object.keys(m).filter((k) => k.startsWith('challenger.')).sort(),
      ['challenger.accuracy', 'challenger.f1', 'challenger.precision', 'challenger.recall'],
    );
    assert.equal(tags(run)['trackside.compare.winner'], 'challenger');
    assert.equal(tags(run)['trackside.compare.positive_label'], '1');
  });

  it('refuses a file without the label column, naming the columns it has', async () => {
    const input = path.join(work, 'unlabelled.csv');
    writeDemoCsv(input, 10, { columns: ['tenure', 'plan', 'calls'] });
    await assert.rejects(
      compareModelVersions(fixture.client, runtime(), cache, { modelUriA: 'models:/spend/1', modelUriB: 'models:/spend/2', input, labelColumn: 'spend' }),
      (e: unknown) => e instanceof ScoringError && /no column 'spend'.*tenure, plan, calls/.test(e.message),
    );
  });

  it('draws one row per metric with the better side marked', () => {
    const chart = {
      title: 'A vs B',
      labelA: 'champion: m v1',
      labelB: 'challenger: m v2',
      metrics: [
        { name: 'rmse', a: 1, b: 2, better: 'lower' as const },
        { name: 'r2', a: 0.5, b: 0.9, better: 'higher' as const },
      ],
    };
    assert.equal(betterSide(chart.metrics[0]), 'a');
    assert.equal(betterSide(chart.metrics[1]), 'b');
    assert.equal(betterSide({ name: 'x', a: 1, b: 1, better: 'lower' }), 'tie');
    const svg = comparisonSvg(chart);
    assert.equal((svg.match(/height="18"/g) ?? []).length, 4, 'two bars per metric');
    assert.match(svg, /1\.0000 ✓/);
    assert.match(svg, /0\.9000 ✓/);
    const html = comparisonHtml({ ...chart, title: '<script>' });
    assert.ok(!html.includes('<script>'), 'text is escaped');
    assert.match(html, /<td>rmse<\/td><td>1\.0000<\/td><td>2\.0000<\/td><td>1\.0000<\/td><td>champion: m v1<\/td>/);
  });
});

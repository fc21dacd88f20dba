import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { TrackingClient } from '../../../src/core/client/trackingClient';
import { ChartsPanel } from '../../../src/extension/panels/chartsPanel';
import { ComparePanel } from '../../../src/extension/panels/comparePanel';
import { ModelVersionPanel } from '../../../src/extension/panels/modelVersionPanel';
import { RunDetailsPanel } from '../../../src/extension/panels/runDetailsPanel';
import { layoutKey, RunsTablePanel, serverOrderBy } from '../../../src/extension/panels/runsTablePanel';
import { unpackSeries, type PackedSeries } from '../../../src/shared/charts/packedSeries';
import type { ChartsToWebview } from '../../../src/shared/protocol/chartsProtocol';
import type { CompareToWebview } from '../../../src/shared/protocol/compareProtocol';
import type { ModelVersionToWebview } from '../../../src/shared/protocol/modelVersionProtocol';
import type { ArtifactPreview, RunDetailsToWebview } from '../../../src/shared/protocol/runDetailsProtocol';
import type { RunsTableFromWebview, RunsTableToWebview } from '../../../src/shared/protocol/runsTableProtocol';
import { ServerFixture } from '../client/clientFixture';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { RecordingConnection, RecordingServices } from './panelFixture';

interface Seeded {
  experimentId: string;
  runs: string[];
  child: string;
}

/** Three runs (loss over 200 steps with a spike at 120 in the first; params model/lr), a child of the first, artifacts and a registered model. */
async function seed(client: TrackingClient): Promise<Seeded> {
  const experimentId = await client.experiments.create(`panels-${Math.random().toString(36).slice(2)}`);
  const runs: string[] = [];
  for (let r = 0; r < 3; r++) {
    const id = (await client.runs.create({ experimentId, runName: `run-${r}`, startTime: 1000 + r })).info.run_id;
    await client.runs.logBatch(id, {
      metrics: Array.from({ length: 200 }, (_, step) => ({ key: 'loss', value: step === 120 && r === 0 ? 50 : 1 / (step + 1) + r, step, timestamp: 10_000 + step })),
      params: { model: r === 2 ? 'mlp' : 'cnn', lr: String(0.1 / (r + 1)) },
    });
    runs.push(id);
  }
  const child = (await client.runs.create({ experimentId, runName: 'child', tags: { 'mlflow.parentRunId': runs[0] } })).info.run_id;
  return { experimentId, runs, child };
}

describe('panel protocols (host side, against a real server)', function () {
  this.timeout(20000);
  let fixture: ServerFixture;
  let data: Seeded;
  let scratch: string;

  before(async () => {
    fixture = await ServerFixture.start();
    data = await seed(fixture.client);
    scratch = tempFolder('trackside-panels-');
  });
  after(async () => {
    await fixture.stop();
    removeFolder(scratch);
  });

  describe('runs table', () => {
    function open(): { panel: RunsTablePanel; view: RecordingConnection<RunsTableToWebview>; services: RecordingServices } {
      const services = new RecordingServices(fixture.client);
      const view = new RecordingConnection<RunsTableToWebview>();
      return { panel: new RunsTablePanel({ experimentIds: [data.experimentId] }, services, view), view, services };
    }

    it('answers ready with init, then the table of the experiment', async () => {
      const { panel, view } = open();
      await panel.handle({ type: 'ready' });
      const [init] = view.ofType('init');
      assert.match(view.title, /^Runs: panels-/);
      assert.equal(init.hasSummaries, true);
      const [table] = view.ofType('table');
      assert.equal(table.data.runs.length, 4);
      assert.deepEqual(table.data.columns.params, ['lr', 'model']);
      const first = table.data.runs.find((r) => r.run_id === data.runs[0])!;
      assert.deepEqual(first.metrics.loss.slice(1, 4), [1 / 200, 50, 200], 'min, max and count beside the last value');
      panel.dispose();
    });

    it('sends the first runs in the table’s sort order at once, then the whole table', async () => {
      const services = new RecordingServices(fixture.client);
      await services.memory.update(layoutKey([data.experimentId]), { pinned: [], sort: { column: 'metric:loss', direction: 'desc' } });
      const view = new RecordingConnection<RunsTableToWebview>();
      await new RunsTablePanel({ experimentIds: [data.experimentId] }, services, view, 2).handle({ type: 'ready' });
      const [first, whole] = view.ofType('table');
      assert.deepEqual([first.partial, first.data.runs.map((r) => r.run_name)], [true, ['run-2', 'run-1']], 'highest last loss first');
      assert.deepEqual([whole.partial, whole.data.runs.length], [false, 4]);
      assert.deepEqual(serverOrderBy({ column: 'param:learning rate', direction: 'asc' }), ['params.`learning rate` ASC']);
      assert.deepEqual(serverOrderBy({ column: 'attribute:start', direction: 'desc' }), ['attributes.start_time DESC']);
      assert.equal(serverOrderBy({ column: 'attribute:duration', direction: 'desc' }), undefined, 'the server cannot sort by duration');
    });

    it('validates filters as typed with MLflow’s messages, OR included', async () => {
      const { panel, view } = open();
      await panel.handle({ type: 'checkFilter', requestId: 1, filter: 'metrics.loss <' });
      await panel.handle({ type: 'checkFilter', requestId: 2, filter: "params.model = 'cnn' OR metrics.loss > 1" });
      await panel.handle({ type: 'checkFilter', requestId: 3, filter: "paramz.model = 'cnn'" });
      assert.match((view.response(1).result as { error: string }).error, /Invalid clause\(s\) in filter string/);
      assert.deepEqual(view.response(2).result, {});
      assert.match((view.response(3).result as { error: string }).error, /Invalid entity type 'paramz'/);
    });

    it('reloads only for a valid filter, and the table holds what it matches', async () => {
      const { panel, view } = open();
      await panel.handle({ type: 'applyFilter', requestId: 1, filter: 'metrics.loss >' });
      assert.ok((view.response(1).result as { error?: string }).error);
      assert.equal(view.ofType('table').length, 0, 'no reload for an invalid filter');
      await panel.handle({ type: 'applyFilter', requestId: 2, filter: "params.model = 'mlp' OR params.lr = '0.1'" });
      const [table] = view.ofType('table');
      assert.equal(table.filter, "params.model = 'mlp' OR params.lr = '0.1'");
      assert.deepEqual(table.data.runs.map((r) => r.run_id).sort(), [data.runs[0], data.runs[2]].sort());
    });

    it('keeps the column layout per experiment and sends it with the next init', async () => {
      const { panel, services } = open();
      const layout = { pinned: ['attribute:name', 'metric:loss'], sort: { column: 'metric:loss', direction: 'desc' as const } };
      await panel.handle({ type: 'saveLayout', layout });
      assert.deepEqual(services.stored.get(layoutKey([data.experimentId])), layout);
      const view = new RecordingConnection<RunsTableToWebview>();
      await new RunsTablePanel({ experimentIds: [data.experimentId] }, services, view).handle({ type: 'ready' });
      assert.deepEqual(view.ofType('init')[0].layout, layout);
    });

    it('runs the same registered commands as the tree for compare, charts and details', async () => {
      const { panel, services } = open();
      await panel.handle({ type: 'runAction', action: 'compare', runIds: data.runs });
      await panel.handle({ type: 'runAction', action: 'details', runIds: [data.runs[1], data.runs[2]] });
      assert.deepEqual(services.commands, [
        { id: 'trackside.compareRuns', args: [data.runs] },
        { id: 'trackside.openRunDetails', args: [data.runs[1]] },
      ]);
    });

    it('re-reads the table (marked live) when runs of the experiment change', async () => {
      const { panel, view } = open();
      await panel.handle({ type: 'ready' });
      panel.onChanges([{ type: 'metrics', runs: { [data.runs[0]]: ['loss'] } }]);
      const live = await view.next('table', 1);
      assert.equal(live.live, true);
      panel.onChanges([{ type: 'models', names: ['x'] }]);
      panel.dispose();
    });

    it('refuses a message type it does not know (exhaustive switch)', async () => {
      const { panel } = open();
      await assert.rejects(panel.handle({ type: 'dance' } as unknown as RunsTableFromWebview), /Unexpected message: \{"type":"dance"\}/);
    });
  });

  describe('charts', () => {
    it('answers loadSeries with packed, downsampled series that keep the spike', async () => {
      const services = new RecordingServices(fixture.client);
      const view = new RecordingConnection<ChartsToWebview>();
      const panel = new ChartsPanel({ runIds: data.runs }, services, view);
      await panel.handle({ type: 'ready' });
      const [init] = view.ofType('init');
      assert.deepEqual(init.runs.map((r) => r.name), ['run-0', 'run-1', 'run-2']);
      assert.deepEqual(init.keys, ['loss']);
      await panel.handle({ type: 'loadSeries', requestId: 7, runIds: data.runs, keys: ['loss'], maxBuckets: 40 });
      const series = unpackSeries(view.response(7).result as PackedSeries[]);
      assert.equal(series.length, 3);
      assert.ok(series[0].steps.length <= 41 && series[0].steps.length >= 20, `${series[0].steps.length} buckets`);
      assert.equal(Math.max(...series[0].max), 50, 'the spike at step 120 survives');
      assert.equal(series[0].maxStep, 199);
      await panel.handle({ type: 'loadSeries', requestId: 8, runIds: [data.runs[0]], keys: ['loss'], maxBuckets: 40, startStep: 110, endStep: 130 });
      const zoomed = unpackSeries(view.response(8).result as PackedSeries[])[0];
      assert.deepEqual([zoomed.steps[0], zoomed.steps[zoomed.steps.length - 1], zoomed.exact], [110, 130, true], 'zoomed in: every point');
      panel.dispose();
    });

    it('exports every point of the chosen series as CSV, and tells the webview when running runs log', async () => {
      const services = new RecordingServices(fixture.client);
      const view = new RecordingConnection<ChartsToWebview>();
      const panel = new ChartsPanel({ runIds: data.runs }, services, view);
      await panel.handle({ type: 'ready' });
      await panel.handle({ type: 'exportCsv', requestId: 1, runIds: [data.runs[0]], keys: ['loss'], startStep: 100, endStep: 149 });
      assert.deepEqual(view.response(1).result, { saved: '/saved/loss.csv' });
      const lines = services.exports[0].content.trim().split('\r\n');
      assert.equal(lines[0], 'run_id,run_name,key,step,timestamp,value');
      assert.equal(lines.length, 51);
      assert.equal(lines[21], `${data.runs[0]},run-0,loss,120,10120,50`);
      panel.onChanges([{ type: 'metrics', runs: { [data.runs[1]]: ['loss'], other: ['loss'] } }]);
      const changed = await view.next('seriesChanged', 0);
      assert.deepEqual(changed.runs, { [data.runs[1]]: ['loss'] });
      panel.dispose();
    });
  });

  describe('compare, run details and model version', () => {
    it('compare sends each run with params, tags and metric summaries', async () => {
      const view = new RecordingConnection<CompareToWebview>();
      await new ComparePanel({ runIds: [...data.runs, 'nope'] }, new RecordingServices(fixture.client), view).handle({ type: 'ready' });
      const [init] = view.ofType('init');
      assert.equal(init.runs.length, 3);
      assert.equal(init.missing.length, 1);
      assert.deepEqual({ ...init.runs[0].metrics.loss, last: undefined }, { last: undefined, step: 199, count: 200, min: 1 / 200, max: 50 });
      assert.equal(init.runs[2].params.model, 'mlp');
    });

    it('run details lists children and previews a CSV artifact as a capped table', async () => {
      const run = data.runs[0];
      const rows = ['a,b', ...Array.from({ length: 700 }, (_, i) => `${i},x${i}`)].join('\n');
      const folder = (await fixture.client.artifacts.location(run)) as { kind: string };
      assert.equal(folder.kind, 'proxy');
      const file = path.join(scratch, 'preview.csv');
      fs.writeFileSync(file, rows);
      await fixture.client.artifacts.upload(run, file, 'tables');
      const view = new RecordingConnection<RunDetailsToWebview>();
      const panel = new RunDetailsPanel({ runId: run }, new RecordingServices(fixture.client), view);
      await panel.handle({ type: 'ready' });
      const [init] = view.ofType('init');
      assert.deepEqual(init.details.children.map((c) => c.name), ['child']);
      assert.equal(init.details.summaries[0].key, 'loss');
      await panel.handle({ type: 'listArtifacts', requestId: 1, path: '' });
      assert.deepEqual((view.response(1).result as { path: string }[]).map((f) => f.path), ['tables']);
      const name = 'tables/preview.csv';
      await panel.handle({ type: 'previewArtifact', requestId: 2, path: name });
      const preview = view.response(2).result as Extract<ArtifactPreview, { kind: 'table' }>;
      assert.equal(preview.kind, 'table');
      assert.deepEqual(preview.header, ['a', 'b']);
      assert.equal(preview.shownRows, 500);
      assert.equal(preview.truncated, true);
      await panel.handle({ type: 'previewArtifact', requestId: 3, path: '../escape' });
      assert.match(view.response(3).error!, /'\.\.' is not allowed/);
      const child = new RecordingConnection<RunDetailsToWebview>();
      await new RunDetailsPanel({ runId: data.child }, new RecordingServices(fixture.client), child).handle({ type: 'ready' });
      assert.deepEqual(child.ofType('init')[0].details.parent, { runId: run, name: 'run-0', status: 'RUNNING' });
    });

    it('model version reads the MLmodel and history, and its buttons run the Models view’s commands', async () => {
      const run = data.runs[1];
      const file = path.join(scratch, 'MLmodel');
      fs.writeFileSync(file, "flavors:\n  sklearn:\n    sklearn_version: 1.4.2\nsignature:\n  inputs: '[{\"type\": \"double\", \"name\": \"x\"}]'\n  outputs: '[{\"type\": \"long\"}]'\nmlflow_version: 2.12.2\n");
      await fixture.client.artifacts.upload(run, file, 'model');
      await fixture.client.registeredModels.create('panel-model');
      const version = await fixture.client.modelVersions.create('panel-model', `runs:/${run}/model`, { runId: run });
      await fixture.client.registeredModels.setAlias('panel-model', 'champion', version.version);
      const services = new RecordingServices(fixture.client);
      const view = new RecordingConnection<ModelVersionToWebview>();
      const panel = new ModelVersionPanel({ name: 'panel-model', version: version.version }, services, view);
      await panel.handle({ type: 'ready' });
      const { data: loaded } = view.ofType('init')[0];
      assert.deepEqual(loaded.mlmodel!.flavors, [{ name: 'sklearn', details: { sklearn_version: '1.4.2' } }]);
      assert.deepEqual(loaded.mlmodel!.signature!.inputs, [{ name: 'x', type: 'double' }]);
      assert.deepEqual(loaded.history!.map((e) => e.kind), ['version_created', 'alias']);
      assert.equal(loaded.sourceRun!.name, 'run-1');
      await panel.handle({ type: 'action', action: 'removeAlias', alias: 'champion' });
      await panel.handle({ type: 'saveDescription', requestId: 4, text: 'better' });
      assert.deepEqual(view.response(4).result, {});
      assert.deepEqual(services.commands.map((c) => [c.id, (c.args[0] as { kind: string }).kind, ...c.args.slice(1)]), [
        ['trackside.removeModelAlias', 'modelVersion', 'champion'],
        ['trackside.editModelDescription', 'modelVersion', 'better'],
      ]);
      panel.dispose();
    });
  });
});

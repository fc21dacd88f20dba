import assert from 'node:assert/strict';
import path from 'node:path';
import type { TrackingClient } from '../../../src/core/client/trackingClient';
import { runPerformanceCheck } from '../../../src/core/monitoring/performanceRun';
import { checkOf, createMonitorPanelKind, MonitorPanel, monitorData } from '../../../src/extension/monitoring/monitorPanel';
import type { MonitorToWebview } from '../../../src/shared/protocol/monitorProtocol';
import { ServerFixture } from '../client/clientFixture';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { RecordingConnection, RecordingServices } from '../webview/panelFixture';
import { writeCsv } from './monitoringFixtures';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 4, 1, 9, 30);

/** A check as `runPerformanceCheck` logs it, at a chosen time (the model name and version as tags, perf.* metrics at step 0). */
async function logCheck(client: TrackingClient, experimentId: string, name: string, version: string, time: number, metrics: Record<string, number>, monitor = 'performance'): Promise<string> {
  const run = await client.runs.create({
    experimentId,
    runName: `performance: ${name} v${version}`,
    startTime: time,
    tags: { 'trackside.monitor': monitor, 'trackside.model_name': name, 'trackside.model_version': version },
  });
  await client.runs.logBatch(run.info.run_id, { metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: time + 1000, step: 0 })) });
  await client.runs.update(run.info.run_id, { status: 'FINISHED', endTime: time + 2000 });
  return run.info.run_id;
}

describe('model monitor panel (host side, against a real server)', function () {
  this.timeout(30_000);
  let fixture: ServerFixture;
  let folder: string;
  let experimentId: string;
  const ids: Record<string, string> = {};

  before(async () => {
    fixture = await ServerFixture.start();
    folder = tempFolder('trackside-monitor-panel-');
    const client = fixture.client;
    await client.registeredModels.create('churn');
    for (let version = 1; version <= 3; version++) await client.modelVersions.create('churn', `file:///models/churn/${version}`);
    await client.registeredModels.setAlias('churn', 'champion', '2');
    await client.modelVersions.transitionStage('churn', '2', 'Production');
    await client.registeredModels.create('other');
    await client.modelVersions.create('other', 'file:///models/other/1');
    experimentId = await client.experiments.create('Monitoring');
    const elsewhere = await client.experiments.create('checks-elsewhere');
    // Given out of time order, and across two experiments.
    ids.v2a = await logCheck(client, experimentId, 'churn', '2', T0 + 8 * DAY, { 'perf.accuracy': 0.93, 'perf.f1': 0.9, 'perf.rows': 2000, 'perf.skipped_rows': 0 });
    ids.v1a = await logCheck(client, experimentId, 'churn', '1', T0, { 'perf.accuracy': 0.91, 'perf.f1': 0.88, 'perf.rows': 2000, 'perf.skipped_rows': 0 });
    ids.v1b = await logCheck(client, elsewhere, 'churn', '1', T0 + 7 * DAY, { 'perf.accuracy': 0.86, 'perf.f1': 0.83, 'perf.rows': 2000, 'perf.skipped_rows': 4 });
    // Not checks of churn: a drift run with the same tags, and another model's check.
    await logCheck(client, experimentId, 'churn', '1', T0 + DAY, { 'drift.score': 0.4 }, 'drift');
    await logCheck(client, experimentId, 'other', '1', T0 + DAY, { 'perf.rmse': 1.5 });
  });
  after(async () => {
    await fixture.stop();
    removeFolder(folder);
  });

  function open(version?: string): { panel: MonitorPanel; view: RecordingConnection<MonitorToWebview>; services: RecordingServices } {
    const services = new RecordingServices(fixture.client);
    const view = new RecordingConnection<MonitorToWebview>();
    return { panel: new MonitorPanel({ name: 'churn', ...(version ? { version } : {}) }, services, view), view, services };
  }

  it('reads every check of the model (all versions and experiments), oldest first, with the versions’ aliases and stages', async () => {
    const data = await monitorData(fixture.client, 'churn');
    assert.deepEqual(
      data.checks.map((check) => [check.runId, check.version, check.time]),
      [
        [ids.v1a, '1', T0],
        [ids.v1b, '1', T0 + 7 * DAY],
        [ids.v2a, '2', T0 + 8 * DAY],
      ],
    );
    assert.deepEqual(data.keys, ['perf.accuracy', 'perf.f1']);
    assert.deepEqual(data.versions, [
      { version: '1', stage: 'None', aliases: [] },
      { version: '2', stage: 'Production', aliases: ['champion'] },
    ]);
    const first = data.checks[0];
    assert.deepEqual(first.metrics, { 'perf.accuracy': 0.91, 'perf.f1': 0.88, 'perf.rows': 2000, 'perf.skipped_rows': 0 });
    assert.equal(first.status, 'FINISHED');
    assert.equal(first.experimentId, experimentId);
  });

  it('answers ready with the data read while the webview started, titled after the model, the version highlighted', async () => {
    const { panel, view } = open('1');
    const current = await panel.current();
    await panel.handle({ type: 'ready' });
    const [init] = view.ofType('init');
    assert.equal(view.title, 'Monitor: churn');
    assert.deepEqual(init.input, { name: 'churn', version: '1' });
    assert.deepEqual(init.data, current);
    assert.equal(panel.shown, init.data);
    assert.equal(init.data.checks.length, 3);
    panel.dispose();
  });

  it('opens a check’s run and checks performance with the registered commands', async () => {
    const { panel, services } = open();
    await panel.handle({ type: 'openRun', runId: ids.v1a });
    await panel.handle({ type: 'checkPerformance', version: '2' });
    await panel.handle({ type: 'checkPerformance' });
    assert.deepEqual(services.commands, [
      { id: 'trackside.openRunDetails', args: [ids.v1a] },
      { id: 'trackside.checkModelPerformance', args: [{ name: 'churn', version: '2' }] },
      { id: 'trackside.checkModelPerformance', args: [{ name: 'churn' }] },
    ]);
    await assert.rejects(panel.handle({ type: 'nonsense' } as never), /Unexpected message: \{"type":"nonsense"\}/);
    panel.dispose();
  });

  it('draws a new check live: perf.* metrics on the change stream re-read the checks', async () => {
    const { panel, view } = open();
    await panel.handle({ type: 'ready' });
    panel.onChanges([{ type: 'metrics', runs: { someRun: ['loss'] } }, { type: 'experiments', experimentIds: ['0'] }]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(view.ofType('data').length, 0, 'other metrics do not re-read');
    const labelled = writeCsv(path.join(folder, 'labelled.csv'), ['churned', 'predicted'], [[1, 1], [0, 0], [1, 0], [0, 0]]);
    const result = await runPerformanceCheck({ client: fixture.client, model: 'models:/churn/3', labelledPath: labelled, labelColumn: 'churned', predictionColumn: 'predicted', experimentId });
    panel.onChanges([{ type: 'runs', runIds: [result.runId], experimentIds: [experimentId] }, { type: 'metrics', runs: { [result.runId]: Object.keys(result.metrics) } }]);
    const data = (await view.next('data', 0)).data;
    assert.equal(data.checks.length, 4);
    assert.equal(data.checks[3].runId, result.runId, 'the newest check is last');
    assert.deepEqual(data.versions.map((v) => v.version), ['1', '2', '3']);
    assert.equal(data.checks[3].metrics['perf.accuracy'], 0.75);
    panel.dispose();
  });

  it('re-reads when the model’s aliases move, and posts nothing when nothing changed', async () => {
    const { panel, view } = open();
    await panel.handle({ type: 'ready' });
    await panel.handle({ type: 'refresh' });
    assert.equal(view.ofType('data').length, 0, 'same data: nothing posted');
    await fixture.client.registeredModels.setAlias('churn', 'challenger', '1');
    panel.onChanges([{ type: 'models', names: ['churn'] }]);
    const data = (await view.next('data', 0)).data;
    assert.deepEqual(data.versions[0].aliases, ['challenger']);
    panel.dispose();
  });

  it('highlights another version when the command runs again for the same model', async () => {
    const { panel, view } = open('1');
    panel.showVersion('1');
    panel.showVersion(undefined);
    panel.showVersion('2');
    assert.deepEqual(view.ofType('highlight'), [{ type: 'highlight', version: '2' }]);
    assert.equal(panel.highlighted, '2');
    panel.dispose();
  });

  it('shows an empty monitor for a model without checks, and says why it failed for one it cannot read', async () => {
    await fixture.client.registeredModels.create('fresh');
    assert.deepEqual(await monitorData(fixture.client, 'fresh'), { name: 'fresh', checks: [], versions: [], keys: [] });
    const services = new RecordingServices(fixture.client);
    services.client = () => Promise.reject(new Error('The store is closed.'));
    const view = new RecordingConnection<MonitorToWebview>();
    const panel = new MonitorPanel({ name: 'churn' }, services, view);
    await panel.handle({ type: 'ready' });
    assert.deepEqual(view.ofType('failed'), [{ type: 'failed', message: 'Could not read the performance checks of churn: The store is closed.' }]);
    panel.dispose();
  });

  it('restores from saved state, one panel per model, and forgets a closed panel', () => {
    const open = new Map<string, MonitorPanel>();
    const kind = createMonitorPanelKind(open);
    assert.deepEqual(kind.parseInput({ name: 'churn', version: 3 }), { name: 'churn', version: '3' });
    assert.deepEqual(kind.parseInput({ name: 'churn' }), { name: 'churn' });
    assert.equal(kind.parseInput({ version: '1' }), undefined);
    assert.equal(kind.parseInput(undefined), undefined);
    assert.equal(kind.key({ name: 'churn', version: '1' }), kind.key({ name: 'churn', version: '2' }));
    assert.equal(kind.title({ name: 'churn' }), 'Monitor: churn');
    const panel = kind.create({ name: 'churn' }, new RecordingServices(fixture.client), new RecordingConnection<MonitorToWebview>());
    assert.equal(open.get('churn'), panel);
    panel.dispose();
    assert.equal(open.size, 0);
  });

  it('takes only performance-check runs as checks', () => {
    const run = {
      info: { run_id: 'abc', run_uuid: 'abc', run_name: '', experiment_id: '1', status: 'FINISHED' as const, artifact_uri: '', lifecycle_stage: 'active' as const },
      data: { metrics: [{ key: 'perf.accuracy', value: 'NaN' as const, timestamp: 5, step: 0 }, { key: 'loss', value: 1, timestamp: 4, step: 0 }], tags: [{ key: 'trackside.monitor', value: 'performance' }, { key: 'trackside.model_version', value: '7' }] },
      inputs: {},
    };
    const check = checkOf(run)!;
    assert.deepEqual({ ...check, metrics: Object.keys(check.metrics) }, { runId: 'abc', runName: 'abc', experimentId: '1', version: '7', time: 5, status: 'FINISHED', metrics: ['perf.accuracy'] });
    assert.ok(Number.isNaN(check.metrics['perf.accuracy']));
    assert.equal(checkOf({ ...run, data: { tags: [{ key: 'trackside.monitor', value: 'drift' }, { key: 'trackside.model_version', value: '7' }] } }), undefined);
  });
});

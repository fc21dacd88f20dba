import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TrackingClient } from '../../../src/core/client/trackingClient';
import { importMlflow } from '../../../src/core/interop/mlflowImporter';
import { pushToMlflow } from '../../../src/core/interop/mlflowPusher';
import { PUSH_TAGS, targetKeyOf, type PushProgress } from '../../../src/core/interop/pushSummary';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { buildMlrunsFixture, buildSqliteFixture, type BuiltFixture } from './fixtures/mlflowFixtures';
import { SCHEMA_2_4, SQLITE_SCHEMAS } from './fixtures/mlflowSchemas';
import { CountingProxy, ServedStore, expectModelsPushed, expectRunsPushed, remoteRunOf } from './pushFixture';

describe('push: import an MLflow database into store A, push it to server B, compare', function () {
  this.timeout(60_000);
  let folder: string;
  let fixture: BuiltFixture;
  let a: ServedStore;
  let b: ServedStore;
  let proxy: CountingProxy;
  let target: TrackingClient;
  let key: string;
  let runIds: string[];

  before(async () => {
    folder = tempFolder('trackside-push-');
    fixture = await buildSqliteFixture(SCHEMA_2_4, path.join(folder, 'mlflow'));
    a = await ServedStore.open(path.join(folder, 'a'));
    b = await ServedStore.open(path.join(folder, 'b'));
    const imported = await importMlflow(fixture.source, a.backend, { artifacts: 'copy' });
    assert.equal(imported.runs.imported, fixture.data.runs.length);
    proxy = await CountingProxy.start(b.server.url);
    target = new TrackingClient({ trackingUri: proxy.url, token: b.token });
    key = targetKeyOf(proxy.url);
    runIds = fixture.data.runs.map((r) => r.runId);
  });
  after(async () => {
    target.close();
    await proxy.close();
    await a.close();
    await b.close();
    removeFolder(folder);
  });

  it('copies every experiment, run, metric point, param, tag, input, artifact, model, version, stage and alias', async () => {
    const phases = new Set<string>();
    const summary = await pushToMlflow({ source: a.client, target, includeDeleted: true, onProgress: (p: PushProgress) => phases.add(p.phase) });
    const points = fixture.data.runs.reduce((n, r) => n + r.metrics.length, 0);
    assert.deepEqual(summary.skipped, []);
    assert.deepEqual(summary.runs, { created: runIds.length, updated: 0, unchanged: 0, failed: 0 });
    assert.deepEqual(summary.experiments, { created: 3, existing: 1 }, 'Default exists on every server');
    assert.equal(summary.metrics, points);
    assert.equal(summary.params, fixture.data.runs.reduce((n, r) => n + r.params.length, 0));
    assert.equal(summary.inputs, fixture.data.runs.reduce((n, r) => n + r.inputs.length, 0));
    const bytes = fixture.data.runs.reduce((n, r) => n + Object.values(r.artifacts).reduce((m, text) => m + Buffer.byteLength(text), 0), 0);
    assert.deepEqual(summary.artifacts, { uploaded: 3, bytes, unreachable: 0 });
    assert.deepEqual(summary.models, { created: 2, existing: 0 });
    assert.deepEqual(summary.versions, { created: 4, updated: 0, unchanged: 0 });
    assert.equal(summary.writes, proxy.writes.length, 'the summary counts every write the target saw');
    assert.deepEqual([...phases], ['planning', 'experiments', 'runs', 'models', 'done']);
    const batches = proxy.writes.filter((r) => r.path.endsWith('/runs/log-batch')).length;
    assert.ok(batches >= Math.ceil(points / 1000) && batches < 40, `${batches} log-batch requests for ${points} points`);

    await expectRunsPushed(a.client, b.client, key, runIds);
    await expectModelsPushed(a.client, b.client, key, ['churn-classifier', 'fraud-detector']);
    const deleted = await b.client.experiments.getByName('abandoned-idea');
    assert.equal(deleted?.lifecycle_stage, 'deleted', 'a deleted experiment stays deleted on the target');
    const nested = await remoteRunOf(a.client, b.client, key, runIds[2]);
    const parent = await remoteRunOf(a.client, b.client, key, runIds[1]);
    assert.equal(nested.data.tags?.find((t) => t.key === 'mlflow.parentRunId')?.value, parent.info.run_id, 'trial-1 is nested under sweep on B');
  });

  it('sends nothing the second time: no write reaches B, nothing changes in A or B', async () => {
    proxy.reset();
    const [mutationsA, mutationsB] = [a.mutations, b.mutations];
    const summary = await pushToMlflow({ source: a.client, target, includeDeleted: true });
    assert.deepEqual(proxy.writes, [], 'no POST/PUT/PATCH/DELETE reached the target');
    assert.equal(summary.writes, 0);
    assert.deepEqual(summary.runs, { created: 0, updated: 0, unchanged: runIds.length, failed: 0 });
    assert.deepEqual(summary.versions, { created: 0, updated: 0, unchanged: 4 });
    assert.equal(b.mutations, mutationsB, 'store B was not written');
    assert.equal(a.mutations, mutationsA, 'store A was not written (its push tags are already there)');
    assert.ok(proxy.requests.length > 0 && proxy.requests.length < 150, `${proxy.requests.length} reads`);
  });

  it('recognises its runs on a server answering like plain MLflow (no point counts) and sends nothing', async () => {
    const plain = await CountingProxy.start(b.server.url, { plainMlflow: true });
    const client = new TrackingClient({ trackingUri: plain.url, token: b.token });
    try {
      // Another URI is another target key: the runs are found by their trackside.source_run_id tags.
      const summary = await pushToMlflow({ source: a.client, target: client, includeDeleted: true });
      assert.ok(summary.notes.some((n) => /does not count metric points/.test(n)));
      assert.deepEqual(plain.writes, []);
      assert.deepEqual(summary.runs, { created: 0, updated: 0, unchanged: runIds.length, failed: 0 });
      await expectRunsPushed(a.client, b.client, targetKeyOf(plain.url), runIds);
    } finally {
      client.close();
      await plain.close();
    }
  });

  it('sends only what changed: new points, a new param and tag, the end of a run, a new artifact', async () => {
    const [long, trial] = [runIds[7], runIds[2]];
    await a.client.runs.logBatch(long, {
      metrics: Array.from({ length: 25 }, (_, i) => ({ key: 'train/loss', value: 0.01 / (i + 1), step: 1300 + i, timestamp: 1_800_000_000_000 + i })),
      params: { resumed_from: 'checkpoint-1299' },
      tags: { stage: 'done' },
    });
    await a.client.runs.update(long, { status: 'FINISHED', endTime: 1_800_000_100_000 });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'trackside-push-file-')), 'notes.txt');
    fs.writeFileSync(file, 'pushed later');
    await a.client.artifacts.upload(trial, file, 'extra');
    proxy.reset();
    const summary = await pushToMlflow({ source: a.client, target, includeDeleted: true });
    assert.deepEqual(summary.runs, { created: 0, updated: 2, unchanged: runIds.length - 2, failed: 0 });
    assert.equal(summary.metrics, 25);
    assert.equal(summary.params, 1);
    assert.equal(summary.tags, 1);
    assert.deepEqual(summary.artifacts, { uploaded: 1, bytes: 12, unreachable: 0 });
    assert.deepEqual(
      proxy.writes.map((w) => `${w.method} ${w.path.replace(/\/artifacts\/\d.*/, '/artifacts/…')}`).sort(),
      ['POST /api/2.0/mlflow/runs/log-batch', 'POST /api/2.0/mlflow/runs/update', 'PUT /api/2.0/mlflow-artifacts/artifacts/…'],
    );
    await expectRunsPushed(a.client, b.client, key, runIds);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it('records the remote ids as tags on both sides', async () => {
    const local = await a.client.runs.get(runIds[0]);
    const remoteId = local.data.tags?.find((t) => t.key === PUSH_TAGS.runId(key))?.value;
    assert.match(remoteId ?? '', /^[0-9a-f]{32}$/);
    const remote = await b.client.runs.get(remoteId!);
    assert.equal(remote.data.tags?.find((t) => t.key === PUSH_TAGS.sourceRunId)?.value, runIds[0]);
  });
});

const SOURCES: { label: string; build(folder: string): Promise<BuiltFixture> }[] = [
  ...SQLITE_SCHEMAS.map((schema) => ({ label: `an MLflow SQLite database at ${schema.label}`, build: (f: string) => buildSqliteFixture(schema, f) })),
  { label: 'a generated mlruns/ tree', build: async (f: string) => buildMlrunsFixture(f) },
];

for (const { label, build } of SOURCES) {
  describe(`push round trip from ${label}`, function () {
    this.timeout(60_000);
    it('imports into A, pushes to a standalone server B, and B holds every run, point, param, tag and model; a second push writes nothing', async () => {
      const folder = tempFolder('trackside-push-trip-');
      const a = await ServedStore.open(path.join(folder, 'a'));
      const b = await ServedStore.open(path.join(folder, 'b'));
      const proxy = await CountingProxy.start(b.server.url);
      const target = new TrackingClient({ trackingUri: proxy.url, token: b.token });
      try {
        const fixture = await build(path.join(folder, 'mlflow'));
        await importMlflow(fixture.source, a.backend, { artifacts: 'copy' });
        const runIds = (await a.client.runs.searchAll({ experimentIds: (await a.client.experiments.searchAll({ viewType: 'ALL' })).map((e) => e.experiment_id), runViewType: 'ALL' })).map((r) => r.info.run_id);
        assert.equal(runIds.length, fixture.data.runs.length);
        const first = await pushToMlflow({ source: a.client, target, includeDeleted: true });
        assert.equal(first.runs.created, runIds.length);
        assert.equal(first.metrics, fixture.data.runs.reduce((n, r) => n + r.metrics.length, 0));
        await expectRunsPushed(a.client, b.client, targetKeyOf(proxy.url), runIds);
        const models = fixture.data.models.filter((m) => m.workspace === 'default').map((m) => m.name);
        await expectModelsPushed(a.client, b.client, targetKeyOf(proxy.url), models);
        proxy.reset();
        const second = await pushToMlflow({ source: a.client, target, includeDeleted: true });
        assert.deepEqual(proxy.writes, []);
        assert.equal(second.runs.unchanged, runIds.length);
      } finally {
        target.close();
        await proxy.close();
        await a.close();
        await b.close();
        removeFolder(folder);
      }
    });
  });
}

import assert from 'node:assert/strict';
import path from 'node:path';
import { importMlflow } from '../../../src/core/interop/mlflowImporter';
import { StoreBackend } from '../../../src/core/store/storeBackend';
import { TrackingError } from '../../../src/core/store/trackingError';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { buildMlrunsFixture, buildSqliteFixture, type BuiltFixture } from './fixtures/mlflowFixtures';
import { SCHEMA_3_RECENT } from './fixtures/mlflowSchemas';

/** What a person checks in the registry after importing the fixture's models. */
function expectRegistry(backend: StoreBackend, fixture: BuiltFixture, copied: boolean): void {
  const registry = backend.registry;
  const churn = registry.getRegisteredModel({ name: 'churn-classifier' });
  assert.equal(churn.description, 'Gradient-boosted churn model');
  assert.deepEqual(churn.tags, [{ key: 'owner', value: 'growth-team' }]);
  assert.deepEqual(
    [...(churn.aliases ?? [])].sort((a, b) => a.alias.localeCompare(b.alias)),
    [{ alias: 'challenger', version: '4' }, { alias: 'champion', version: '2' }],
  );
  const source = fixture.data.models[0];
  for (const want of source.versions) {
    const request = { name: 'churn-classifier', version: String(want.version) };
    if (want.stage === 'Deleted_Internal') {
      assert.throws(() => registry.getModelVersion(request), (e: Error) => e instanceof TrackingError && e.code === 'RESOURCE_DOES_NOT_EXIST');
      continue;
    }
    const got = registry.getModelVersion(request);
    assert.equal(got.current_stage, want.stage, `v${want.version} stage`);
    assert.equal(got.run_id, want.runId ?? undefined, `v${want.version} run`);
    assert.equal(got.creation_timestamp, want.creationTime, `v${want.version} creation time`);
    assert.equal(got.user_id, 'ana');
    assert.equal(got.status, 'READY');
    assert.deepEqual(got.tags ?? [], want.tags);
    const run = fixture.data.runs.find((r) => r.runId === want.runId)!;
    const expectedSource =
      copied && want.source.startsWith(run.artifactUri)
        ? `${backend.tracking.getRun({ run_id: run.runId }).info.artifact_uri}/model`
        : want.source;
    assert.equal(got.source, expectedSource, `v${want.version} source`);
  }
  const fraud = registry.getModelVersion({ name: 'fraud-detector', version: '1' });
  assert.deepEqual([fraud.source, fraud.current_stage, fraud.tags], ['s3://models-bucket/fraud/1', 'None', [{ key: 'framework', value: 'xgboost' }]]);
}

describe("importMlflow into Trackside's model registry", () => {
  let folder: string;
  before(() => (folder = tempFolder('trackside-registry-import-')));
  after(() => removeFolder(folder));

  it('keeps version numbers, stages, aliases, tags and times; new versions continue after the imported ones', async () => {
    const fixture = await buildSqliteFixture(SCHEMA_3_RECENT, path.join(folder, 'recent'));
    const backend = await StoreBackend.inMemory();
    try {
      const summary = await importMlflow(fixture.source, backend, { artifacts: 'reference' });
      assert.deepEqual(summary.models, { imported: 2, skipped: 1 }, 'the research workspace copy of churn-classifier is left out');
      assert.deepEqual(summary.versions, { imported: 4, skipped: 1 });
      expectRegistry(backend, fixture, false);
      const next = backend.registry.createModelVersion({ name: 'churn-classifier', source: 'runs:/' + fixture.data.runs[2].runId + '/model' });
      assert.equal(next.version, '5');

      let writes = 0;
      backend.store.onMutation(() => writes++);
      const again = await importMlflow(fixture.source, backend, { artifacts: 'reference' });
      assert.equal(writes, 0, 'importing the same source again writes nothing');
      assert.deepEqual([again.models.imported, again.versions.imported, again.runs.imported], [0, 0, 0]);
    } finally {
      await backend.close();
    }
  });

  it('points versions whose model lies in a copied run at the copy, and keeps them after reopening', async () => {
    const fixture = buildMlrunsFixture(path.join(folder, 'laptop'));
    const storeFolder = path.join(folder, 'store');
    let backend = await StoreBackend.open(storeFolder, { idleCheckpointMs: 0 });
    try {
      await importMlflow(fixture.source, backend, { artifacts: 'copy' });
      expectRegistry(backend, fixture, true);
      assert.match(backend.registry.getModelVersion({ name: 'churn-classifier', version: '2' }).source, /^mlflow-artifacts:\/1\/[0-9a-f]{32}\/artifacts\/model$/);
    } finally {
      await backend.close({ checkpoint: false });
    }
    backend = await StoreBackend.open(storeFolder, { idleCheckpointMs: 0 });
    try {
      expectRegistry(backend, fixture, true);
    } finally {
      await backend.close();
    }
  });
});

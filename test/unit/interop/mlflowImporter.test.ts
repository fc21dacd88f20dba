import assert from 'node:assert/strict';
import { importMlflow } from '../../../src/core/interop/mlflowImporter';
import { MlflowFileStoreReader } from '../../../src/core/interop/mlflowFileStoreReader';
import { MlflowSqliteReader } from '../../../src/core/interop/mlflowSqliteReader';
import type { ImportSummary } from '../../../src/core/interop/importSummary';
import { StoreBackend } from '../../../src/core/store/storeBackend';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { expectImported } from './fixtures/expectImported';
import { FakeRegistry } from './fixtures/fakeRegistry';
import { LOGGED_MODELS, TRACES, buildMlrunsFixture, buildSqliteFixture, type BuiltFixture } from './fixtures/mlflowFixtures';
import { SQLITE_SCHEMAS } from './fixtures/mlflowSchemas';

const NO_IDLE = { idleCheckpointMs: 0 };

function totalPoints(fixture: BuiltFixture): number {
  return fixture.data.runs.reduce((n, r) => n + r.metrics.length, 0);
}

/** The counts a first import of `fixture` must report. */
function expectFirstSummary(summary: ImportSummary, fixture: BuiltFixture, registry: FakeRegistry | undefined): void {
  const { data, features } = fixture;
  assert.equal(summary.experiments.imported, data.experiments.length - 1, 'every experiment but Default is created');
  assert.equal(summary.runs.imported, data.runs.length);
  assert.equal(summary.runs.skipped, 0);
  assert.equal(summary.metrics, totalPoints(fixture));
  assert.equal(summary.params, data.runs.reduce((n, r) => n + r.params.length, 0));
  assert.equal(summary.tags, data.runs.reduce((n, r) => n + r.tags.length, 0));
  assert.equal(summary.inputs, data.runs.reduce((n, r) => n + r.inputs.length, 0));
  if (features.registry && registry) {
    assert.equal(summary.models.imported, 2);
    assert.equal(summary.versions.imported, 4, 'three live versions of churn-classifier (3 was deleted) and one of fraud-detector');
    assert.ok(summary.skipped.some((s) => s.what === "version 3 of registered model 'churn-classifier'" && /deleted in MLflow/.test(s.why)));
  }
}

function expectNothingAdded(summary: ImportSummary, fixture: BuiltFixture): void {
  assert.equal(summary.experiments.imported, 0);
  assert.equal(summary.runs.imported, 0);
  assert.equal(summary.runs.skipped, fixture.data.runs.length);
  assert.equal(summary.metrics, 0);
  assert.equal(summary.params, 0);
  assert.equal(summary.tags, 0);
  assert.equal(summary.models.imported, 0);
  assert.equal(summary.versions.imported, 0);
  assert.deepEqual(summary.artifacts, { copied: 0, referenced: 0, missing: 0 });
  assert.ok(summary.skipped.some((s) => s.what === `${fixture.data.runs.length} run(s)` && s.why === 'already imported from this source'));
}

for (const schema of SQLITE_SCHEMAS) {
  describe(`importMlflow from an MLflow SQLite database at ${schema.label}`, () => {
    let folder: string;
    let fixture: BuiltFixture;
    before(async () => {
      folder = tempFolder('trackside-mlflow-db-');
      fixture = await buildSqliteFixture(schema, folder);
    });
    after(() => removeFolder(folder));

    it('detects the revision and which tables and columns exist', async () => {
      const reader = await MlflowSqliteReader.open(fixture.source);
      try {
        assert.equal(reader.revision, schema.revision);
        assert.equal(reader.features.metricSteps, schema.features.steps);
        assert.equal(reader.features.nanFlags, schema.features.nan);
        assert.equal(reader.features.datasets, schema.features.datasets);
        assert.equal(reader.features.aliases, schema.features.aliases);
        assert.equal(reader.features.storageLocation, schema.features.storageLocation);
        assert.equal(reader.features.experimentTimes, schema.features.experimentTimes);
        assert.equal(reader.features.loggedModels, schema.features.loggedModels);
        assert.match(reader.description, new RegExp(schema.revision ?? 'older than MLflow 1.0'));
        const pages = [...reader.metricPages(fixture.data.runs[7].runId, 1000)];
        assert.deepEqual(pages.map((p) => p.length), [1000, 1000, 600], 'the long run streams in pages of 1,000');
      } finally {
        reader.close();
      }
    });

    it('imports every experiment, run, point, param, tag, input and model into an in-memory store', async () => {
      const backend = await StoreBackend.inMemory();
      const registry = new FakeRegistry();
      try {
        const summary = await importMlflow(fixture.source, backend, { artifacts: 'reference', registry });
        expectFirstSummary(summary, fixture, registry);
        const renamed = schema.features.workspaces ? { 4: 'churn-model (imported)' } : undefined;
        expectImported(backend, fixture.data, { features: fixture.features, sourceKey: fixture.sourceKey, artifacts: 'reference', registry, renamed });
        assert.equal(summary.artifacts.referenced, fixture.data.runs.length);
        if (schema.features.loggedModels) {
          assert.ok(summary.notes.some((n) => n.startsWith(`${LOGGED_MODELS} logged model(s)`)), summary.notes.join('\n'));
          assert.ok(summary.notes.some((n) => n.startsWith(`${TRACES} trace(s)`)));
          assert.ok(summary.notes.some((n) => /2 MLflow workspaces \(default, research\)/.test(n)));
          assert.ok(summary.notes.some((n) => n.includes("'churn-model' (id 4) was imported as 'churn-model (imported)'")));
        }
        if (schema.features.workspaces) {
          assert.ok(summary.skipped.some((s) => /param 'note'/.test(s.what) && /7000 characters; Trackside keeps the first 6000/.test(s.why)));
        }
      } finally {
        await backend.close();
      }
    });

    it('copies artifacts into a folder store, keeps everything after reopening, and adds nothing when imported again', async () => {
      const storeFolder = tempFolder('trackside-import-store-');
      const registry = new FakeRegistry();
      try {
        let backend = await StoreBackend.open(storeFolder, NO_IDLE);
        const first = await importMlflow(`sqlite:///${fixture.source}`, backend, { artifacts: 'copy', registry });
        expectFirstSummary(first, fixture, registry);
        assert.equal(first.artifacts.copied, 1, 'trial-1 has artifact files');
        assert.equal(first.artifacts.missing, fixture.data.runs.length - 1, 'the other runs logged none');
        await backend.close();

        backend = await StoreBackend.open(storeFolder, NO_IDLE);
        try {
          const renamed = schema.features.workspaces ? { 4: 'churn-model (imported)' } : undefined;
          expectImported(backend, fixture.data, { features: fixture.features, sourceKey: fixture.sourceKey, artifacts: 'copy', registry, renamed });
          const writes = registry.writes;
          const again = await importMlflow(fixture.source, backend, { artifacts: 'copy', registry });
          expectNothingAdded(again, fixture);
          assert.equal(registry.writes, writes, 'the registry was not written to again');
          assert.equal(again.models.skipped, !schema.features.registry ? 0 : schema.features.workspaces ? 3 : 2, 'both models (and the research workspace copy)');
          expectImported(backend, fixture.data, { features: fixture.features, sourceKey: fixture.sourceKey, artifacts: 'copy', registry, renamed });
        } finally {
          await backend.close();
        }
      } finally {
        removeFolder(storeFolder);
      }
    });
  });
}

describe('importMlflow from an MLflow file store (mlruns/)', () => {
  let folder: string;
  let fixture: BuiltFixture;
  before(() => {
    folder = tempFolder('trackside-mlruns-');
    fixture = buildMlrunsFixture(folder);
  });
  after(() => removeFolder(folder));

  it('reads experiments (deleted ones from .trash), runs, nested metric keys and the registry', () => {
    const reader = new MlflowFileStoreReader(fixture.source);
    const experiments = reader.experiments();
    assert.deepEqual(experiments.map((e) => [e.id, e.name, e.lifecycleStage]), [
      ['0', 'Default', 'active'], ['1', 'churn-model', 'active'], ['2', 'abandoned-idea', 'deleted'], ['3', 'fraud-detection', 'active'],
    ]);
    const trial = reader.runs('1').find((r) => r.name === 'trial-1')!;
    assert.equal(trial.userId, 'ben');
    const points = [...reader.metricPages(trial.runId, 1000)].flat();
    assert.equal(points.filter((p) => p.key === 'val/loss').length, 60);
    assert.ok(Number.isNaN(points.find((p) => p.key === 'accuracy' && p.step === 7)!.value));
    assert.equal(reader.metricCount(trial.runId), 300);
    const [churn] = reader.registeredModels();
    assert.deepEqual(churn.aliases, [{ alias: 'challenger', version: 4 }, { alias: 'champion', version: 2 }]);
    assert.deepEqual(reader.modelVersions(churn).map((v) => [v.version, v.currentStage]), [[1, 'Archived'], [2, 'Production'], [3, 'Deleted_Internal'], [4, 'Staging']]);
  });

  it('imports everything into an in-memory store', async () => {
    const backend = await StoreBackend.inMemory();
    const registry = new FakeRegistry();
    try {
      const summary = await importMlflow(fixture.source, backend, { artifacts: 'reference', registry });
      expectFirstSummary(summary, fixture, registry);
      expectImported(backend, fixture.data, { features: fixture.features, sourceKey: fixture.sourceKey, artifacts: 'reference', registry });
    } finally {
      await backend.close();
    }
  });

  it('copies artifacts into a folder store and adds nothing when imported again', async () => {
    const storeFolder = tempFolder('trackside-import-store-');
    const registry = new FakeRegistry();
    try {
      const backend = await StoreBackend.open(storeFolder, NO_IDLE);
      try {
        const first = await importMlflow(folder, backend, { artifacts: 'copy', registry });
        expectFirstSummary(first, fixture, registry);
        assert.equal(first.artifacts.copied, 1);
        expectImported(backend, fixture.data, { features: fixture.features, sourceKey: fixture.sourceKey, artifacts: 'copy', registry });
        expectNothingAdded(await importMlflow(fixture.source, backend, { artifacts: 'copy', registry }), fixture);
      } finally {
        await backend.close();
      }
    } finally {
      removeFolder(storeFolder);
    }
  });
});

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ImportAbortedError, type ImportProgress } from '../../../src/core/interop/importSummary';
import { importMlflow, sourcePath } from '../../../src/core/interop/mlflowImporter';
import { MlflowImportError } from '../../../src/core/interop/mlflowSource';
import type { RegistryTarget } from '../../../src/core/interop/registryTarget';
import { IMPORT_SOURCE_TAG } from '../../../src/core/interop/runImporter';
import { loadSqlJs } from '../../../src/core/store/sqlJsLoader';
import { StoreBackend } from '../../../src/core/store/storeBackend';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { expectImported } from './fixtures/expectImported';
import { FakeRegistry } from './fixtures/fakeRegistry';
import { buildMlrunsFixture, buildSqliteFixture, type BuiltFixture } from './fixtures/mlflowFixtures';
import { SCHEMA_2_4 } from './fixtures/mlflowSchemas';

async function rejectsWith(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (e: Error) => {
    assert.ok(e instanceof MlflowImportError, `${e.name}: ${e.message}`);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('importMlflow: sources it refuses, progress, cancelling, and conflicts', () => {
  let folder: string;
  let fixture: BuiltFixture;
  let backend: StoreBackend;
  before(async () => {
    folder = tempFolder('trackside-import-edges-');
    fixture = await buildSqliteFixture(SCHEMA_2_4, path.join(folder, 'server'));
  });
  after(() => removeFolder(folder));
  beforeEach(async () => (backend = await StoreBackend.inMemory()));
  afterEach(() => backend.close());

  const runCount = (): number => backend.tracking.searchRuns({ experiment_ids: ['0', '1', '2', '3', '4', '5'], run_view_type: 'ALL' }).runs.length;

  it('refuses a file that is not an SQLite database, and leaves the store untouched', async () => {
    const file = path.join(folder, 'notes.db');
    fs.writeFileSync(file, 'experiment,run\n1,abc\n');
    await rejectsWith(importMlflow(file, backend, { artifacts: 'reference' }), /notes\.db is not an SQLite database.*an MLflow database \(mlflow\.db\) or an mlruns folder/);
    assert.equal(backend.tracking.searchExperiments({ view_type: 'ALL' }).experiments.length, 1, 'only Default');
  });

  it("refuses an SQLite database that is not MLflow's, naming its tables", async () => {
    const SQL = await loadSqlJs();
    const db = new SQL.Database();
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); CREATE TABLE orders (id INTEGER PRIMARY KEY)');
    const file = path.join(folder, 'shop.sqlite');
    fs.writeFileSync(file, db.export());
    db.close();
    await rejectsWith(importMlflow(file, backend, { artifacts: 'reference' }), /not an MLflow tracking database.*users, orders/);
  });

  it('refuses a Trackside store and says to open it instead', async () => {
    const storeFolder = path.join(folder, 'trackside-store');
    await (await StoreBackend.open(storeFolder, { idleCheckpointMs: 0 })).close();
    await rejectsWith(importMlflow(path.join(storeFolder, 'store.sqlite'), backend, { artifacts: 'reference' }), /is a Trackside store/);
  });

  it('refuses a damaged database with a clear error', async () => {
    const bytes = fs.readFileSync(fixture.source);
    for (let i = 100; i < 4096; i++) bytes[i] = (i * 7) & 0xff; // the schema page after the header
    const file = path.join(folder, 'damaged.db');
    fs.writeFileSync(file, bytes);
    await rejectsWith(importMlflow(file, backend, { artifacts: 'reference' }), /damaged\.db cannot be read as an SQLite database: database disk image is malformed/);
    assert.equal(runCount(), 0);
  });

  it('says what it expected when the path has no MLflow data or does not exist', async () => {
    const empty = path.join(folder, 'empty');
    fs.mkdirSync(empty, { recursive: true });
    await rejectsWith(importMlflow(empty, backend, { artifacts: 'reference' }), /No MLflow data in .*empty: expected an mlruns folder/);
    await rejectsWith(importMlflow(path.join(folder, 'nope.db'), backend, { artifacts: 'reference' }), /nope\.db does not exist/);
  });

  it('understands sqlite:/// URIs (relative) and sqlite://// URIs (absolute)', () => {
    assert.equal(sourcePath('sqlite:///mlflow.db'), path.resolve('mlflow.db'));
    assert.equal(sourcePath('sqlite:////srv/mlflow/mlflow.db'), path.resolve('/srv/mlflow/mlflow.db'));
    assert.equal(sourcePath('file:///srv/mlruns'), path.resolve('/srv/mlruns'));
  });

  it('reports progress phase by phase, every run counted once', async () => {
    const events: ImportProgress[] = [];
    await importMlflow(fixture.source, backend, { artifacts: 'reference', registry: new FakeRegistry(), onProgress: (p) => events.push({ ...p }) });
    const phases = events.map((e) => e.phase).filter((p, i, all) => p !== all[i - 1]);
    assert.deepEqual(phases, ['reading', 'experiments', 'runs', 'models', 'done']);
    const runEvents = events.filter((e) => e.phase === 'runs');
    assert.ok(runEvents.every((e) => e.total === fixture.data.runs.length));
    assert.deepEqual(runEvents.map((e) => e.done), [...fixture.data.runs.keys(), fixture.data.runs.length]);
    assert.match(runEvents.find((e) => e.message.includes('long-training'))!.message, /Run \d+ of 8: long-training \(2,600 metric points\)/);
    assert.match(events[events.length - 1].message, /Imported 8 run\(s\) in 3 new experiment\(s\)/);
  });

  it('stops when cancelled, removes the run it was in, and a second import finishes the job', async () => {
    const controller = new AbortController();
    const onProgress = (p: ImportProgress): void => {
      if (p.phase === 'runs' && p.done === 3) controller.abort();
    };
    await assert.rejects(importMlflow(fixture.source, backend, { artifacts: 'reference', onProgress, signal: controller.signal }), (e: Error) => {
      assert.ok(e instanceof ImportAbortedError);
      assert.equal(e.name, 'AbortError');
      assert.equal(e.summary.runs.imported, 3);
      assert.match(e.message, /Importing the same source again continues where it stopped/);
      return true;
    });
    assert.equal(runCount(), 3, 'the fourth run, cut off after its first page of points, was removed');
    const registry = new FakeRegistry();
    const rest = await importMlflow(fixture.source, backend, { artifacts: 'reference', registry });
    assert.equal(rest.runs.imported, fixture.data.runs.length - 3);
    assert.equal(rest.runs.skipped, 3);
    expectImported(backend, fixture.data, { features: fixture.features, sourceKey: fixture.sourceKey, artifacts: 'reference', registry });
  });

  it('removes and imports again a run an interrupted import left without its marker', async () => {
    const run = fixture.data.runs[2];
    backend.tracking.createExperiment({ name: 'churn-model', tags: [
      ...fixture.data.experiments[1].tags,
      { key: 'trackside.import.source', value: fixture.sourceKey },
      { key: 'trackside.import.source_experiment_id', value: '1' },
      { key: 'trackside.import.source_experiment_name', value: 'churn-model' },
    ] });
    backend.tracking.importRun({ run_id: run.runId, experiment_id: '1', run_name: run.name, status: 'RUNNING', artifact_uri: run.artifactUri });
    backend.tracking.logBatch({ run_id: run.runId, metrics: run.metrics.slice(0, 10) });
    const registry = new FakeRegistry();
    const summary = await importMlflow(fixture.source, backend, { artifacts: 'reference', registry });
    assert.equal(summary.runs.imported, fixture.data.runs.length);
    assert.equal(summary.experiments.imported, 2, 'churn-model was reused');
    expectImported(backend, fixture.data, { features: fixture.features, sourceKey: fixture.sourceKey, artifacts: 'reference', registry });
  });

  it('imports next to a same-named experiment of another origin, and skips runs another source brought in', async () => {
    backend.tracking.createExperiment({ name: 'churn-model' });
    const first = await importMlflow(fixture.source, backend, { artifacts: 'reference', registry: new FakeRegistry() });
    assert.ok(first.notes.includes("MLflow experiment 'churn-model' (id 1) was imported as 'churn-model (imported)': an experiment named 'churn-model' exists here already."));
    expectImported(backend, fixture.data, {
      features: fixture.features, sourceKey: fixture.sourceKey, artifacts: 'reference', renamed: { 1: 'churn-model (imported)' },
    });
    const again = await importMlflow(fixture.source, backend, { artifacts: 'reference', registry: new FakeRegistry() });
    assert.equal(again.experiments.imported, 0, 'the renamed experiment is found again');

    const mlruns = buildMlrunsFixture(path.join(folder, 'laptop'));
    const other = await importMlflow(mlruns.source, backend, { artifacts: 'reference' });
    assert.equal(other.runs.imported, 0);
    assert.equal(other.runs.skipped, mlruns.data.runs.length);
    const skipped = other.skipped.find((s) => s.what.startsWith(`run ${mlruns.data.runs[0].runId}`));
    assert.equal(skipped?.why, `already imported from ${fixture.source}`);
    const marker = backend.tracking.getRun({ run_id: mlruns.data.runs[0].runId }).data.tags?.find((t) => t.key === IMPORT_SOURCE_TAG);
    assert.equal(marker?.value, fixture.sourceKey, 'the run still says where it came from');
  });

  it('leaves registered models out, saying why, when the registry lacks an import method', async () => {
    const full = new FakeRegistry();
    const registry = {
      getRegisteredModel: full.getRegisteredModel.bind(full),
      createRegisteredModel: full.createRegisteredModel.bind(full),
      getModelVersion: full.getModelVersion.bind(full),
      transitionModelVersionStage: full.transitionModelVersionStage.bind(full),
      setRegisteredModelAlias: full.setRegisteredModelAlias.bind(full),
    } as unknown as RegistryTarget;
    const summary = await importMlflow(fixture.source, backend, { artifacts: 'reference', registry });
    assert.deepEqual(summary.models, { imported: 0, skipped: 2 });
    assert.ok(summary.skipped.some((s) => s.what === '2 registered model(s) (churn-classifier, fraud-detector)' && /lacks importModelVersion/.test(s.why)));
  });
});

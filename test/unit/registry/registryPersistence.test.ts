import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { RegistryStore } from '../../../src/core/store/registryStore';
import { StoreBackend } from '../../../src/core/store/storeBackend';
import { LOCK_FILE } from '../../../src/core/store/storeLock';
import { removeFolder, tempFolder } from '../helpers/tempFolder';

const NO_IDLE = { idleCheckpointMs: 0 };

/** Leaves a backend as a killed process would: no checkpoint, no unlock (the lock's pid is then "dead"). */
function crash(folder: string): void {
  const lockFile = path.join(folder, LOCK_FILE);
  const lock = JSON.parse(fs.readFileSync(lockFile, 'utf8'));
  fs.writeFileSync(lockFile, JSON.stringify({ ...lock, pid: 2 ** 22 + 12345 }));
}

/** Everything a person could read back from the registry. */
function snapshot(registry: RegistryStore): unknown {
  const models = registry.searchRegisteredModels({ max_results: 1000 }).registered_models;
  return {
    models: models.map((m) => registry.getRegisteredModel({ name: m.name })),
    versions: registry.searchModelVersions({ order_by: ['name ASC', 'version_number ASC'] }).model_versions,
    downloads: registry
      .searchModelVersions({})
      .model_versions.map((v) => registry.getModelVersionDownloadUri({ name: v.name, version: v.version }).artifact_uri),
    history: models.map((m) => registry.getRegistryHistory({ name: m.name }).events),
  };
}

describe('registry persistence', () => {
  let folder: string;
  beforeEach(() => (folder = tempFolder()));
  afterEach(() => removeFolder(folder));

  it('replays registry changes from the journal after a crash, exactly as they were', async () => {
    const a = await StoreBackend.open(folder, NO_IDLE);
    let clock = Date.UTC(2024, 2, 1);
    a.registry.clock = () => (clock += 1000);
    const run = a.tracking.createRun({ experiment_id: '0' }).info;
    const r = a.registry;
    r.createRegisteredModel({ name: 'fraud', description: 'scores fraud', tags: [{ key: 'team', value: 'risk' }], user_id: 'ana' });
    for (let i = 0; i < 4; i++) r.createModelVersion({ name: 'fraud', source: `runs:/${run.run_id}/model-${i}`, run_id: run.run_id });
    r.createModelVersion({ name: 'fraud', source: 'models:/fraud/2', description: 'copy of 2' });
    r.transitionModelVersionStage({ name: 'fraud', version: '1', stage: 'Production' });
    r.transitionModelVersionStage({ name: 'fraud', version: '2', stage: 'Production' });
    r.transitionModelVersionStage({ name: 'fraud', version: '3', stage: 'production', archive_existing_versions: true, user_id: 'bo' });
    r.setRegisteredModelAlias({ name: 'fraud', alias: 'champion', version: '3' });
    r.setRegisteredModelAlias({ name: 'fraud', alias: 'champion', version: '4' });
    r.setRegisteredModelAlias({ name: 'fraud', alias: 'old', version: '1' });
    r.setModelVersionTag({ name: 'fraud', version: '3', key: 'validated', value: 'true' });
    r.updateModelVersion({ name: 'fraud', version: '3', description: 'the good one' });
    r.deleteModelVersion({ name: 'fraud', version: '4' });
    r.createRegisteredModel({ name: 'main.ads.ctr' });
    r.createModelVersion({ name: 'main.ads.ctr', source: '/srv/models/ctr' });
    r.renameRegisteredModel({ name: 'fraud', new_name: 'fraud-v2' });
    r.createRegisteredModel({ name: 'scratch' });
    r.deleteRegisteredModel({ name: 'scratch' });
    await a.store.synced();
    const before = snapshot(a.registry);
    crash(folder);

    const b = await StoreBackend.open(folder, NO_IDLE);
    assert.deepEqual(snapshot(b.registry), before);
    assert.deepEqual(b.registry.stageAt({ name: 'fraud-v2', stage: 'Production', time: Date.UTC(2024, 2, 2) }), { version: '3', versions: ['3'] });
    assert.equal(b.registry.getModelVersionByAlias({ name: 'fraud-v2', alias: 'old' }).version, '1');
    assert.equal(b.registry.createModelVersion({ name: 'fraud-v2', source: '/srv/x' }).version, '6', 'numbering goes on past the deleted version 4');

    // A checkpoint, more changes, another crash: nothing is replayed twice, nothing is lost.
    await b.store.checkpoint();
    b.registry.setRegisteredModelAlias({ name: 'fraud-v2', alias: 'champion', version: '6' });
    b.registry.transitionModelVersionStage({ name: 'fraud-v2', version: '6', stage: 'Staging' });
    await b.store.synced();
    const again = snapshot(b.registry);
    crash(folder);
    const c = await StoreBackend.open(folder, NO_IDLE);
    assert.deepEqual(snapshot(c.registry), again);
    await c.close();
  });

  it('reads a clean close back from the snapshot alone', async () => {
    const a = await StoreBackend.open(folder, NO_IDLE);
    a.registry.createRegisteredModel({ name: 'm' });
    a.registry.createModelVersion({ name: 'm', source: '/srv/m' });
    a.registry.setRegisteredModelAlias({ name: 'm', alias: 'champion', version: '1' });
    const before = snapshot(a.registry);
    await a.close();
    const b = await StoreBackend.open(folder, NO_IDLE);
    assert.deepEqual(snapshot(b.registry), before);
    await b.close();
  });
});

import assert from 'node:assert/strict';
import { RegistryFixture, rejects } from './registryFixture';

describe('registry: model versions', () => {
  let f: RegistryFixture;
  beforeEach(async () => (f = await RegistryFixture.create()));
  afterEach(() => f.close());

  it('registers a version from a run: READY, stage None, download URI inside the run\'s artifacts', () => {
    f.registry.createRegisteredModel({ name: 'm' });
    f.tick();
    const { runId, artifactUri } = f.run();
    const version = f.registry.createModelVersion({
      name: 'm', source: `runs:/${runId}/model`, run_id: runId, run_link: 'http://x/run', description: 'first', user_id: 'ana',
      tags: [{ key: 'validated', value: 'true' }],
    });
    assert.deepEqual(version, {
      name: 'm', version: '1', creation_timestamp: f.now, last_updated_timestamp: f.now, user_id: 'ana', current_stage: 'None',
      description: 'first', source: `runs:/${runId}/model`, run_id: runId, status: 'READY', tags: [{ key: 'validated', value: 'true' }],
      run_link: 'http://x/run',
    });
    assert.match(artifactUri, /^mlflow-artifacts:\/0\/[0-9a-f]{32}\/artifacts$/);
    assert.deepEqual(f.registry.getModelVersionDownloadUri({ name: 'm', version: '1' }), { artifact_uri: `${artifactUri}/model` });
    assert.equal(f.registry.getRegisteredModel({ name: 'm' }).last_updated_timestamp, f.now, 'a new version bumps the model');
  });

  it('numbers versions from 1 per model and never reuses a number', () => {
    f.model('a', 3);
    f.model('b', 1);
    assert.deepEqual(Object.keys(f.stages('a')), ['1', '2', '3']);
    assert.deepEqual(Object.keys(f.stages('b')), ['1']);
    f.registry.deleteModelVersion({ name: 'a', version: '3' });
    f.registry.deleteModelVersion({ name: 'a', version: '2' });
    assert.equal(f.version('a'), '4');
    rejects(() => f.registry.getModelVersion({ name: 'a', version: '3' }), 'RESOURCE_DOES_NOT_EXIST', 'Model Version (name=a, version=3) not found');
    rejects(() => f.registry.deleteModelVersion({ name: 'a', version: '3' }), 'RESOURCE_DOES_NOT_EXIST');
    rejects(() => f.registry.createModelVersion({ name: 'nope', source: '/x' }), 'RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=nope not found');
  });

  it('validates sources and resolves where each one\'s files are', () => {
    f.model('m', 1);
    const uri = (source: string): string => {
      const { version } = f.registry.createModelVersion({ name: 'm', source });
      return f.registry.getModelVersionDownloadUri({ name: 'm', version }).artifact_uri;
    };
    const v1Files = f.registry.getModelVersionDownloadUri({ name: 'm', version: '1' }).artifact_uri;
    assert.equal(uri('models:/m/1'), v1Files, 'a models:/ source resolves to that version\'s files');
    assert.equal(f.registry.getModelVersion({ name: 'm', version: '2' }).source, 'models:/m/1', 'the source is kept as given');
    for (const plain of ['mlflow-artifacts:/0/abc/artifacts/model', 'file:///tmp/model', '/srv/models/m', 's3://bucket/models/m', 'C:\\models\\m']) {
      assert.equal(uri(plain), plain);
    }
    rejects(() => uri('model'), 'INVALID_PARAMETER_VALUE', /^Invalid model version source: 'model'\. Use runs:\/<run_id>\/<path>/);
    rejects(() => uri('/srv/models/../../etc'), 'INVALID_PARAMETER_VALUE', /an absolute path must be provided without relative path references/);
    rejects(() => uri('mlflow-artifacts:/0/..%2f..%2fsecret'), 'INVALID_PARAMETER_VALUE', /without relative path references/);
    rejects(() => uri(`runs:/${'0'.repeat(32)}/model`), 'RESOURCE_DOES_NOT_EXIST', `Run with id=${'0'.repeat(32)} not found`);
    rejects(() => uri('runs:/'), 'INVALID_PARAMETER_VALUE', /^Not a proper runs:\/ URI/);
    rejects(() => uri('models:/m/9'), 'RESOURCE_DOES_NOT_EXIST', /^Unable to fetch model from model URI source artifact location 'models:\/m\/9'\. Error: Model Version \(name=m, version=9\) not found$/);
    rejects(() => f.registry.createModelVersion({ name: 'm' }), 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'source'.");
  });

  it('updates a version\'s description without bumping the model', () => {
    f.model('m', 1);
    const modelTime = f.registry.getRegisteredModel({ name: 'm' }).last_updated_timestamp;
    f.tick();
    const updated = f.registry.updateModelVersion({ name: 'm', version: '1', description: 'better' });
    assert.equal(updated.description, 'better');
    assert.equal(updated.last_updated_timestamp, f.now);
    assert.equal(f.registry.getRegisteredModel({ name: 'm' }).last_updated_timestamp, modelTime);
    assert.equal(f.registry.updateModelVersion({ name: 'm', version: '1' }).description, undefined);
  });

  it('sets and deletes version tags', () => {
    f.model('m', 1);
    f.registry.setModelVersionTag({ name: 'm', version: '1', key: 'accuracy', value: '0.93' });
    f.registry.setModelVersionTag({ name: 'm', version: 1, key: 'accuracy', value: '0.95' });
    assert.deepEqual(f.registry.getModelVersion({ name: 'm', version: '1' }).tags, [{ key: 'accuracy', value: '0.95' }]);
    f.registry.deleteModelVersionTag({ name: 'm', version: '1', key: 'accuracy' });
    assert.equal(f.registry.getModelVersion({ name: 'm', version: '1' }).tags, undefined);
    rejects(() => f.registry.setModelVersionTag({ name: 'm', version: '1', key: 'k' }), 'INVALID_PARAMETER_VALUE', 'Tag value cannot be None');
    rejects(
      () => f.registry.setModelVersionTag({ name: 'm', version: '1', key: 'k'.repeat(251), value: 'v' }),
      'INVALID_PARAMETER_VALUE',
      /^Model version key 'k+' had length 251, which exceeded length limit of 250$/,
    );
    rejects(() => f.registry.setModelVersionTag({ name: 'm', version: '2', key: 'k', value: 'v' }), 'RESOURCE_DOES_NOT_EXIST');
  });

  it('transitions stages, bumping the version and the model', () => {
    f.model('m', 2);
    f.tick(60_000);
    const moved = f.registry.transitionModelVersionStage({ name: 'm', version: '1', stage: 'staging' });
    assert.equal(moved.current_stage, 'Staging');
    assert.equal(moved.last_updated_timestamp, f.now);
    assert.equal(f.registry.getRegisteredModel({ name: 'm' }).last_updated_timestamp, f.now);
    f.stage('m', '2', 'Staging');
    assert.deepEqual(f.stages('m'), { 1: 'Staging', 2: 'Staging' }, 'without archive_existing_versions both stay');
  });

  it('archives the other versions of the stage on request, recording every move', () => {
    f.model('m', 4);
    f.stage('m', '1', 'Production');
    f.stage('m', '2', 'Production');
    f.stage('m', '4', 'Staging');
    const eventsBefore = f.registry.getRegistryHistory({ name: 'm' }).events.length;
    f.tick();
    f.registry.transitionModelVersionStage({ name: 'm', version: '3', stage: 'Production', archive_existing_versions: true, user_id: 'ana' });
    assert.deepEqual(f.stages('m'), { 1: 'Archived', 2: 'Archived', 3: 'Production', 4: 'Staging' });
    assert.equal(f.registry.getModelVersion({ name: 'm', version: '1' }).last_updated_timestamp, f.now);
    const events = f.registry.getRegistryHistory({ name: 'm' }).events.slice(eventsBefore);
    assert.deepEqual(events, [
      { kind: 'stage', version: '3', from: 'None', to: 'Production', timestamp: f.now, user_id: 'ana' },
      { kind: 'stage', version: '1', from: 'Production', to: 'Archived', timestamp: f.now, user_id: 'ana' },
      { kind: 'stage', version: '2', from: 'Production', to: 'Archived', timestamp: f.now, user_id: 'ana' },
    ]);
  });

  it('allows archive_existing_versions only for Staging and Production, as MLflow says', () => {
    f.model('m', 1);
    for (const stage of ['None', 'archived']) {
      rejects(
        () => f.registry.transitionModelVersionStage({ name: 'm', version: '1', stage, archive_existing_versions: true }),
        'INVALID_PARAMETER_VALUE',
        `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. Valid stages are ['Staging', 'Production']`,
      );
    }
    assert.equal(f.registry.transitionModelVersionStage({ name: 'm', version: '1', stage: 'Staging', archive_existing_versions: 'true' }).current_stage, 'Staging');
    rejects(() => f.registry.transitionModelVersionStage({ name: 'm', version: '9', stage: 'Staging' }), 'RESOURCE_DOES_NOT_EXIST', 'Model Version (name=m, version=9) not found');
  });

  it('deletes a version with its tags and the aliases pointing to it', () => {
    f.model('m', 2);
    f.registry.setRegisteredModelAlias({ name: 'm', alias: 'champion', version: '1' });
    f.registry.setRegisteredModelAlias({ name: 'm', alias: 'backup', version: '1' });
    f.registry.setRegisteredModelAlias({ name: 'm', alias: 'challenger', version: '2' });
    f.registry.setModelVersionTag({ name: 'm', version: '1', key: 'k', value: 'v' });
    f.tick();
    f.registry.deleteModelVersion({ name: 'm', version: '1' });
    assert.deepEqual(f.registry.getRegisteredModel({ name: 'm' }).aliases, [{ alias: 'challenger', version: '2' }]);
    rejects(() => f.registry.getModelVersionByAlias({ name: 'm', alias: 'champion' }), 'INVALID_PARAMETER_VALUE', 'Registered model alias champion not found.');
    assert.equal(f.backend.store.db.scalar('SELECT COUNT(*) FROM model_version_tags'), 0);
    const tail = f.registry.getRegistryHistory({ name: 'm' }).events.slice(-3);
    assert.deepEqual(tail, [
      { kind: 'alias', version: '1', alias: 'backup', from: '1', timestamp: f.now },
      { kind: 'alias', version: '1', alias: 'champion', from: '1', timestamp: f.now },
      { kind: 'version_deleted', version: '1', from: 'None', timestamp: f.now },
    ]);
  });
});

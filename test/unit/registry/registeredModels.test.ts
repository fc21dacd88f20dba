import assert from 'node:assert/strict';
import { RegistryFixture, rejects } from './registryFixture';

describe('registry: registered models', () => {
  let f: RegistryFixture;
  beforeEach(async () => (f = await RegistryFixture.create()));
  afterEach(() => f.close());

  it('creates a model in MLflow\'s JSON shape, defaults omitted', () => {
    const created = f.registry.createRegisteredModel({ name: 'fraud' });
    assert.deepEqual(created, { name: 'fraud', creation_timestamp: f.now, last_updated_timestamp: f.now });
    const withAll = f.registry.createRegisteredModel({
      name: 'churn', description: 'predicts churn', user_id: 'ana', tags: [{ key: 'team', value: 'growth' }, { key: 'team', value: 'risk' }],
    });
    assert.deepEqual(withAll, {
      name: 'churn', creation_timestamp: f.now, last_updated_timestamp: f.now, user_id: 'ana', description: 'predicts churn',
      tags: [{ key: 'team', value: 'risk' }],
    });
    assert.deepEqual(f.registry.getRegisteredModel({ name: 'churn' }), withAll);
  });

  it('refuses a duplicate name with MLflow\'s RESOURCE_ALREADY_EXISTS message', () => {
    f.registry.createRegisteredModel({ name: 'fraud' });
    rejects(() => f.registry.createRegisteredModel({ name: 'fraud' }), 'RESOURCE_ALREADY_EXISTS', 'Registered Model (name=fraud) already exists.');
  });

  it('answers unknown and missing names as MLflow does', () => {
    rejects(() => f.registry.getRegisteredModel({ name: 'nope' }), 'RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=nope not found');
    rejects(() => f.registry.getRegisteredModel({}), 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'name'.");
    rejects(() => f.registry.createRegisteredModel({ name: '' }), 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'name'.");
    rejects(() => f.registry.deleteRegisteredModel({ name: 'nope' }), 'RESOURCE_DOES_NOT_EXIST');
    rejects(() => f.registry.updateRegisteredModel({ name: 'nope', description: 'x' }), 'RESOURCE_DOES_NOT_EXIST');
  });

  it('updates the description and bumps last_updated_timestamp; tags do not bump it', () => {
    const created = f.registry.createRegisteredModel({ name: 'm', description: 'old' });
    f.tick(5000);
    const updated = f.registry.updateRegisteredModel({ name: 'm', description: 'new' });
    assert.equal(updated.description, 'new');
    assert.equal(updated.creation_timestamp, created.creation_timestamp);
    assert.equal(updated.last_updated_timestamp, f.now);
    f.tick();
    f.registry.setRegisteredModelTag({ name: 'm', key: 'owner', value: 'ana' });
    assert.equal(f.registry.getRegisteredModel({ name: 'm' }).last_updated_timestamp, updated.last_updated_timestamp);
    assert.equal(f.registry.updateRegisteredModel({ name: 'm' }).description, undefined, 'no description clears it');
  });

  it('sets, overwrites and deletes tags with MLflow\'s rules', () => {
    f.registry.createRegisteredModel({ name: 'm' });
    f.registry.setRegisteredModelTag({ name: 'm', key: 'b', value: '1' });
    f.registry.setRegisteredModelTag({ name: 'm', key: 'a', value: '2' });
    f.registry.setRegisteredModelTag({ name: 'm', key: 'b', value: '3' });
    assert.deepEqual(f.registry.getRegisteredModel({ name: 'm' }).tags, [{ key: 'a', value: '2' }, { key: 'b', value: '3' }]);
    f.registry.deleteRegisteredModelTag({ name: 'm', key: 'b' });
    f.registry.deleteRegisteredModelTag({ name: 'm', key: 'never-set' });
    assert.deepEqual(f.registry.getRegisteredModel({ name: 'm' }).tags, [{ key: 'a', value: '2' }]);
    rejects(() => f.registry.setRegisteredModelTag({ name: 'm', key: 'bad key!', value: 'x' }), 'INVALID_PARAMETER_VALUE', /^Invalid tag name: 'bad key!'/);
    rejects(
      () => f.registry.setRegisteredModelTag({ name: 'm', key: 'k', value: 'v'.repeat(5001) }),
      'INVALID_PARAMETER_VALUE',
      /^Registered model value 'v+' had length 5001, which exceeded length limit of 5000$/,
    );
    rejects(() => f.registry.setRegisteredModelTag({ name: 'nope', key: 'k', value: 'v' }), 'RESOURCE_DOES_NOT_EXIST');
  });

  it('renames a model with its versions, aliases, tags and history', () => {
    f.model('old', 2);
    f.registry.setRegisteredModelTag({ name: 'old', key: 'team', value: 'risk' });
    f.registry.setRegisteredModelAlias({ name: 'old', alias: 'champion', version: '2' });
    f.stage('old', '1', 'Production');
    const before = f.registry.getRegistryHistory({ name: 'old' }).events;
    f.tick();
    const renamed = f.registry.renameRegisteredModel({ name: 'old', new_name: 'new' });
    assert.equal(renamed.name, 'new');
    assert.equal(renamed.last_updated_timestamp, f.now);
    assert.deepEqual(renamed.tags, [{ key: 'team', value: 'risk' }]);
    assert.deepEqual(renamed.aliases, [{ alias: 'champion', version: '2' }]);
    assert.deepEqual(renamed.latest_versions?.map((v) => [v.name, v.version, v.current_stage]), [['new', '1', 'Production'], ['new', '2', 'None']]);
    assert.equal(f.registry.getModelVersion({ name: 'new', version: '2' }).last_updated_timestamp, f.now, 'MLflow stamps renamed versions');
    assert.equal(f.registry.getModelVersionByAlias({ name: 'new', alias: 'champion' }).version, '2');
    assert.deepEqual(f.registry.getRegistryHistory({ name: 'new' }).events, before);
    assert.equal(f.registry.createModelVersion({ name: 'new', source: '/models/x' }).version, '3', 'numbering continues');
    rejects(() => f.registry.getRegisteredModel({ name: 'old' }), 'RESOURCE_DOES_NOT_EXIST');
    f.registry.createRegisteredModel({ name: 'other' });
    rejects(() => f.registry.renameRegisteredModel({ name: 'new', new_name: 'other' }), 'RESOURCE_ALREADY_EXISTS', 'Registered Model (name=other) already exists.');
    rejects(() => f.registry.renameRegisteredModel({ name: 'new' }), 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'new_name'.");
  });

  it('deletes a model with its versions, tags, aliases and history; the name can be reused afresh', () => {
    f.model('m', 2);
    f.registry.setRegisteredModelTag({ name: 'm', key: 'k', value: 'v' });
    f.registry.setModelVersionTag({ name: 'm', version: '1', key: 'k', value: 'v' });
    f.registry.setRegisteredModelAlias({ name: 'm', alias: 'champion', version: '1' });
    f.registry.deleteRegisteredModel({ name: 'm' });
    rejects(() => f.registry.getRegisteredModel({ name: 'm' }), 'RESOURCE_DOES_NOT_EXIST');
    assert.deepEqual(f.registry.searchModelVersions({}).model_versions, []);
    const db = f.backend.store.db;
    for (const table of ['registered_model_tags', 'model_versions', 'model_version_tags', 'registered_model_aliases', 'registry_history']) {
      assert.equal(db.scalar(`SELECT COUNT(*) FROM ${table}`), 0, table);
    }
    f.registry.createRegisteredModel({ name: 'm' });
    assert.equal(f.registry.createModelVersion({ name: 'm', source: '/models/m' }).version, '1');
    assert.deepEqual(f.registry.getRegisteredModel({ name: 'm' }).aliases, undefined);
    assert.deepEqual(f.registry.getRegistryHistory({ name: 'm' }).events.map((e) => e.kind), ['version_created']);
  });

  it('lists the latest version per stage, and get-latest-versions filters by stage', () => {
    f.model('m', 5);
    f.stage('m', '1', 'Production');
    f.stage('m', '2', 'Staging');
    f.stage('m', '3', 'Production');
    f.stage('m', '5', 'archived');
    const latest = f.registry.getRegisteredModel({ name: 'm' }).latest_versions?.map((v) => `${v.current_stage}:${v.version}`);
    assert.deepEqual(latest, ['Production:3', 'Staging:2', 'None:4', 'Archived:5']);
    const pick = (stages?: unknown): string[] =>
      f.registry.getLatestVersions({ name: 'm', stages }).model_versions.map((v) => `${v.current_stage}:${v.version}`);
    assert.deepEqual(pick(['production', 'STAGING']), ['Production:3', 'Staging:2']);
    assert.deepEqual(pick('None'), ['None:4']);
    assert.deepEqual(pick([]), latest);
    assert.deepEqual(pick(), latest);
    rejects(() => pick(['Live']), 'INVALID_PARAMETER_VALUE', 'Invalid Model Version stage: Live. Value must be one of None, Staging, Production, Archived.');
    rejects(() => f.registry.getLatestVersions({ name: 'nope' }), 'RESOURCE_DOES_NOT_EXIST');
    f.registry.createRegisteredModel({ name: 'empty' });
    assert.deepEqual(f.registry.getLatestVersions({ name: 'empty' }).model_versions, []);
  });
});

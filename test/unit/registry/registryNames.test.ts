import assert from 'node:assert/strict';
import { RegistryFixture, rejects } from './registryFixture';

describe('registry: names, versions, aliases and stages', () => {
  let f: RegistryFixture;
  beforeEach(async () => (f = await RegistryFixture.create()));
  afterEach(() => f.close());

  it('accepts Unity Catalog-style catalog.schema.model names end to end', () => {
    f.registry.createRegisteredModel({ name: 'main.fraud_team.scorer-v2' });
    const version = f.registry.createModelVersion({ name: 'main.fraud_team.scorer-v2', source: '/models/scorer' });
    assert.equal(version.name, 'main.fraud_team.scorer-v2');
    assert.equal(f.registry.resolveModelUri('models:/main.fraud_team.scorer-v2/1').artifactUri, '/models/scorer');
    assert.equal(f.registry.searchRegisteredModels({ filter: "name LIKE 'main.%'" }).registered_models[0].name, 'main.fraud_team.scorer-v2');
  });

  it('rejects malformed dotted names with a message naming the problem', () => {
    const reason = (name: string): RegExp => new RegExp(`^Invalid registered model name '${name.replace(/\./g, '\\.')}': `);
    rejects(() => f.registry.createRegisteredModel({ name: 'a..b' }), 'INVALID_PARAMETER_VALUE', /part 2 of 3 is empty\. A name with dots is read as a Unity Catalog name, catalog\.schema\.model/);
    rejects(() => f.registry.createRegisteredModel({ name: 'a.b.c.d' }), 'INVALID_PARAMETER_VALUE', /it has 4 dot-separated parts, not 3/);
    rejects(() => f.registry.createRegisteredModel({ name: 'a.b.c.d' }), 'INVALID_PARAMETER_VALUE', reason('a.b.c.d'));
    rejects(() => f.registry.createRegisteredModel({ name: '.model' }), 'INVALID_PARAMETER_VALUE', /part 1 of 2 is empty/);
    rejects(() => f.registry.createRegisteredModel({ name: 'main.fraud team.m' }), 'INVALID_PARAMETER_VALUE', /'fraud team' is not a valid schema name/);
    rejects(() => f.registry.createRegisteredModel({ name: 'a/b' }), 'INVALID_PARAMETER_VALUE', "Invalid name: 'a/b'. Registered model name cannot contain path separator");
    f.registry.createRegisteredModel({ name: 'ok' });
    rejects(() => f.registry.renameRegisteredModel({ name: 'ok', new_name: 'x..y' }), 'INVALID_PARAMETER_VALUE', /is empty/);
    assert.equal(f.registry.getRegisteredModel({ name: 'ok' }).name, 'ok', 'a refused rename changes nothing');
  });

  it('keeps MLflow\'s plain names: spaces, one dot, dashes', () => {
    for (const name of ['churn-2.1', 'My Model', 'fraud_v2', 'é-model']) {
      assert.equal(f.registry.createRegisteredModel({ name }).name, name);
    }
  });

  it('parses versions as integers with MLflow\'s message otherwise', () => {
    f.model('m', 1);
    assert.equal(f.registry.getModelVersion({ name: 'm', version: 1 }).version, '1');
    assert.equal(f.registry.getModelVersion({ name: 'm', version: '1' }).version, '1');
    rejects(() => f.registry.getModelVersion({ name: 'm', version: 'abc' }), 'INVALID_PARAMETER_VALUE', "Model version must be an integer, got 'abc'");
    rejects(() => f.registry.getModelVersion({ name: 'm', version: '1.5' }), 'INVALID_PARAMETER_VALUE', "Model version must be an integer, got '1.5'");
    rejects(() => f.registry.getModelVersion({ name: 'm' }), 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'version'.");
    rejects(() => f.registry.getModelVersion({ name: 'm', version: '3' }), 'RESOURCE_DOES_NOT_EXIST', 'Model Version (name=m, version=3) not found');
    rejects(() => f.registry.getModelVersion({ name: 'nope', version: '1' }), 'RESOURCE_DOES_NOT_EXIST', 'Model Version (name=nope, version=1) not found');
  });

  it('rejects each bad alias with MLflow\'s message', () => {
    f.model('m', 1);
    const set = (alias: unknown): void => f.registry.setRegisteredModelAlias({ name: 'm', alias, version: '1' });
    rejects(() => set(''), 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'alias'.");
    rejects(() => set('my alias'), 'INVALID_PARAMETER_VALUE', "Invalid alias name: 'my alias'. Names may only contain alphanumerics, underscores (_), and dashes (-).");
    rejects(() => set('a.b'), 'INVALID_PARAMETER_VALUE', /^Invalid alias name: 'a\.b'/);
    rejects(() => set('a'.repeat(256)), 'INVALID_PARAMETER_VALUE', /^Registered model alias name 'a+' had length 256, which exceeded length limit of 255$/);
    for (const reserved of ['latest', 'LATEST', 'Latest']) {
      rejects(() => set(reserved), 'INVALID_PARAMETER_VALUE', "'latest' alias name (case insensitive) is reserved.");
    }
    for (const reserved of ['v1', 'V12', 'v007']) {
      rejects(() => set(reserved), 'INVALID_PARAMETER_VALUE', `Version alias name '${reserved}' is reserved.`);
    }
    rejects(() => f.registry.deleteRegisteredModelAlias({ name: 'm', alias: 'latest' }), 'INVALID_PARAMETER_VALUE', /reserved/);
    for (const fine of ['champion', 'v1a', 'prod_2-eu', 'a'.repeat(255), 'vainqueur']) set(fine);
    assert.equal(f.registry.getRegisteredModel({ name: 'm' }).aliases?.length, 5);
  });

  it('normalises stages to MLflow\'s capitalisation and refuses unknown ones', () => {
    f.model('m', 1);
    for (const [input, stage] of [['staging', 'Staging'], ['PRODUCTION', 'Production'], ['archived', 'Archived'], ['none', 'None']]) {
      assert.equal(f.registry.transitionModelVersionStage({ name: 'm', version: '1', stage: input }).current_stage, stage);
    }
    rejects(
      () => f.registry.transitionModelVersionStage({ name: 'm', version: '1', stage: 'foo' }),
      'INVALID_PARAMETER_VALUE',
      'Invalid Model Version stage: foo. Value must be one of None, Staging, Production, Archived.',
    );
    rejects(() => f.registry.transitionModelVersionStage({ name: 'm', version: '1' }), 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'stage'.");
  });
});

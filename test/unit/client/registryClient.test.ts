import assert from 'node:assert/strict';
import { TrackingClientError } from '../../../src/core/client/trackingClientError';
import { ServerFixture } from './clientFixture';

describe('TrackingClient: model registry', () => {
  let fixture: ServerFixture;

  before(async () => {
    fixture = await ServerFixture.start();
  });
  after(async () => {
    await fixture.stop();
  });

  it('creates, renames, describes, tags and deletes registered models', async () => {
    const { registeredModels } = fixture.client;
    const created = await registeredModels.create('churn', { description: 'first cut', tags: { team: 'growth' } });
    assert.equal(created.name, 'churn');
    assert.equal(created.description, 'first cut');
    await assert.rejects(registeredModels.create('churn'), (e: TrackingClientError) => e.status === 400 && e.errorCode === 'RESOURCE_ALREADY_EXISTS');

    assert.equal((await registeredModels.update('churn', { description: 'second cut' })).description, 'second cut');
    await registeredModels.setTag('churn', 'owner', 'ada');
    await registeredModels.deleteTag('churn', 'team');
    assert.deepEqual((await registeredModels.get('churn')).tags, [{ key: 'owner', value: 'ada' }]);

    assert.equal((await registeredModels.rename('churn', 'churn-v2')).name, 'churn-v2');
    await assert.rejects(registeredModels.get('churn'), (e: TrackingClientError) => e.errorCode === 'RESOURCE_DOES_NOT_EXIST' && e.isNotFound);
    await registeredModels.delete('churn-v2');
    await assert.rejects(registeredModels.get('churn-v2'), (e: TrackingClientError) => e.status === 404);
  });

  it('registers versions, moves stages, sets aliases and tags, and finds the latest per stage', async () => {
    const { registeredModels, modelVersions, runs } = fixture.client;
    await registeredModels.create('fraud');
    const run = await runs.create({ experimentId: '0' });
    const runId = run.info.run_id;
    const v1 = await modelVersions.create('fraud', `${run.info.artifact_uri}/model`, { runId, description: 'baseline', tags: { data: 'q1' } });
    const v2 = await modelVersions.create('fraud', `runs:/${runId}/model`, { runId });
    assert.deepEqual([v1.version, v2.version], ['1', '2']);
    assert.equal(v1.current_stage, 'None');

    assert.equal((await modelVersions.transitionStage('fraud', '1', 'Production')).current_stage, 'Production');
    assert.equal((await modelVersions.transitionStage('fraud', '2', 'production', true)).current_stage, 'Production');
    assert.equal((await modelVersions.get('fraud', '1')).current_stage, 'Archived', 'archive_existing_versions moved v1 out');
    const latest = await registeredModels.getLatestVersions('fraud', ['Production']);
    assert.deepEqual(latest.map((v) => v.version), ['2']);

    await registeredModels.setAlias('fraud', 'champion', '2');
    assert.equal((await registeredModels.getVersionByAlias('fraud', 'champion')).version, '2');
    assert.deepEqual((await registeredModels.get('fraud')).aliases, [{ alias: 'champion', version: '2' }]);
    await registeredModels.deleteAlias('fraud', 'champion');
    await assert.rejects(registeredModels.getVersionByAlias('fraud', 'champion'), (e: TrackingClientError) =>
      // MLflow answers a missing alias with 400 INVALID_PARAMETER_VALUE, and so does Trackside.
      e.status === 400 && e.message === 'Registered model alias champion not found.');

    assert.equal((await modelVersions.update('fraud', '2', { description: 'retrained' })).description, 'retrained');
    await modelVersions.setTag('fraud', '2', 'validated', 'yes');
    await modelVersions.deleteTag('fraud', '1', 'data');
    assert.deepEqual((await modelVersions.get('fraud', '2')).tags, [{ key: 'validated', value: 'yes' }]);
    assert.equal((await modelVersions.get('fraud', '1')).tags, undefined);
    assert.equal(await modelVersions.getDownloadUri('fraud', '1'), `${run.info.artifact_uri}/model`);

    await modelVersions.delete('fraud', '1');
    await assert.rejects(modelVersions.get('fraud', '1'), (e: TrackingClientError) => e.status === 404);
  });

  it('pages through registered-model and model-version searches', async () => {
    const { registeredModels, modelVersions, runs } = fixture.client;
    const runId = (await runs.create({ experimentId: '0' })).info.run_id;
    for (const name of ['m-a', 'm-b', 'm-c', 'm-d', 'm-e']) await registeredModels.create(name);
    for (let i = 0; i < 5; i++) await modelVersions.create('m-c', `runs:/${runId}/model`, { runId });

    const page = await registeredModels.search({ filter: "name LIKE 'm-%'", orderBy: ['name DESC'], maxResults: 2 });
    assert.deepEqual(page.registered_models.map((m) => m.name), ['m-e', 'm-d']);
    assert.ok(page.next_page_token);
    const all = await registeredModels.searchAll({ filter: "name LIKE 'm-%'", orderBy: ['name ASC'], pageSize: 2 });
    assert.deepEqual(all.map((m) => m.name), ['m-a', 'm-b', 'm-c', 'm-d', 'm-e']);

    const versions = await modelVersions.searchAll({ filter: "name = 'm-c'", orderBy: ['version_number ASC'], pageSize: 2 });
    assert.deepEqual(versions.map((v) => v.version), ['1', '2', '3', '4', '5']);
    const firstPage = await modelVersions.search({ filter: "name = 'm-c'", maxResults: 3 });
    assert.equal(firstPage.model_versions.length, 3);
    assert.ok(firstPage.next_page_token);
  });

  it('reads the stage and alias history Trackside keeps', async () => {
    const { registeredModels, modelVersions, runs } = fixture.client;
    const runId = (await runs.create({ experimentId: '0' })).info.run_id;
    await registeredModels.create('history');
    await modelVersions.create('history', `runs:/${runId}/model`, { runId });
    await modelVersions.transitionStage('history', '1', 'Staging');
    await registeredModels.setAlias('history', 'candidate', '1');
    const events = await fixture.client.registryHistory('history');
    assert.deepEqual(
      events.map((e) => e.kind),
      ['version_created', 'stage', 'alias'],
    );
  });
});

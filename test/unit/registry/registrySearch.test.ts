import assert from 'node:assert/strict';
import { RegistryFixture, rejects } from './registryFixture';

describe('registry: search', () => {
  let f: RegistryFixture;
  beforeEach(async () => {
    f = await RegistryFixture.create();
    for (const [name, team] of [['fraud', 'risk'], ['Fraud-eu', 'Risk'], ['churn', 'growth'], ['main.ads.ctr', 'ads']]) {
      f.tick();
      f.registry.createRegisteredModel({ name, tags: [{ key: 'team', value: team }] });
    }
  });
  afterEach(() => f.close());

  const modelNames = (req: Record<string, unknown> = {}): string[] => f.registry.searchRegisteredModels(req).registered_models.map((m) => m.name);
  const versionIds = (req: Record<string, unknown> = {}): string[] =>
    f.registry.searchModelVersions(req).model_versions.map((v) => `${v.name}/${v.version}`);

  it('filters registered models by name and tags, ordered by name by default', () => {
    assert.deepEqual(modelNames(), ['Fraud-eu', 'churn', 'fraud', 'main.ads.ctr']);
    assert.deepEqual(modelNames({ filter: "name LIKE 'fraud%'" }), ['fraud']);
    assert.deepEqual(modelNames({ filter: "name ILIKE 'fraud%'" }), ['Fraud-eu', 'fraud']);
    assert.deepEqual(modelNames({ filter: "tags.team = 'growth'" }), ['churn']);
    assert.deepEqual(modelNames({ filter: "name != 'churn' AND tags.team ILIKE 'risk'" }), ['Fraud-eu', 'fraud']);
    assert.deepEqual(modelNames({ order_by: ['creation_timestamp DESC'] }), ['main.ads.ctr', 'churn', 'Fraud-eu', 'fraud']);
    assert.deepEqual(modelNames({ order_by: 'name DESC' }), ['main.ads.ctr', 'fraud', 'churn', 'Fraud-eu']);
    rejects(() => modelNames({ filter: "run_id = 'x'" }), 'INVALID_PARAMETER_VALUE');
    rejects(() => modelNames({ order_by: ['version_number'] }), 'INVALID_PARAMETER_VALUE', /Invalid order by key/);
  });

  it('returns whole models: latest versions, tags and aliases', () => {
    f.version('fraud');
    f.registry.setRegisteredModelAlias({ name: 'fraud', alias: 'champion', version: '1' });
    const [fraud] = f.registry.searchRegisteredModels({ filter: "name = 'fraud'" }).registered_models;
    assert.deepEqual(fraud.tags, [{ key: 'team', value: 'risk' }]);
    assert.deepEqual(fraud.aliases, [{ alias: 'champion', version: '1' }]);
    assert.deepEqual(fraud.latest_versions?.map((v) => [v.version, v.current_stage, v.aliases]), [['1', 'None', ['champion']]]);
  });

  it('pages registered models with MLflow tokens and limits', () => {
    const first = f.registry.searchRegisteredModels({ max_results: 3 });
    assert.deepEqual(first.registered_models.map((m) => m.name), ['Fraud-eu', 'churn', 'fraud']);
    assert.equal(Buffer.from(first.next_page_token!, 'base64').toString(), '{"offset": 3}');
    const second = f.registry.searchRegisteredModels({ max_results: '3', page_token: first.next_page_token });
    assert.deepEqual(second.registered_models.map((m) => m.name), ['main.ads.ctr']);
    assert.equal(second.next_page_token, undefined);
    assert.equal(f.registry.searchRegisteredModels({ max_results: 4 }).next_page_token, undefined, 'no token when nothing is left');
    rejects(() => f.registry.searchRegisteredModels({ max_results: 1001 }), 'INVALID_PARAMETER_VALUE', /It must be at most 1000, but got value 1001/);
    rejects(() => f.registry.searchRegisteredModels({ page_token: 'garbage!' }), 'INVALID_PARAMETER_VALUE', /Invalid page token/);
  });

  it('returns at most 100 registered models by default', () => {
    for (let i = 0; i < 100; i++) f.registry.createRegisteredModel({ name: `bulk-${String(i).padStart(3, '0')}` });
    const page = f.registry.searchRegisteredModels({});
    assert.equal(page.registered_models.length, 100);
    assert.ok(page.next_page_token);
    assert.equal(f.registry.searchRegisteredModels({ page_token: page.next_page_token }).registered_models.length, 4);
  });

  it('filters, orders and pages model versions', () => {
    const fraudRun = f.run();
    for (let i = 0; i < 3; i++) {
      f.tick();
      f.registry.createModelVersion({ name: 'fraud', source: `runs:/${fraudRun.runId}/model-${i}`, run_id: fraudRun.runId });
    }
    f.version('churn');
    f.version('churn');
    f.registry.setModelVersionTag({ name: 'fraud', version: '2', key: 'validated', value: 'true' });
    f.registry.setRegisteredModelAlias({ name: 'fraud', alias: 'champion', version: '2' });
    assert.deepEqual(versionIds(), ['churn/2', 'churn/1', 'fraud/3', 'fraud/2', 'fraud/1'], 'newest change first by default');
    assert.deepEqual(versionIds({ filter: "name = 'fraud' AND version_number > 1", order_by: ['version_number ASC'] }), ['fraud/2', 'fraud/3']);
    assert.deepEqual(versionIds({ filter: `run_id = '${fraudRun.runId}'`, order_by: ['version_number ASC'] }), ['fraud/1', 'fraud/2', 'fraud/3']);
    assert.deepEqual(versionIds({ filter: "tags.validated = 'true'" }), ['fraud/2']);
    assert.deepEqual(versionIds({ filter: "source_path LIKE '%model-0'" }), ['fraud/1']);
    assert.deepEqual(versionIds({ order_by: ['name DESC', 'version_number ASC'] }), ['fraud/1', 'fraud/2', 'fraud/3', 'churn/1', 'churn/2']);
    const [tagged] = f.registry.searchModelVersions({ filter: "tags.validated = 'true'" }).model_versions;
    assert.deepEqual([tagged.tags, tagged.aliases], [[{ key: 'validated', value: 'true' }], ['champion']]);
    const page1 = f.registry.searchModelVersions({ max_results: 2, order_by: ['version_number DESC', 'name ASC'] });
    const page2 = f.registry.searchModelVersions({ max_results: 2, order_by: ['version_number DESC', 'name ASC'], page_token: page1.next_page_token });
    const page3 = f.registry.searchModelVersions({ max_results: 2, order_by: ['version_number DESC', 'name ASC'], page_token: page2.next_page_token });
    assert.deepEqual([page1, page2, page3].map((p) => p.model_versions.map((v) => `${v.name}/${v.version}`)), [
      ['fraud/3', 'churn/2'], ['fraud/2', 'churn/1'], ['fraud/1'],
    ]);
    assert.equal(page3.next_page_token, undefined);
    f.registry.deleteModelVersion({ name: 'fraud', version: '3' });
    assert.deepEqual(versionIds({ filter: "name = 'fraud'" }), ['fraud/2', 'fraud/1'], 'deleted versions are gone from search');
    rejects(() => f.registry.searchModelVersions({ max_results: 200_001 }), 'INVALID_PARAMETER_VALUE', /at most 200000/);
    assert.doesNotThrow(() => f.registry.searchModelVersions({ max_results: 200_000 }));
    rejects(() => versionIds({ filter: "version_number = 'x'" }), 'INVALID_PARAMETER_VALUE');
  });
});

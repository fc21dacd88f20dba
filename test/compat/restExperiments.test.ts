import assert from 'node:assert/strict';
import { assertError, missing, ok } from './helpers/mlflowAssertions';
import { startInProcessServer, type ServerHandle } from './helpers/serverFixture';

/** MLflow's experiment endpoints over curl-level HTTP: shapes, defaults, errors. */
describe('REST: experiments', function () {
  this.timeout(30_000);
  const E = '/api/2.0/mlflow/experiments';
  let server: ServerHandle;
  let experimentId: string;

  before(async () => {
    server = await startInProcessServer();
    experimentId = ok(await server.api('POST', `${E}/create`, { name: 'alpha', tags: [{ key: 'team', value: 'ml' }] })).experiment_id;
  });
  after(() => server?.stop());

  describe('valid requests', () => {
    it('has experiment "0" named Default with an mlflow-artifacts location', async () => {
      const { experiment } = ok(await server.api('GET', `${E}/get`, { experiment_id: '0' }));
      assert.deepEqual([experiment.experiment_id, experiment.name, experiment.artifact_location, experiment.lifecycle_stage], ['0', 'Default', 'mlflow-artifacts:/0', 'active']);
      assert.equal(experiment.tags, undefined, 'an experiment without tags has no tags key');
    });

    it('create answers only the new id, as a string', async () => {
      const body = ok(await server.api('POST', `${E}/create`, { name: 'beta' }));
      assert.deepEqual(Object.keys(body), ['experiment_id']);
      assert.match(body.experiment_id, /^\d+$/);
    });

    it('get answers ids as strings, times as JSON numbers, and the tags', async () => {
      const { experiment } = ok(await server.api('GET', `${E}/get`, { experiment_id: experimentId }));
      assert.equal(experiment.experiment_id, experimentId);
      assert.equal(experiment.artifact_location, `mlflow-artifacts:/${experimentId}`);
      assert.equal(typeof experiment.creation_time, 'number');
      assert.equal(typeof experiment.last_update_time, 'number');
      assert.ok(Math.abs(experiment.creation_time - Date.now()) < 60_000);
      assert.deepEqual(experiment.tags, [{ key: 'team', value: 'ml' }]);
    });

    it('get-by-name finds it; update renames it; set-experiment-tag sets a tag; each write answers {}', async () => {
      assert.equal(ok(await server.api('GET', `${E}/get-by-name`, { experiment_name: 'alpha' })).experiment.experiment_id, experimentId);
      assert.deepEqual(ok(await server.api('POST', `${E}/update`, { experiment_id: experimentId, new_name: 'alpha2' })), {});
      assert.deepEqual(ok(await server.api('POST', `${E}/set-experiment-tag`, { experiment_id: experimentId, key: 'owner', value: 'ada' })), {});
      const { experiment } = ok(await server.api('GET', `${E}/get-by-name`, { experiment_name: 'alpha2' }));
      assert.deepEqual(experiment.tags, [{ key: 'owner', value: 'ada' }, { key: 'team', value: 'ml' }]);
    });

    it('delete and restore move it between lifecycle stages', async () => {
      const id = ok(await server.api('POST', `${E}/create`, { name: 'doomed' })).experiment_id;
      assert.deepEqual(ok(await server.api('POST', `${E}/delete`, { experiment_id: id })), {});
      assert.equal(ok(await server.api('GET', `${E}/get`, { experiment_id: id })).experiment.lifecycle_stage, 'deleted');
      assert.deepEqual(ok(await server.api('POST', `${E}/restore`, { experiment_id: id })), {});
      assert.equal(ok(await server.api('GET', `${E}/get`, { experiment_id: id })).experiment.lifecycle_stage, 'active');
    });

    it('accepts the same request under /ajax-api', async () => {
      const { experiment } = ok(await server.api('GET', '/ajax-api/2.0/mlflow/experiments/get', { experiment_id: '0' }));
      assert.equal(experiment.name, 'Default');
    });
  });

  describe('search (POST and GET)', () => {
    before(async () => {
      for (const name of ['s-one', 's-two', 's-three']) ok(await server.api('POST', `${E}/create`, { name, tags: [{ key: 'suite', value: 'search' }] }));
      const gone = ok(await server.api('POST', `${E}/create`, { name: 's-gone' })).experiment_id;
      ok(await server.api('POST', `${E}/delete`, { experiment_id: gone }));
    });

    it('POST: filter, order_by and pages of max_results with next_page_token', async () => {
      const query = { filter: "tags.suite = 'search'", order_by: ['name ASC'], max_results: 2 };
      const first = ok(await server.api('POST', `${E}/search`, query));
      assert.deepEqual(first.experiments.map((e: { name: string }) => e.name), ['s-one', 's-three']);
      assert.equal(typeof first.next_page_token, 'string');
      const second = ok(await server.api('POST', `${E}/search`, { ...query, page_token: first.next_page_token }));
      assert.deepEqual(second.experiments.map((e: { name: string }) => e.name), ['s-two']);
      assert.equal(second.next_page_token, undefined, 'no token after the last page');
    });

    it('GET: the same fields in the query string, max_results as a string, order_by repeated or with []', async () => {
      const repeated = ok(await server.api('GET', `${E}/search?filter=${encodeURIComponent("name LIKE 's-%'")}&order_by=name+DESC&order_by=experiment_id&max_results=10`));
      assert.deepEqual(repeated.experiments.map((e: { name: string }) => e.name), ['s-two', 's-three', 's-one']);
      const bracketed = ok(await server.api('GET', `${E}/search?filter=${encodeURIComponent("name LIKE 's-%'")}&order_by[]=name+DESC&max_results=1`));
      assert.deepEqual(bracketed.experiments.map((e: { name: string }) => e.name), ['s-two']);
    });

    it('view_type: ACTIVE_ONLY by default, DELETED_ONLY and ALL on request', async () => {
      const names = async (viewType?: string): Promise<string[]> =>
        ok(await server.api('POST', `${E}/search`, { filter: "name LIKE 's-%'", view_type: viewType })).experiments.map((e: { name: string }) => e.name).sort();
      assert.deepEqual(await names(), ['s-one', 's-three', 's-two']);
      assert.deepEqual(await names('DELETED_ONLY'), ['s-gone']);
      assert.deepEqual(await names('ALL'), ['s-gone', 's-one', 's-three', 's-two']);
    });

    it('answers {} when nothing matches (no experiments key)', async () => {
      assert.deepEqual(ok(await server.api('POST', `${E}/search`, { filter: "name = 'nothing'" })), {});
    });

    it('refuses max_results over 50000 with MLflow\'s message', async () => {
      const res = await server.api('POST', `${E}/search`, { max_results: 50001 });
      assertError(res, 400, 'INVALID_PARAMETER_VALUE', /^Invalid value 50001 for parameter 'max_results' supplied/);
    });

    it('refuses a page token that is not base64', async () => {
      assertError(await server.api('POST', `${E}/search`, { page_token: 'not a token!' }), 400, 'INVALID_PARAMETER_VALUE', 'Invalid page token, could not base64-decode');
    });
  });

  describe('errors', () => {
    it('missing required parameters', async () => {
      assertError(await server.api('GET', `${E}/get`, {}), 400, 'INVALID_PARAMETER_VALUE', missing('experiment_id'));
      assertError(await server.api('GET', `${E}/get-by-name`, {}), 400, 'INVALID_PARAMETER_VALUE', missing('experiment_name'));
      assertError(await server.api('POST', `${E}/create`, {}), 400, 'INVALID_PARAMETER_VALUE', missing('name'));
      assertError(await server.api('POST', `${E}/delete`, {}), 400, 'INVALID_PARAMETER_VALUE', missing('experiment_id'));
      assertError(await server.api('POST', `${E}/restore`, {}), 400, 'INVALID_PARAMETER_VALUE', missing('experiment_id'));
      assertError(await server.api('POST', `${E}/update`, { experiment_id: experimentId }), 400, 'INVALID_PARAMETER_VALUE', missing('new_name'));
      assertError(await server.api('POST', `${E}/set-experiment-tag`, { key: 'k', value: 'v' }), 400, 'INVALID_PARAMETER_VALUE', missing('experiment_id'));
      assertError(await server.api('POST', `${E}/set-experiment-tag`, { experiment_id: experimentId, value: 'v' }), 400, 'INVALID_PARAMETER_VALUE', missing('key'));
      assertError(await server.api('POST', `${E}/set-experiment-tag`, { experiment_id: experimentId, key: 'k' }), 400, 'INVALID_PARAMETER_VALUE', missing('value'));
    });

    it('unknown experiment: 404 RESOURCE_DOES_NOT_EXIST', async () => {
      assertError(await server.api('GET', `${E}/get`, { experiment_id: '4242' }), 404, 'RESOURCE_DOES_NOT_EXIST', 'No Experiment with id=4242 exists');
      assertError(await server.api('GET', `${E}/get-by-name`, { experiment_name: 'nope' }), 404, 'RESOURCE_DOES_NOT_EXIST', /Could not find experiment with name 'nope'/);
      assertError(await server.api('POST', `${E}/delete`, { experiment_id: '4242' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    });

    it('a duplicate name: 400 RESOURCE_ALREADY_EXISTS (not 409)', async () => {
      assertError(await server.api('POST', `${E}/create`, { name: 'beta' }), 400, 'RESOURCE_ALREADY_EXISTS', /Experiment\(name=beta\) already exists/);
    });

    it('invalid tag keys and ids', async () => {
      assertError(await server.api('POST', `${E}/set-experiment-tag`, { experiment_id: experimentId, key: 'bad key!', value: 'v' }), 400, 'INVALID_PARAMETER_VALUE', /^Invalid tag name: 'bad key!'/);
      assertError(await server.api('GET', `${E}/get`, { experiment_id: '../1' }), 400, 'INVALID_PARAMETER_VALUE', /Invalid experiment ID/);
    });

    it('the default experiment cannot be deleted', async () => {
      assertError(await server.api('POST', `${E}/delete`, { experiment_id: '0' }), 400, 'INVALID_PARAMETER_VALUE', /default experiment/);
    });
  });
});

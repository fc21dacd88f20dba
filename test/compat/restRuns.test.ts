import assert from 'node:assert/strict';
import { assertError, missing, ok } from './helpers/mlflowAssertions';
import { startInProcessServer, type ServerHandle } from './helpers/serverFixture';

/** MLflow's run endpoints over curl-level HTTP: create/get/update, logging, search, and their errors. */
describe('REST: runs', function () {
  this.timeout(60_000);
  const R = '/api/2.0/mlflow/runs';
  let server: ServerHandle;
  let experimentId: string;
  let runId: string;
  const getRun = async (id: string): Promise<any> => ok(await server.api('GET', `${R}/get`, { run_id: id })).run;

  before(async () => {
    server = await startInProcessServer();
    experimentId = ok(await server.api('POST', '/api/2.0/mlflow/experiments/create', { name: 'runs' })).experiment_id;
    runId = ok(await server.api('POST', `${R}/create`, { experiment_id: experimentId, run_name: 'main', start_time: 1_700_000_000_000, user_id: 'ada' })).run.info.run_id;
  });
  after(() => server?.stop());

  describe('create, get, update, delete', () => {
    it('create answers the run: ids as strings, run_uuid beside run_id, int64 as numbers, unset fields omitted', async () => {
      const { run } = ok(await server.api('POST', `${R}/create`, { experiment_id: experimentId, start_time: '1700000000123', tags: [{ key: 't', value: 'v' }] }));
      const info = run.info;
      assert.match(info.run_id, /^[0-9a-f]{32}$/);
      assert.equal(info.run_uuid, info.run_id);
      assert.equal(info.experiment_id, experimentId);
      assert.equal(info.start_time, 1_700_000_000_123, 'an int64 sent as a string comes back as a number');
      assert.equal(info.status, 'RUNNING');
      assert.equal(info.lifecycle_stage, 'active');
      assert.equal(info.artifact_uri, `mlflow-artifacts:/${experimentId}/${info.run_id}/artifacts`);
      assert.ok(!('end_time' in info), 'a running run has no end_time');
      assert.match(info.run_name, /^[a-z]+-[a-z]+-\d+$/, 'a server-generated name');
      assert.deepEqual(run.data.tags, [{ key: 'mlflow.runName', value: info.run_name }, { key: 't', value: 'v' }]);
      assert.ok(!('metrics' in run.data) && !('params' in run.data), 'no metrics or params keys when there are none');
    });

    it('a run in the Default experiment gets mlflow-artifacts:/0/<run>/artifacts', async () => {
      const { run } = ok(await server.api('POST', `${R}/create`, {}));
      assert.equal(run.info.experiment_id, '0');
      assert.equal(run.info.artifact_uri, `mlflow-artifacts:/0/${run.info.run_id}/artifacts`);
    });

    it('get and update accept run_uuid alone; update keeps run_name and the mlflow.runName tag in sync', async () => {
      const { run_info } = ok(await server.api('POST', `${R}/update`, { run_uuid: runId, status: 'FINISHED', end_time: 1_700_000_005_000, run_name: 'renamed' }));
      assert.deepEqual([run_info.status, run_info.end_time, run_info.run_name], ['FINISHED', 1_700_000_005_000, 'renamed']);
      const { run } = ok(await server.api('GET', `${R}/get`, { run_uuid: runId }));
      assert.equal(run.info.run_name, 'renamed');
      assert.equal(run.data.tags.find((t: { key: string }) => t.key === 'mlflow.runName').value, 'renamed');
      ok(await server.api('POST', `${R}/update`, { run_id: runId, run_uuid: runId, status: 'RUNNING' }));
    });

    it('delete and restore answer {} and change lifecycle_stage', async () => {
      const id = ok(await server.api('POST', `${R}/create`, { experiment_id: experimentId })).run.info.run_id;
      assert.deepEqual(ok(await server.api('POST', `${R}/delete`, { run_id: id })), {});
      assert.equal((await getRun(id)).info.lifecycle_stage, 'deleted');
      assert.deepEqual(ok(await server.api('POST', `${R}/restore`, { run_id: id })), {});
      assert.equal((await getRun(id)).info.lifecycle_stage, 'active');
    });
  });

  describe('logging', () => {
    it('log-metric, log-parameter, set-tag and delete-tag answer {} and are stored', async () => {
      assert.deepEqual(ok(await server.api('POST', `${R}/log-metric`, { run_id: runId, run_uuid: runId, key: 'loss', value: 0.5, timestamp: 1000, step: 2 })), {});
      assert.deepEqual(ok(await server.api('POST', `${R}/log-parameter`, { run_id: runId, run_uuid: runId, key: 'alpha', value: '0.5' })), {});
      assert.deepEqual(ok(await server.api('POST', `${R}/set-tag`, { run_uuid: runId, key: 'stage', value: 'train' })), {});
      let run = await getRun(runId);
      assert.deepEqual(run.data.metrics, [{ key: 'loss', value: 0.5, timestamp: 1000, step: 2 }]);
      assert.deepEqual(run.data.params, [{ key: 'alpha', value: '0.5' }]);
      assert.ok(run.data.tags.some((t: { key: string; value: string }) => t.key === 'stage' && t.value === 'train'));
      assert.deepEqual(ok(await server.api('POST', `${R}/delete-tag`, { run_id: runId, key: 'stage' })), {});
      run = await getRun(runId);
      assert.ok(!run.data.tags.some((t: { key: string }) => t.key === 'stage'));
    });

    it('log-metric: numeric strings for double and int64; step defaults to 0', async () => {
      ok(await server.api('POST', `${R}/log-metric`, { run_id: runId, key: 'strings', value: '1.5', timestamp: '123', step: '4' }));
      ok(await server.api('POST', `${R}/log-metric`, { run_id: runId, key: 'nostep', value: 2, timestamp: 5 }));
      const { metrics } = await getRun(runId).then((r) => r.data);
      assert.deepEqual(metrics.find((m: { key: string }) => m.key === 'strings'), { key: 'strings', value: 1.5, timestamp: 123, step: 4 });
      assert.deepEqual(metrics.find((m: { key: string }) => m.key === 'nostep'), { key: 'nostep', value: 2, timestamp: 5, step: 0 });
    });

    it('a param logged again with the same value is fine; another value is refused with MLflow\'s message', async () => {
      ok(await server.api('POST', `${R}/log-parameter`, { run_id: runId, key: 'alpha', value: '0.5' }));
      const res = await server.api('POST', `${R}/log-parameter`, { run_id: runId, key: 'alpha', value: '0.7' });
      assertError(res, 400, 'INVALID_PARAMETER_VALUE', /^Changing param values is not allowed. Param with key='alpha' was already logged with value='0.5'/);
    });

    it('a 6001-character param value is truncated to 6000, as MLflow 2.12 does', async () => {
      ok(await server.api('POST', `${R}/log-parameter`, { run_id: runId, key: 'long', value: 'v'.repeat(6001) }));
      assert.equal((await getRun(runId)).data.params.find((p: { key: string }) => p.key === 'long').value.length, 6000);
    });

    it('log-batch stores metrics, params and tags; log-inputs the datasets; log-model the history tag', async () => {
      const batch = {
        run_id: runId,
        metrics: [{ key: 'acc', value: 0.9, timestamp: 10, step: 1 }, { key: 'acc', value: 0.95, timestamp: 20, step: 2 }],
        params: [{ key: 'layers', value: '4' }],
        tags: [{ key: 'batch', value: 'yes' }],
      };
      assert.deepEqual(ok(await server.api('POST', `${R}/log-batch`, batch)), {});
      const dataset = { name: 'train', digest: 'abc123', source_type: 'local', source: '{"uri": "data.csv"}' };
      assert.deepEqual(ok(await server.api('POST', `${R}/log-inputs`, { run_id: runId, datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset }] })), {});
      assert.deepEqual(ok(await server.api('POST', `${R}/log-model`, { run_id: runId, model_json: '{"artifact_path": "model"}' })), {});
      const run = await getRun(runId);
      assert.deepEqual(run.data.metrics.find((m: { key: string }) => m.key === 'acc'), { key: 'acc', value: 0.95, timestamp: 20, step: 2 });
      assert.ok(run.data.params.some((p: { key: string; value: string }) => p.key === 'layers' && p.value === '4'));
      assert.deepEqual(run.inputs.dataset_inputs, [{ dataset, tags: [{ key: 'mlflow.data.context', value: 'training' }] }]);
      const history = JSON.parse(run.data.tags.find((t: { key: string }) => t.key === 'mlflow.log-model.history').value);
      assert.deepEqual(history, [{ artifact_path: 'model' }]);
    });

    it('log-batch limits: 1000 metrics, 100 params, 100 tags, 1000 entities, MLflow\'s messages', async () => {
      const metrics = (n: number): object[] => Array.from({ length: n }, (_, i) => ({ key: 'm', value: 1, timestamp: 1, step: i }));
      const kv = (n: number): object[] => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: 'v' }));
      const cases: [object, RegExp][] = [
        [{ metrics: metrics(1001) }, /^A batch logging request can contain at most 1000 metrics. Got 1001 metrics./],
        [{ params: kv(101) }, /^A batch logging request can contain at most 100 params. Got 101 params./],
        [{ tags: kv(101) }, /^A batch logging request can contain at most 100 tags. Got 101 tags./],
        [{ metrics: metrics(950), params: kv(60) }, /^A batch logging request can contain at most 1000 metrics, params, and tags. Got 1010/],
      ];
      for (const [body, message] of cases) {
        assertError(await server.api('POST', `${R}/log-batch`, { run_id: runId, ...body }), 400, 'INVALID_PARAMETER_VALUE', message);
      }
      ok(await server.api('POST', `${R}/log-batch`, { run_id: runId, metrics: metrics(1000) }));
    });

    it('log-batch over 1,000,000 bytes: 400 with MLflow\'s message, nothing stored', async () => {
      const body = { run_id: runId, tags: [{ key: 'huge', value: 'x'.repeat(1_000_000) }] };
      const res = await server.api('POST', `${R}/log-batch`, body);
      assertError(res, 400, 'INVALID_PARAMETER_VALUE', /^Batched logging API requests must be at most 1000000 bytes, got a request of size \d+\.$/);
      assert.ok(!(await getRun(runId)).data.tags.some((t: { key: string }) => t.key === 'huge'));
    });
  });

  describe('search', () => {
    let ids: string[];
    before(async () => {
      ids = [];
      for (const [i, model] of ['rf', 'svm', 'rf'].entries()) {
        const id = ok(await server.api('POST', `${R}/create`, { experiment_id: experimentId, run_name: `s${i}`, start_time: 1_800_000_000_000 + i })).run.info.run_id;
        ok(await server.api('POST', `${R}/log-batch`, { run_id: id, metrics: [{ key: 'rmse', value: i, timestamp: 1 }], params: [{ key: 'model', value: model }] }));
        ids.push(id);
      }
    });
    const found = (body: { runs?: { info: { run_id: string } }[] }): string[] => (body.runs ?? []).map((r) => r.info.run_id);

    it('filter and order_by; default order is start_time DESC', async () => {
      const byRmse = ok(await server.api('POST', `${R}/search`, { experiment_ids: [experimentId], filter: "params.model = 'rf'", order_by: ['metrics.rmse DESC'] }));
      assert.deepEqual(found(byRmse), [ids[2], ids[0]]);
      const all = ok(await server.api('POST', `${R}/search`, { experiment_ids: [experimentId], filter: 'metrics.rmse >= 0' }));
      assert.deepEqual(found(all), [ids[2], ids[1], ids[0]]);
    });

    it('pages with max_results and next_page_token', async () => {
      const query = { experiment_ids: [experimentId], filter: 'metrics.rmse >= 0', max_results: 2 };
      const first = ok(await server.api('POST', `${R}/search`, query));
      assert.deepEqual(found(first), [ids[2], ids[1]]);
      const second = ok(await server.api('POST', `${R}/search`, { ...query, page_token: first.next_page_token }));
      assert.deepEqual(found(second), [ids[0]]);
      assert.equal(second.next_page_token, undefined);
    });

    it('Trackside accepts OR in a filter (MLflow answers 400)', async () => {
      const body = ok(await server.api('POST', `${R}/search`, { experiment_ids: [experimentId], filter: "params.model = 'svm' or metrics.rmse = 0" }));
      assert.deepEqual(found(body).sort(), [ids[0], ids[1]].sort());
    });

    it('answers {} when nothing matches; a metric never logged matches nothing', async () => {
      assert.deepEqual(ok(await server.api('POST', `${R}/search`, { experiment_ids: [experimentId], filter: 'metrics.never > 0' })), {});
    });

    it('errors: bad comparator, bad entity, non-numeric metric, NULLS LAST, bad page token, max_results', async () => {
      const search = (body: object): ReturnType<ServerHandle['api']> => server.api('POST', `${R}/search`, { experiment_ids: [experimentId], ...body });
      assertError(await search({ filter: "params.model > 'a'" }), 400, 'INVALID_PARAMETER_VALUE', /^Invalid comparator '>'/);
      assertError(await search({ filter: 'foo.x = 1' }), 400, 'INVALID_PARAMETER_VALUE', /^Invalid entity type 'foo'/);
      assertError(await search({ filter: "metrics.rmse = 'x'" }), 400, 'INVALID_PARAMETER_VALUE', "Expected numeric value type for metric. Found 'x'");
      assertError(await search({ order_by: ['metrics.rmse NULLS LAST'] }), 400, 'INVALID_PARAMETER_VALUE', /Could not be parsed/);
      assertError(await search({ page_token: 'not a token!' }), 400, 'INVALID_PARAMETER_VALUE', 'Invalid page token, could not base64-decode');
      assertError(await search({ max_results: 50001 }), 400, 'INVALID_PARAMETER_VALUE', /^Invalid value 50001 for parameter 'max_results' supplied/);
    });
  });

  describe('errors', () => {
    it('missing required parameters', async () => {
      const cases: [string, object, string][] = [
        ['delete', {}, 'run_id'],
        ['restore', {}, 'run_id'],
        ['log-metric', { key: 'k', value: 1, timestamp: 1 }, 'run_id'],
        ['log-metric', { run_id: runId, value: 1, timestamp: 1 }, 'key'],
        ['log-metric', { run_id: runId, key: 'k', timestamp: 1 }, 'value'],
        ['log-metric', { run_id: runId, key: 'k', value: 1 }, 'timestamp'],
        ['log-parameter', { run_id: runId, value: 'v' }, 'key'],
        ['log-parameter', { run_id: runId, key: 'k' }, 'value'],
        ['set-tag', { run_id: runId, value: 'v' }, 'key'],
        ['set-tag', { run_id: runId, key: 'k' }, 'value'],
        ['delete-tag', { run_id: runId }, 'key'],
        ['delete-tag', { key: 'k' }, 'run_id'],
        ['log-inputs', {}, 'run_id'],
      ];
      for (const [path, body, field] of cases) assertError(await server.api('POST', `${R}/${path}`, body), 400, 'INVALID_PARAMETER_VALUE', missing(field));
    });

    it('invalid keys, with MLflow\'s message', async () => {
      const res = await server.api('POST', `${R}/log-metric`, { run_id: runId, key: 'bad key!', value: 1, timestamp: 1 });
      assertError(res, 400, 'INVALID_PARAMETER_VALUE', "Invalid metric name: 'bad key!'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).");
      assertError(await server.api('POST', `${R}/log-parameter`, { run_id: runId, key: 'a//b', value: 'v' }), 400, 'INVALID_PARAMETER_VALUE', /^Invalid parameter name: 'a\/\/b'/);
      assertError(await server.api('POST', `${R}/set-tag`, { run_id: runId, key: 'k'.repeat(251), value: 'v' }), 400, 'INVALID_PARAMETER_VALUE', /exceeded length limit of 250/);
    });

    it('unknown run: 404 RESOURCE_DOES_NOT_EXIST with MLflow\'s message', async () => {
      const unknown = '0'.repeat(32);
      assertError(await server.api('GET', `${R}/get`, { run_id: unknown }), 404, 'RESOURCE_DOES_NOT_EXIST', `Run with id=${unknown} not found`);
      assertError(await server.api('POST', `${R}/log-metric`, { run_id: unknown, key: 'k', value: 1, timestamp: 1 }), 404, 'RESOURCE_DOES_NOT_EXIST');
      assertError(await server.api('POST', `${R}/create`, { experiment_id: '4242' }), 404, 'RESOURCE_DOES_NOT_EXIST', 'No Experiment with id=4242 exists');
    });

    it('bad values: status, metric value, timestamp, step', async () => {
      assertError(await server.api('POST', `${R}/update`, { run_id: runId, status: 'BOGUS' }), 400, 'INVALID_PARAMETER_VALUE', /run status/);
      const metric = { run_id: runId, key: 'k', value: 1, timestamp: 1 };
      assertError(await server.api('POST', `${R}/log-metric`, { ...metric, value: 'abc' }), 400, 'INVALID_PARAMETER_VALUE', /Please specify value as a valid double/);
      assertError(await server.api('POST', `${R}/log-metric`, { ...metric, value: true }), 400, 'INVALID_PARAMETER_VALUE');
      assertError(await server.api('POST', `${R}/log-metric`, { ...metric, timestamp: -1 }), 400, 'INVALID_PARAMETER_VALUE', /Timestamp must be a nonnegative long/);
      assertError(await server.api('POST', `${R}/log-metric`, { ...metric, step: 1.5 }), 400, 'INVALID_PARAMETER_VALUE', /Step must be a valid long/);
      assertError(await server.api('POST', `${R}/log-metric`, { ...metric, step: 1e308 }), 400, 'INVALID_PARAMETER_VALUE', /Step must be a valid long/);
    });
  });
});

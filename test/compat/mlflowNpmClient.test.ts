import assert from 'node:assert/strict';
import MLflow from 'mlflow';
import { RunStatus, ViewType } from 'mlflow/enum';
import type { TrackingStore } from '../../src/core/store/trackingStore';
import { startInProcessServer, type ServerHandle } from './helpers/serverFixture';

/**
 * The npm `mlflow` package (2.0.7, a REST client written by others) driven through every method it
 * has. It sends the bearer token through its `headers` constructor option. Its quirks, kept as the
 * client has them: every POST prints its body with console.log (silenced here); `Experiments.list`
 * calls `experiments/list`, which MLflow 2 removed (a real 2.12 server answers an HTML 404,
 * Trackside a JSON ENDPOINT_NOT_FOUND); `Experiments.setExperimentTag` builds the path
 * `experimentsset-experiment-tag` (no slash), so it cannot work against any server; `Runs.create`
 * cannot send `run_name`; `Experiments.get` is typed with a `runs` list MLflow 2 no longer returns.
 */

/** What the client throws for a non-200 answer: `Error: {"status":…,"statusText":…,"data":…}`. */
interface ClientFailure {
  status: number;
  data: { error_code?: string; message?: string } | null;
}

async function failure(call: () => Promise<unknown>): Promise<ClientFailure> {
  try {
    await quiet(call);
  } catch (e) {
    return JSON.parse((e as Error).message.replace(/^Error: /, '')) as ClientFailure;
  }
  assert.fail('the call was expected to fail');
}

/** Runs a client call without its console.log of the request body (it logs synchronously, before any await). */
async function quiet<T>(call: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = () => undefined;
  let pending: Promise<T>;
  try {
    pending = call();
  } finally {
    console.log = log;
  }
  return pending;
}

describe('the npm mlflow client against the Trackside server', function () {
  this.timeout(30_000);
  let server: ServerHandle;
  let client: MLflow;
  let store: TrackingStore;
  let experimentId: string;
  let runId: string;

  before(async () => {
    server = await startInProcessServer();
    client = new MLflow({ endpoint: server.url, headers: { Authorization: `Bearer ${server.token}` } });
    store = server.backend!.tracking;
  });
  after(() => server?.stop());

  it('fails with 401 when it is not given the token', async () => {
    const anonymous = new MLflow({ endpoint: server.url });
    const result = await failure(() => anonymous.Experiments.get({ experiment_id: '0' }));
    assert.deepEqual([result.status, result.data?.error_code], [401, 'UNAUTHENTICATED']);
  });

  describe('Experiments', () => {
    it('create: returns the new id as a string, stored with an mlflow-artifacts location', async () => {
      const created = await quiet(() => client.Experiments.create({ name: 'npm client', artifact_location: undefined as unknown as string }));
      experimentId = created.experiment_id;
      assert.equal(typeof experimentId, 'string');
      const stored = store.getExperiment(experimentId);
      assert.deepEqual([stored.name, stored.artifact_location, stored.lifecycle_stage], ['npm client', `mlflow-artifacts:/${experimentId}`, 'active']);
    });

    it('get: answers the stored experiment (and no `runs` list, as MLflow 2)', async () => {
      const { experiment, runs } = await quiet(() => client.Experiments.get({ experiment_id: experimentId }));
      assert.deepEqual(experiment, JSON.parse(JSON.stringify(store.getExperiment(experimentId))));
      assert.equal(typeof experiment.creation_time, 'number');
      assert.equal(runs, undefined);
    });

    it('update: renames the stored experiment', async () => {
      assert.deepEqual(await quiet(() => client.Experiments.update({ experiment_id: experimentId, new_name: 'npm client renamed' })), {});
      assert.equal(store.getExperiment(experimentId).name, 'npm client renamed');
    });

    it('delete and restore: change the stored lifecycle stage', async () => {
      const scratch = store.createExperiment({ name: 'npm scratch' }).experiment_id;
      assert.deepEqual(await quiet(() => client.Experiments.delete({ experiment_id: scratch })), {});
      assert.equal(store.getExperiment(scratch).lifecycle_stage, 'deleted');
      assert.deepEqual(await quiet(() => client.Experiments.restore({ experiment_id: scratch })), {});
      assert.equal(store.getExperiment(scratch).lifecycle_stage, 'active');
    });

    it('setExperimentTag: the client calls `experimentsset-experiment-tag` (its bug), answered by a JSON 404', async () => {
      const result = await failure(() => client.Experiments.setExperimentTag({ experiment_id: experimentId, key: 'team', value: 'ml' }));
      assert.deepEqual([result.status, result.data?.error_code], [404, 'ENDPOINT_NOT_FOUND']);
      assert.equal(store.getExperiment(experimentId).tags, undefined, 'no tag may be stored');
    });

    it('list: calls experiments/list, removed in MLflow 2, answered by a JSON 404 ENDPOINT_NOT_FOUND', async () => {
      const result = await failure(() => client.Experiments.list({ view_type: ViewType.ALL }));
      assert.deepEqual([result.status, result.data?.error_code], [404, 'ENDPOINT_NOT_FOUND']);
      assert.match(result.data?.message ?? '', /experiments\/list/);
    });

    it('get of an unknown experiment: 404 RESOURCE_DOES_NOT_EXIST', async () => {
      const result = await failure(() => client.Experiments.get({ experiment_id: '424242' }));
      assert.deepEqual([result.status, result.data?.error_code], [404, 'RESOURCE_DOES_NOT_EXIST']);
    });
  });

  describe('Runs', () => {
    it('create: stores the user, start time and tags, and names the run', async () => {
      const { run } = await quiet(() =>
        client.Runs.create({ experiment_id: experimentId, user_id: 'ada', start_time: 1_700_000_000_000, tags: [{ key: 'team', value: 'ml' }] }),
      );
      runId = run.info.run_id;
      const stored = store.getRun({ run_id: runId });
      assert.deepEqual(run, JSON.parse(JSON.stringify(stored)));
      assert.deepEqual([stored.info.user_id, stored.info.start_time, stored.info.status], ['ada', 1_700_000_000_000, 'RUNNING']);
      assert.equal(stored.info.run_uuid, runId);
      assert.equal(stored.info.artifact_uri, `mlflow-artifacts:/${experimentId}/${runId}/artifacts`);
      const tags = Object.fromEntries((stored.data.tags ?? []).map((t) => [t.key, t.value]));
      assert.equal(tags.team, 'ml');
      assert.match(tags['mlflow.runName'], /^[a-z]+-[a-z]+-\d+$/, 'a generated run name, as MLflow does');
      assert.equal(stored.info.run_name, tags['mlflow.runName']);
    });

    it('logMetric: with and without a step (run_id and run_uuid both sent)', async () => {
      assert.deepEqual(await quiet(() => client.Runs.logMetric({ run_id: runId, key: 'loss', value: 0.5, timestamp: 1000, step: 3 })), {});
      await quiet(() => client.Runs.logMetric({ run_id: runId, key: 'loss', value: 0.25, timestamp: 2000 }));
      const history = store.metrics.getHistory({ run_id: runId, metric_key: 'loss' }).metrics;
      assert.deepEqual(history, [
        { key: 'loss', value: 0.25, timestamp: 2000, step: 0 },
        { key: 'loss', value: 0.5, timestamp: 1000, step: 3 },
      ]);
    });

    it('logParameter: stores it; the same value again is fine, another value is a 400', async () => {
      assert.deepEqual(await quiet(() => client.Runs.logParameter({ run_id: runId, key: 'alpha', value: '0.5' })), {});
      await quiet(() => client.Runs.logParameter({ run_id: runId, key: 'alpha', value: '0.5' }));
      const changed = await failure(() => client.Runs.logParameter({ run_id: runId, key: 'alpha', value: '0.7' }));
      assert.equal(changed.status, 400);
      assert.match(changed.data?.message ?? '', /^Changing param values is not allowed. Param with key='alpha' was already logged with value='0.5'/);
      assert.deepEqual(store.getRun({ run_id: runId }).data.params, [{ key: 'alpha', value: '0.5' }]);
    });

    it('setTag and deleteTag: change the stored tags', async () => {
      await quiet(() => client.Runs.setTag({ run_id: runId, key: 'stage', value: 'train' }));
      const tagOf = (): string | undefined => store.getRun({ run_id: runId }).data.tags?.find((t) => t.key === 'stage')?.value;
      assert.equal(tagOf(), 'train');
      assert.deepEqual(await quiet(() => client.Runs.deleteTag({ run_id: runId, key: 'stage' })), {});
      assert.equal(tagOf(), undefined);
    });

    it('logBatch: stores metrics, params and tags', async () => {
      await quiet(() =>
        client.Runs.logBatch({
          run_id: runId,
          metrics: [{ key: 'acc', value: 0.9, timestamp: 3000, step: 1 }, { key: 'acc', value: 0.95, timestamp: 4000, step: 2 }],
          params: [{ key: 'layers', value: '4' }],
          tags: [{ key: 'batch', value: 'yes' }],
        }),
      );
      const { data } = store.getRun({ run_id: runId });
      assert.deepEqual(data.metrics?.find((m) => m.key === 'acc'), { key: 'acc', value: 0.95, timestamp: 4000, step: 2 });
      assert.deepEqual(data.params?.find((p) => p.key === 'layers'), { key: 'layers', value: '4' });
      assert.equal(data.tags?.find((t) => t.key === 'batch')?.value, 'yes');
      assert.equal(store.metrics.getHistory({ run_id: runId, metric_key: 'acc' }).metrics.length, 2);
    });

    it('get: answers what the store holds', async () => {
      const { run } = await quiet(() => client.Runs.get({ run_id: runId }));
      assert.deepEqual(run, JSON.parse(JSON.stringify(store.getRun({ run_id: runId }))));
    });

    it('update: sets status and end time', async () => {
      const { run_info } = await quiet(() => client.Runs.update({ run_id: runId, status: RunStatus.FINISHED, end_time: 1_700_000_100_000 }));
      assert.deepEqual([run_info.status, run_info.end_time], ['FINISHED', 1_700_000_100_000]);
      const stored = store.getRun({ run_id: runId }).info;
      assert.deepEqual([stored.status, stored.end_time], ['FINISHED', 1_700_000_100_000]);
    });

    it('search: filter, order_by and paging through next_page_token give the runs the store finds', async () => {
      for (let i = 0; i < 3; i++) {
        const { run } = await quiet(() => client.Runs.create({ experiment_id: experimentId, user_id: 'bob', start_time: 1_700_000_000_000 + i }));
        await quiet(() => client.Runs.logMetric({ run_id: run.info.run_id, key: 'acc', value: i / 10, timestamp: 1 }));
      }
      const expected = store.searchRuns({ experiment_ids: [experimentId], filter: 'metrics.acc >= 0', order_by: ['metrics.acc DESC'] }).runs.map((r) => r.info.run_id);
      assert.equal(expected.length, 4);
      const seen: string[] = [];
      let pageToken: string | undefined;
      do {
        const page = await quiet(() =>
          client.Runs.search({ experiment_ids: [experimentId], filter: 'metrics.acc >= 0', order_by: ['metrics.acc DESC'], max_results: 3, page_token: pageToken, run_view_type: ViewType.ACTIVE_ONLY }),
        );
        seen.push(...page.runs.map((r) => r.info.run_id));
        pageToken = page.next_page_token;
      } while (pageToken);
      assert.deepEqual(seen, expected);
      assert.equal(seen[0], runId, 'acc 0.95 sorts first');
    });

    it('delete and restore: change the stored lifecycle stage', async () => {
      await quiet(() => client.Runs.delete({ run_id: runId }));
      assert.equal(store.getRun({ run_id: runId }).info.lifecycle_stage, 'deleted');
      const active = await quiet(() => client.Runs.search({ experiment_ids: [experimentId] }));
      assert.ok(!active.runs.some((r) => r.info.run_id === runId), 'a deleted run is not in an ACTIVE_ONLY search');
      await quiet(() => client.Runs.restore({ run_id: runId }));
      assert.equal(store.getRun({ run_id: runId }).info.lifecycle_stage, 'active');
    });

    it('get of an unknown run: 404 RESOURCE_DOES_NOT_EXIST', async () => {
      const result = await failure(() => client.Runs.get({ run_id: 'f'.repeat(32) }));
      assert.deepEqual([result.status, result.data?.error_code], [404, 'RESOURCE_DOES_NOT_EXIST']);
    });
  });

  describe('Metrics and Artifacts', () => {
    it('Metrics.getHistory: the stored history', async () => {
      const { metrics } = await quiet(() => client.Metrics.getHistory({ run_id: runId, metric_key: 'acc' }));
      assert.deepEqual(metrics, store.metrics.getHistory({ run_id: runId, metric_key: 'acc' }).metrics);
      assert.deepEqual(metrics.map((m) => m.value), [0.9, 0.95]);
    });

    it('Artifacts.list: root_uri only for an empty run, then the files uploaded through the proxy', async () => {
      const empty = await quiet(() => client.Artifacts.list({ run_id: runId, path: '' }));
      assert.deepEqual(empty, { root_uri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts` });
      for (const [file, body] of [['model/MLmodel', 'flavors: {}\n'], ['notes.txt', 'hello']]) {
        const put = await server.api('PUT', `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/${file}`, undefined, {
          raw: body,
          headers: { 'Content-Type': 'application/octet-stream' },
        });
        assert.equal(put.status, 200, put.text);
      }
      const root = await quiet(() => client.Artifacts.list({ run_id: runId, path: '' }));
      assert.deepEqual(root.files, [{ path: 'model', is_dir: true }, { path: 'notes.txt', is_dir: false, file_size: 5 }]);
      const model = await quiet(() => client.Artifacts.list({ run_id: runId, path: 'model' }));
      assert.deepEqual(model.files, [{ path: 'model/MLmodel', is_dir: false, file_size: 12 }]);
    });
  });
});

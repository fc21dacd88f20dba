import assert from 'node:assert/strict';
import { ServerFixture } from './clientFixture';

describe('TrackingClient: experiments, runs and metrics against a real server', () => {
  let fixture: ServerFixture;

  before(async () => {
    fixture = await ServerFixture.start();
  });
  after(async () => {
    await fixture.stop();
  });

  it('creates, reads, renames, tags, deletes and restores experiments', async () => {
    const { experiments } = fixture.client;
    const id = await experiments.create('lifecycle', { tags: { team: 'vision' } });
    assert.match(id, /^\d+$/);
    const created = await experiments.get(id);
    assert.equal(created.name, 'lifecycle');
    assert.equal(created.lifecycle_stage, 'active');
    assert.equal(created.artifact_location, `mlflow-artifacts:/${id}`);
    assert.deepEqual(created.tags, [{ key: 'team', value: 'vision' }]);

    assert.equal((await experiments.getByName('lifecycle'))?.experiment_id, id);
    assert.equal(await experiments.getByName('no such experiment'), undefined);

    await experiments.update(id, { newName: 'lifecycle-renamed' });
    await experiments.setTag(id, 'stage', 'beta');
    const renamed = await experiments.get(id);
    assert.equal(renamed.name, 'lifecycle-renamed');
    assert.deepEqual(
      renamed.tags?.map((t) => `${t.key}=${t.value}`).sort(),
      ['stage=beta', 'team=vision'],
    );

    await experiments.delete(id);
    assert.equal((await experiments.get(id)).lifecycle_stage, 'deleted');
    const active = await experiments.searchAll();
    assert.ok(!active.some((e) => e.experiment_id === id), 'a deleted experiment is not in the default (active) search');
    const deleted = await experiments.searchAll({ viewType: 'DELETED_ONLY' });
    assert.deepEqual(deleted.map((e) => e.experiment_id), [id]);
    await experiments.restore(id);
    assert.equal((await experiments.get(id)).lifecycle_stage, 'active');
  });

  it('pages through experiment searches: one page with a token, and every page with iterate/searchAll', async () => {
    const { experiments } = fixture.client;
    for (let i = 0; i < 7; i++) await experiments.create(`paged-${i}`);
    const first = await experiments.search({ filter: "name LIKE 'paged-%'", orderBy: ['name ASC'], maxResults: 3 });
    assert.deepEqual(first.experiments.map((e) => e.name), ['paged-0', 'paged-1', 'paged-2']);
    assert.ok(first.next_page_token, 'a full page carries a next_page_token');
    const second = await experiments.search({ filter: "name LIKE 'paged-%'", orderBy: ['name ASC'], maxResults: 3, pageToken: first.next_page_token });
    assert.deepEqual(second.experiments.map((e) => e.name), ['paged-3', 'paged-4', 'paged-5']);

    const all = await experiments.searchAll({ filter: "name LIKE 'paged-%'", orderBy: ['name ASC'], pageSize: 2 });
    assert.deepEqual(all.map((e) => e.name), ['paged-0', 'paged-1', 'paged-2', 'paged-3', 'paged-4', 'paged-5', 'paged-6']);
    const capped = await experiments.searchAll({ filter: "name LIKE 'paged-%'", orderBy: ['name DESC'], pageSize: 2, maxResults: 5 });
    assert.deepEqual(capped.map((e) => e.name), ['paged-6', 'paged-5', 'paged-4', 'paged-3', 'paged-2']);
    const none = await experiments.search({ filter: "name = 'nothing like this'" });
    assert.deepEqual(none.experiments, [], 'an empty answer still has an experiments list');
  });

  it('creates, updates, deletes and restores runs, and logs metrics, params and tags one by one', async () => {
    const { runs, metrics } = fixture.client;
    const run = await runs.create({ experimentId: '0', runName: 'single', tags: { owner: 'ada' } });
    const runId = run.info.run_id;
    assert.equal(run.info.run_name, 'single');
    assert.equal(run.info.status, 'RUNNING');

    await runs.logMetric(runId, 'loss', 0.5, { step: 1, timestamp: 1000 });
    await runs.logMetric(runId, 'loss', 0.25, { step: 2, timestamp: 2000 });
    await runs.logMetric(runId, 'weird', NaN, { step: 0 });
    await runs.logParam(runId, 'alpha', '0.1');
    await runs.setTag(runId, 'note', 'first');
    await runs.setTag(runId, 'gone', 'soon');
    await runs.deleteTag(runId, 'gone');
    const info = await runs.update(runId, { status: 'FINISHED', endTime: 5000 });
    assert.equal(info.status, 'FINISHED');
    assert.equal(info.end_time, 5000);

    const read = await runs.get(runId);
    assert.deepEqual(read.data.params, [{ key: 'alpha', value: '0.1' }]);
    const tags = Object.fromEntries((read.data.tags ?? []).map((t) => [t.key, t.value]));
    assert.equal(tags.note, 'first');
    assert.equal(tags.owner, 'ada');
    assert.equal(tags.gone, undefined);
    const latest = Object.fromEntries((read.data.metrics ?? []).map((m) => [m.key, m.value]));
    assert.equal(latest.loss, 0.25);
    assert.equal(latest.weird, 'NaN', 'NaN travels as the string "NaN"');
    assert.deepEqual(
      (await metrics.getHistory(runId, 'loss')).map((m) => [m.step, m.value, m.timestamp]),
      [[1, 0.5, 1000], [2, 0.25, 2000]],
    );

    await runs.delete(runId);
    assert.equal((await runs.get(runId)).info.lifecycle_stage, 'deleted');
    await runs.restore(runId);
    assert.equal((await runs.get(runId)).info.lifecycle_stage, 'active');
  });

  it('splits a large log-batch into requests within MLflow limits, keeping every entity and the step order', async () => {
    const { runs, metrics } = fixture.client;
    const runId = (await runs.create({ experimentId: '0', runName: 'batch' })).info.run_id;
    const requests = await runs.logBatch(runId, {
      params: Array.from({ length: 250 }, (_, i) => ({ key: `p${i}`, value: String(i) })),
      tags: Array.from({ length: 150 }, (_, i) => ({ key: `t${i}`, value: `v${i}` })),
      metrics: Array.from({ length: 2500 }, (_, i) => ({ key: 'curve', value: i / 10, step: i, timestamp: 1_000_000 + i })),
    });
    // 100+100+50 params, 100+50 tags, 2500 metrics; at most 1000 entities a request:
    // [100p] [100p] [50p 100t] [50t 950m] [1000m] [550m]
    assert.equal(requests, 6);
    const run = await runs.get(runId);
    assert.equal(run.data.params?.length, 250);
    assert.equal(run.data.tags?.filter((t) => /^t\d+$/.test(t.key)).length, 150);
    const history = await metrics.getHistory(runId, 'curve', { pageSize: 1000 });
    assert.equal(history.length, 2500, 'every point arrived, read back over three pages');
    assert.deepEqual(history.slice(0, 3).map((m) => m.step), [0, 1, 2]);
    assert.equal(history[2499].value, 249.9);

    assert.equal(await runs.logBatch(runId, {}), 0, 'an empty batch sends nothing');
  });

  it('logs dataset inputs and models', async () => {
    const { runs } = fixture.client;
    const runId = (await runs.create({ experimentId: '0' })).info.run_id;
    await runs.logInputs(runId, [
      { dataset: { name: 'iris', digest: 'abc123', source_type: 'local', source: '{"uri": "iris.csv"}' }, tags: [{ key: 'mlflow.data.context', value: 'training' }] },
    ]);
    await runs.logModel(runId, { artifact_path: 'model', flavors: { python_function: {} } });
    const run = await runs.get(runId);
    assert.equal(run.inputs.dataset_inputs?.[0].dataset.name, 'iris');
    const history = run.data.tags?.find((t) => t.key === 'mlflow.log-model.history')?.value;
    assert.equal((JSON.parse(history ?? '[]') as { artifact_path: string }[])[0].artifact_path, 'model');
  });

  it('searches runs with a filter and an order, page by page and across all pages', async () => {
    const { runs, experiments } = fixture.client;
    const experimentId = await experiments.create('run-search');
    for (let i = 0; i < 5; i++) {
      const runId = (await runs.create({ experimentId, runName: `r${i}`, startTime: 1000 + i })).info.run_id;
      await runs.logBatch(runId, { metrics: [{ key: 'score', value: i }], params: { kind: i % 2 ? 'odd' : 'even' } });
    }
    const page = await runs.search({ experimentIds: [experimentId], orderBy: ['metrics.score DESC'], maxResults: 2 });
    assert.deepEqual(page.runs.map((r) => r.info.run_name), ['r4', 'r3']);
    assert.ok(page.next_page_token);
    const even = await runs.searchAll({ experimentIds: [experimentId], filter: "params.kind = 'even'", orderBy: ['metrics.score ASC'], pageSize: 1 });
    assert.deepEqual(even.map((r) => r.info.run_name), ['r0', 'r2', 'r4']);
    const names: string[] = [];
    for await (const run of runs.iterate({ experimentIds: [experimentId], pageSize: 2 })) names.push(run.info.run_name);
    assert.deepEqual(names, ['r4', 'r3', 'r2', 'r1', 'r0'], 'newest first by default, over three pages');
  });

  it('reads a history one page at a time and several runs at once with get-history-bulk-interval', async () => {
    const { runs, metrics } = fixture.client;
    const a = (await runs.create({ experimentId: '0' })).info.run_id;
    const b = (await runs.create({ experimentId: '0' })).info.run_id;
    await runs.logBatch(a, { metrics: Array.from({ length: 30 }, (_, i) => ({ key: 'acc', value: i, step: i, timestamp: 1 })) });
    await runs.logBatch(b, { metrics: Array.from({ length: 10 }, (_, i) => ({ key: 'acc', value: -i, step: i * 3, timestamp: 1 })) });
    const page = await metrics.getHistoryPage(a, 'acc', { maxResults: 10 });
    assert.equal(page.metrics.length, 10);
    assert.ok(page.next_page_token);
    const bulk = await metrics.getHistoryBulkInterval({ runIds: [a, b], key: 'acc', startStep: 0, endStep: 9 });
    assert.deepEqual(bulk.filter((m) => m.run_id === b).map((m) => m.step), [0, 3, 6, 9]);
    assert.equal(bulk.filter((m) => m.run_id === a).length, 10);
  });
});

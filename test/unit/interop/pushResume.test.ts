import assert from 'node:assert/strict';
import path from 'node:path';
import { TrackingClient } from '../../../src/core/client/trackingClient';
import { TrackingClientError } from '../../../src/core/client/trackingClientError';
import { importMlflow } from '../../../src/core/interop/mlflowImporter';
import { pushToMlflow } from '../../../src/core/interop/mlflowPusher';
import { PUSH_TAGS, PushAbortedError, targetKeyOf } from '../../../src/core/interop/pushSummary';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { buildSqliteFixture, type BuiltFixture } from './fixtures/mlflowFixtures';
import { SCHEMA_2_4 } from './fixtures/mlflowSchemas';
import { CountingProxy, ServedStore, expectModelsPushed, expectRunsPushed, type ProxyOptions } from './pushFixture';

/** Every run on a server that came from a push (by its source tag), deleted ones included. */
async function pushedRuns(client: TrackingClient): Promise<string[]> {
  const experimentIds = (await client.experiments.searchAll({ viewType: 'ALL' })).map((e) => e.experiment_id);
  const runs = await client.runs.searchAll({ experimentIds, runViewType: 'ALL' });
  return runs.map((r) => r.data.tags?.find((t) => t.key === PUSH_TAGS.sourceRunId)?.value ?? '(none)').sort();
}

describe('push: interrupted, resumed, selected, and where artifacts cannot go', function () {
  this.timeout(120_000);
  let folder: string;
  let fixture: BuiltFixture;
  let a: ServedStore;
  let runIds: string[];
  let targets = 0;

  /** A fresh standalone server in a temp folder, behind a counting proxy. */
  async function freshTarget(options: ProxyOptions = {}): Promise<{ store: ServedStore; proxy: CountingProxy; client: TrackingClient; key: string; close(): Promise<void> }> {
    const store = await ServedStore.open(path.join(folder, `target-${++targets}`));
    const proxy = await CountingProxy.start(store.server.url, options);
    const client = new TrackingClient({ trackingUri: proxy.url, token: store.token, maxRetries: 0 });
    return {
      store, proxy, client, key: targetKeyOf(proxy.url),
      close: async () => {
        client.close();
        await proxy.close();
        await store.close();
      },
    };
  }

  before(async () => {
    folder = tempFolder('trackside-push-resume-');
    fixture = await buildSqliteFixture(SCHEMA_2_4, path.join(folder, 'mlflow'));
    a = await ServedStore.open(path.join(folder, 'a'));
    await importMlflow(fixture.source, a.backend, { artifacts: 'copy' });
    runIds = fixture.data.runs.map((r) => r.runId);
  });
  after(async () => {
    await a.close();
    removeFolder(folder);
  });

  for (const stopAfter of [1, 5, 19, 34, 42]) {
    it(`stops after ${stopAfter} write(s) when cancelled, then a second push completes it without duplicates`, async () => {
      const controller = new AbortController();
      let writes = 0;
      const target = await freshTarget({
        onRequest: (request) => {
          if (request.method !== 'GET' && !/search|summaries/.test(request.path) && ++writes === stopAfter) controller.abort();
          return 'forward';
        },
      });
      try {
        const stopped = await pushToMlflow({ source: a.client, target: target.client, includeDeleted: true, signal: controller.signal }).then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(stopped instanceof PushAbortedError, `the push stopped (${String(stopped)})`);
        assert.equal(stopped.summary.writes, stopAfter, 'nothing was sent after the cancellation');
        assert.match(stopped.message, /Pushing again continues where it stopped/);

        const resumed = await pushToMlflow({ source: a.client, target: target.client, includeDeleted: true });
        assert.equal(resumed.runs.failed, 0);
        // A run cut off half way is finished (updated) by the second push, never created twice.
        assert.equal(stopped.summary.runs.created + resumed.runs.created + resumed.runs.updated, runIds.length);
        if ([5, 19, 34].includes(stopAfter)) assert.equal(resumed.runs.updated, 1, 'the run cut off half way was completed');
        assert.deepEqual(await pushedRuns(target.store.client), [...runIds].sort(), 'one target run per local run');
        await expectRunsPushed(a.client, target.store.client, target.key, runIds);
        await expectModelsPushed(a.client, target.store.client, target.key, ['churn-classifier', 'fraud-detector']);
        target.proxy.reset();
        const third = await pushToMlflow({ source: a.client, target: target.client, includeDeleted: true });
        assert.deepEqual(target.proxy.writes, []);
        assert.equal(third.runs.unchanged, runIds.length);
      } finally {
        await target.close();
      }
    });
  }

  it('recovers a run whose creation reached the target but whose answer was lost', async () => {
    let creates = 0;
    const target = await freshTarget({ onRequest: (r) => (r.path.endsWith('/runs/create') && ++creates === 3 ? 'drop-answer' : 'forward') });
    try {
      await assert.rejects(pushToMlflow({ source: a.client, target: target.client, includeDeleted: true }), (e: unknown) => e instanceof TrackingClientError && e.errorCode === 'CONNECTION_ERROR');
      const orphan = (await pushedRuns(target.store.client)).length;
      assert.equal(orphan, 3, 'the third run exists on the target, unrecorded here');
      const resumed = await pushToMlflow({ source: a.client, target: target.client, includeDeleted: true });
      assert.equal(resumed.runs.created, runIds.length - 3, 'the orphan was found by its trackside.source_run_id, not created again');
      assert.deepEqual(await pushedRuns(target.store.client), [...runIds].sort());
      await expectRunsPushed(a.client, target.store.client, target.key, runIds);
    } finally {
      await target.close();
    }
  });

  it('pushes only active experiments and runs by default, and every model', async () => {
    const target = await freshTarget();
    try {
      const summary = await pushToMlflow({ source: a.client, target: target.client });
      const active = fixture.data.runs.filter((r) => r.lifecycle === 'active').map((r) => r.runId);
      assert.equal(summary.runs.created, active.length);
      assert.deepEqual(await pushedRuns(target.store.client), [...active].sort());
      assert.equal(await target.store.client.experiments.getByName('abandoned-idea'), undefined);
      await expectRunsPushed(a.client, target.store.client, target.key, active);
      await expectModelsPushed(a.client, target.store.client, target.key, ['churn-classifier', 'fraud-detector']);
    } finally {
      await target.close();
    }
  });

  it('pushes a chosen run with its parent, and a chosen experiment, and no models unless named', async () => {
    const target = await freshTarget();
    try {
      const [sweep, trial2, long] = [runIds[1], runIds[3], runIds[7]];
      const summary = await pushToMlflow({ source: a.client, target: target.client, runIds: [trial2], experimentNames: ['fraud-detection'] });
      assert.deepEqual(summary.runs, { created: 3, updated: 0, unchanged: 0, failed: 0 });
      assert.deepEqual(await pushedRuns(target.store.client), [sweep, trial2, long].sort(), 'trial-2 brought its parent sweep along');
      await expectRunsPushed(a.client, target.store.client, target.key, [sweep, trial2, long]);
      assert.deepEqual(summary.models, { created: 0, existing: 0 });
      const models = await pushToMlflow({ source: a.client, target: target.client, models: ['fraud-detector'] });
      assert.deepEqual(models.models, { created: 1, existing: 0 });
      assert.deepEqual(models.runs, { created: 0, updated: 0, unchanged: 0, failed: 0 });
      await expectModelsPushed(a.client, target.store.client, target.key, ['fraud-detector']);
      await assert.rejects(pushToMlflow({ source: a.client, target: target.client, experimentNames: ['nope'] }), /There is no experiment named 'nope'/);
    } finally {
      await target.close();
    }
  });

  it('reports artifacts it cannot send when the target keeps them outside its HTTP proxy', async () => {
    const target = await freshTarget();
    try {
      await target.store.client.experiments.create('churn-model', { artifactLocation: 's3://team-bucket/churn' });
      const summary = await pushToMlflow({ source: a.client, target: target.client, experimentNames: ['churn-model'] });
      assert.equal(summary.artifacts.unreachable, 1, 'trial-1 has files');
      assert.equal(summary.artifacts.uploaded, 0);
      const entry = summary.skipped.find((s) => s.what.startsWith('3 artifact file(s) of run'));
      assert.match(entry?.why ?? '', /artifact store not reachable over HTTP: the target keeps this run's artifacts at s3:\/\/team-bucket\/churn\//);
      assert.equal(summary.runs.failed, 0, 'the rest of each run went through');
    } finally {
      await target.close();
    }
  });
});

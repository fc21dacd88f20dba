import assert from 'node:assert/strict';
import type { ChangeEvent } from '../../../src/shared/changeEvents';
import { TrackingClient } from '../../../src/core/client/trackingClient';
import { TrackingServer } from '../../../src/core/server/trackingServer';
import { columnsFromSampled } from '../../../src/shared/charts/seriesColumns';
import type { TrackingClientError } from '../../../src/core/client/trackingClientError';
import { PlainMlflowProxy, ServerFixture, eventually } from './clientFixture';

/** Two runs in a new experiment: `a` logs `loss` on steps 0..99 (a spike at 50), `b` on 0..9. */
async function seed(client: TrackingClient): Promise<{ experimentId: string; a: string; b: string }> {
  const experimentId = await client.experiments.create(`extras-${Math.random().toString(36).slice(2)}`);
  const a = (await client.runs.create({ experimentId, runName: 'a', startTime: 2000 })).info.run_id;
  const b = (await client.runs.create({ experimentId, runName: 'b', startTime: 1000 })).info.run_id;
  await client.runs.logBatch(a, {
    metrics: Array.from({ length: 100 }, (_, step) => ({ key: 'loss', value: step === 50 ? 99 : 1 / (step + 1), step, timestamp: 10 + step })),
    params: { lr: '0.1' },
    tags: { 'mlflow.parentRunId': b },
  });
  await client.runs.logBatch(b, { metrics: Array.from({ length: 10 }, (_, step) => ({ key: 'loss', value: step, step, timestamp: 10 + step })) });
  return { experimentId, a, b };
}

describe('TrackingClient: Trackside extras', () => {
  let fixture: ServerFixture;

  before(async () => {
    fixture = await ServerFixture.start();
  });
  after(async () => {
    await fixture.stop();
  });

  it('reads the capabilities /version announces, once', async () => {
    const capabilities = await fixture.client.capabilities();
    assert.equal(capabilities.mlflowVersion, '2.12.2');
    assert.equal(capabilities.tracksideVersion, '0.1.0');
    for (const extra of ['events', 'sampled-history', 'runs-table', 'metric-summaries']) assert.ok(capabilities.extras.includes(extra), extra);
    assert.equal(fixture.client.capabilities(), fixture.client.capabilities(), 'cached: the same promise');
  });

  it('samples histories into buckets that keep a spike, and returns short series exactly', async () => {
    const { a, b } = await seed(fixture.client);
    const series = await fixture.client.sampledHistory({ runIds: [a, b], keys: ['loss'], maxBuckets: 10 });
    assert.deepEqual(series.map((s) => [s.runId, s.key, s.exact]), [[a, 'loss', false], [b, 'loss', true]]);
    assert.equal(series[0].buckets.length, 10);
    assert.equal(Math.max(...series[0].buckets.map((x) => x.max)), 99, 'the spike at step 50 survives as a bucket max');
    assert.equal(series[0].buckets.reduce((n, x) => n + x.count, 0), 100);
    assert.deepEqual(series[1].buckets.map((x) => x.last), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('answers sampled series column by column, the same buckets with NaN kept', async () => {
    const { a, b } = await seed(fixture.client);
    await fixture.client.runs.logMetric(b, 'loss', NaN, { step: 10, timestamp: 30 });
    const request = { runIds: [a, b], keys: ['loss'], maxBuckets: 10, startStep: 0 };
    const columns = await fixture.client.sampledColumns(request);
    assert.deepEqual(columns, (await fixture.client.sampledHistory(request)).map(columnsFromSampled));
    assert.equal(Math.max(...columns[0].max), 99, 'the spike survives as a bucket max');
    assert.ok(Number.isNaN(columns[1].last[columns[1].last.length - 1]), 'a NaN last value stays NaN');
    const wire = fixture.backend.tracking.metrics.sampled({ run_ids: [b], keys: ['loss'], max_buckets: 100, format: 'columns' }).series[0];
    assert.ok('columns' in wire && wire.columns.last.at(-1) === 'NaN' && wire.columns.min.at(-1) === null);
    assert.throws(() => fixture.backend.tracking.metrics.sampled({ run_ids: [b], keys: ['loss'], format: 'rows' }), /format must be/);
  });

  it('answers sampled series packed (float64 columns in base64), the same buckets as the columns format', async () => {
    const { a, b } = await seed(fixture.client);
    await fixture.client.runs.logMetric(b, 'loss', NaN, { step: 10, timestamp: 30 });
    assert.ok((await fixture.client.capabilities()).extras.includes('sampled-packed'));
    const request = { run_ids: [a, b], keys: ['loss'], max_buckets: 10 };
    const packed = fixture.backend.tracking.metrics.sampled({ ...request, format: 'packed' }).series;
    const columns = fixture.backend.tracking.metrics.sampled({ ...request, format: 'columns' }).series;
    packed.forEach((series, i) => {
      assert.ok('packed' in series && 'columns' in columns[i]);
      const numbers = new Float64Array(new Uint8Array(Buffer.from(series.packed, 'base64')).buffer);
      const wire = columns[i].columns;
      const n = wire.steps.length;
      assert.equal(series.length, n);
      assert.equal(numbers.length, 6 * n);
      const column = (c: number): number[] => [...numbers.subarray(c * n, (c + 1) * n)];
      assert.deepEqual(column(0), wire.steps);
      assert.deepEqual(column(1), wire.timestamps);
      assert.deepEqual(column(2).map((v) => (Number.isNaN(v) ? 'NaN' : v)), wire.last);
      assert.deepEqual(column(3).map((v) => (Number.isNaN(v) ? null : v)), wire.min);
      assert.deepEqual(column(5), wire.counts);
      assert.deepEqual([series.runId, series.key, series.exact, series.minStep, series.maxStep], [columns[i].runId, columns[i].key, columns[i].exact, columns[i].minStep, columns[i].maxStep]);
    });
    // The client asks for the packed format (and reads it into the same columns).
    const metrics = fixture.backend.tracking.metrics;
    const original = metrics.sampled;
    const formats: unknown[] = [];
    metrics.sampled = (req) => (formats.push(req.format), original.call(metrics, req));
    try {
      const read = await fixture.client.sampledColumns({ runIds: [a, b], keys: ['loss'], maxBuckets: 10 });
      assert.deepEqual(formats, ['packed']);
      assert.deepEqual(read, (await fixture.client.sampledHistory({ runIds: [a, b], keys: ['loss'], maxBuckets: 10 })).map(columnsFromSampled));
    } finally {
      metrics.sampled = original;
    }
  });

  it('returns the runs table and metric summaries', async () => {
    const { experimentId, a, b } = await seed(fixture.client);
    const table = await fixture.client.runsTable({ experimentIds: [experimentId] });
    assert.deepEqual(table.columns, { params: ['lr'], metrics: ['loss'], tags: ['mlflow.parentRunId', 'mlflow.runName'] });
    assert.deepEqual(table.runs.map((r) => r.run_name), ['a', 'b'], 'newest first');
    assert.equal(table.runs[0].parent_run_id, b);
    assert.deepEqual(table.runs[0].metrics.loss, [0.01, 0.01, 99, 100, 99]);

    const summaries = await fixture.client.metricSummaries([a, b]);
    assert.deepEqual(summaries[b], [{ key: 'loss', last: 9, step: 9, timestamp: 19, min: 0, max: 9, count: 10 }]);
    assert.equal(summaries[a][0].max, 99);
  });

  it('pages the run tree and counts runs per experiment', async () => {
    const { experimentId, a, b } = await seed(fixture.client);
    assert.equal((await fixture.client.runCounts())[experimentId], 2);
    const top = await fixture.client.runChildren({ experimentId, keyMetric: 'loss' });
    assert.deepEqual(top.runs.map((r) => [r.run_id, r.child_count, r.key_metric]), [[b, 1, 9]], 'a is nested under b');
    const children = await fixture.client.runChildren({ experimentId, parentRunId: b, keyMetric: 'loss' });
    assert.deepEqual(children.runs.map((r) => r.run_id), [a]);
  });

  it('streams change events, coalescing a log-batch into one metrics event', async () => {
    const runId = (await fixture.client.runs.create({ experimentId: '0' })).info.run_id;
    const received: ChangeEvent[] = [];
    const statuses: string[] = [];
    const abort = new AbortController();
    const done = fixture.client.events((event) => received.push(event), abort.signal, { onStatus: (s) => statuses.push(s) });
    await eventually(() => statuses.includes('connected') && fixture.server.events.clientCount === 1, 3000, 'the stream to connect');
    await fixture.client.runs.logBatch(runId, {
      metrics: [
        { key: 'loss', value: 1, step: 0 },
        { key: 'loss', value: 0.5, step: 1 },
        { key: 'acc', value: 0.7, step: 1 },
      ],
    });
    await fixture.client.runs.logMetric(runId, 'loss', 0.25, { step: 2 });
    await eventually(() => received.some((e) => e.type === 'metrics'), 3000, 'a metrics event');
    await new Promise((r) => setTimeout(r, 250));
    const metricEvents = received.filter((e): e is Extract<ChangeEvent, { type: 'metrics' }> => e.type === 'metrics');
    assert.equal(metricEvents.length, 1, 'two writes within 100 ms arrive as one event');
    assert.deepEqual(metricEvents[0].runs[runId].sort(), ['acc', 'loss']);
    abort.abort();
    await done;
    await eventually(() => fixture.server.events.clientCount === 0, 3000, 'the server to drop the connection');
  });

  it('reconnects the event stream when the server restarts on the same port', async () => {
    const other = await ServerFixture.start();
    const port = other.server.listeningPort;
    const received: ChangeEvent[] = [];
    const statuses: string[] = [];
    const abort = new AbortController();
    const done = other.client.events((e) => received.push(e), abort.signal, {
      onStatus: (s) => statuses.push(s),
      initialBackoffMs: 20,
    });
    try {
      await eventually(() => statuses.includes('connected'), 3000, 'first connection');
      await other.server.close();
      await eventually(() => statuses.includes('reconnecting'), 3000, 'the client to notice');
      const again = await TrackingServer.start({ backend: other.backend, port, token: other.token });
      try {
        await eventually(() => statuses.filter((s) => s === 'connected').length === 2, 5000, 'the reconnection');
        await other.client.experiments.create('after-restart');
        await eventually(() => received.some((e) => e.type === 'experiments'), 3000, 'an event after the restart');
      } finally {
        abort.abort();
        await done;
        await again.close();
      }
    } finally {
      abort.abort();
      other.client.close();
      await other.backend.close();
    }
  });
});

describe('TrackingClient: fallbacks against a plain MLflow server (no extras)', () => {
  let fixture: ServerFixture;
  let proxy: PlainMlflowProxy;
  let client: TrackingClient;

  before(async () => {
    fixture = await ServerFixture.start();
    proxy = await PlainMlflowProxy.start(fixture.server.url);
    client = fixture.clientWith({ trackingUri: proxy.url });
  });
  after(async () => {
    client.close();
    await proxy.stop();
    await fixture.stop();
  });

  it('sees a plain MLflow 2.12.2 with no extras, and refuses the extras that have no fallback', async () => {
    assert.deepEqual(await client.capabilities(), { mlflowVersion: '2.12.2', tracksideVersion: undefined, extras: [] });
    await assert.rejects(client.runCounts(), (e: TrackingClientError) => e.errorCode === 'NOT_IMPLEMENTED' && e.message.includes("'run-tree'"));
    await assert.rejects(client.registryHistory('m'), (e: TrackingClientError) => e.errorCode === 'NOT_IMPLEMENTED');
  });

  it('samples histories with get-history-bulk-interval', async () => {
    const { a, b } = await seed(fixture.client);
    const series = await client.sampledHistory({ runIds: [a, b], keys: ['loss'], maxBuckets: 1000 });
    assert.deepEqual(await client.sampledColumns({ runIds: [a, b], keys: ['loss'], maxBuckets: 1000 }), series.map(columnsFromSampled), 'columns through the same fallback');
    assert.ok(proxy.forwarded.includes('GET /api/2.0/mlflow/metrics/get-history-bulk-interval'));
    assert.deepEqual(series.map((s) => [s.runId, s.exact, s.buckets.length]), [[a, true, 100], [b, true, 10]]);
    assert.equal(series[0].buckets[50].max, 99);
    assert.equal(series[0].maxStep, 99);
  });

  it('samples histories with get-history where bulk-interval is missing (MLflow before 2.11), bucketing like Trackside', async () => {
    const oldProxy = await PlainMlflowProxy.start(fixture.server.url, { withoutBulkInterval: true });
    const old = fixture.clientWith({ trackingUri: oldProxy.url });
    try {
      const { a, b } = await seed(fixture.client);
      const request = { runIds: [a, b], keys: ['loss'], maxBuckets: 10 };
      const fallback = await old.sampledHistory(request);
      assert.ok(oldProxy.forwarded.includes('GET /api/2.0/mlflow/metrics/get-history'));
      const native = await fixture.client.sampledHistory(request);
      assert.deepEqual(fallback, native, 'the same buckets as the server computes');
    } finally {
      old.close();
      await oldProxy.stop();
    }
  });

  it('builds the runs table from runs/search and summaries from runs/get (last values only)', async () => {
    const { experimentId, a, b } = await seed(fixture.client);
    const table = await client.runsTable({ experimentIds: [experimentId] });
    assert.deepEqual(table.columns, { params: ['lr'], metrics: ['loss'], tags: ['mlflow.parentRunId', 'mlflow.runName'] });
    assert.deepEqual(table.runs.map((r) => r.run_name), ['a', 'b']);
    assert.equal(table.runs[0].parent_run_id, b);
    assert.deepEqual(table.runs[0].metrics.loss, [0.01, null, null, null, 99]);
    assert.deepEqual(table.runs[0].params, { lr: '0.1' });

    const summaries = await client.metricSummaries([a, b]);
    assert.deepEqual(summaries[b], [{ key: 'loss', last: 9, step: 9, timestamp: 19, count: 0 }]);
    assert.ok(proxy.forwarded.includes('GET /api/2.0/mlflow/runs/get'));
  });

  it('polls for changes instead of streaming them', async () => {
    const runId = (await fixture.client.runs.create({ experimentId: '0' })).info.run_id;
    const received: ChangeEvent[] = [];
    const abort = new AbortController();
    let polls = 0;
    const done = client.events((e) => received.push(e), abort.signal, { pollIntervalMs: 50, onStatus: () => polls++ });
    await eventually(() => polls > 0, 3000, 'the baseline poll');
    await fixture.client.runs.logMetric(runId, 'loss', 0.5, { step: 3 });
    await fixture.client.runs.setTag(runId, 'note', 'polled');
    const experimentId = await fixture.client.experiments.create('polled-experiment');
    await eventually(
      () => received.some((e) => e.type === 'metrics' && e.runs[runId]?.includes('loss')) &&
        received.some((e) => e.type === 'runs' && e.runIds.includes(runId)) &&
        received.some((e) => e.type === 'experiments' && e.experimentIds.includes(experimentId)),
      3000,
      'metrics, runs and experiments events from polling',
    );
    abort.abort();
    await done;
  });
});

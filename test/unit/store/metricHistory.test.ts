import assert from 'node:assert/strict';
import { CHUNK_SIZE } from '../../../src/core/store/metricHistory';
import { StoreBackend } from '../../../src/core/store/storeBackend';

describe('MetricHistory', () => {
  let backend: StoreBackend;
  let runId: string;
  let runInt: number;
  beforeEach(async () => {
    backend = await StoreBackend.inMemory();
    runId = backend.tracking.createRun({}).info.run_id;
    runInt = backend.tracking.runs.row(runId).run_int;
  });
  afterEach(() => backend.close());

  function log(steps: number[], value: (s: number) => number = (s) => s, key = 'm'): void {
    for (let i = 0; i < steps.length; i += 1000) {
      backend.tracking.logBatch({
        run_id: runId,
        metrics: steps.slice(i, i + 1000).map((s) => ({ key, value: value(s), timestamp: 1_700_000_000_000 + s, step: s })),
      });
    }
  }
  const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

  it('seals full chunks and reads every point back in order', () => {
    log(range(CHUNK_SIZE * 2 + 100));
    const chunks = Number(backend.store.db.scalar('SELECT COUNT(*) FROM metric_chunks'));
    assert.equal(chunks, 2);
    const p = backend.store.history.points(runInt, 'm');
    assert.equal(p.steps.length, CHUNK_SIZE * 2 + 100);
    assert.deepEqual(p.steps.slice(1020, 1030), range(10, 1020));
  });

  it('keeps the unsealed tail across a flush (checkpoint) and keeps appending after it', () => {
    log(range(300));
    backend.store.history.flush();
    assert.equal(Number(backend.store.db.scalar('SELECT COUNT(*) FROM metric_tails')), 1);
    log(range(1000, 300));
    const p = backend.store.history.points(runInt, 'm');
    assert.equal(p.steps.length, 1300);
    assert.equal(Number(backend.store.db.scalar('SELECT COUNT(*) FROM metric_chunks')), 1);
  });

  it('merges out-of-order points and overlapping chunks into step order', () => {
    log(range(CHUNK_SIZE, 1000));
    log(range(CHUNK_SIZE, 500), (s) => s + 0.5);
    log([1500], () => -1);
    assert.equal(Number(backend.store.db.scalar('SELECT COUNT(*) FROM metric_chunks')), 2, 'two overlapping chunks');
    const p = backend.store.history.points(runInt, 'm', 1020, 1021);
    assert.deepEqual(p.steps, [1020, 1020, 1021, 1021]);
    assert.deepEqual(p.values, [1020, 1020.5, 1021, 1021.5]);
    const all = backend.store.history.points(runInt, 'm');
    for (let i = 1; i < all.steps.length; i++) assert.ok(all.steps[i - 1] <= all.steps[i], `sorted at ${i}`);
    assert.equal(all.steps.length, 2 * CHUNK_SIZE + 1);
  });

  it('detects duplicates of points already sealed into a chunk', () => {
    log(range(CHUNK_SIZE + 10));
    log([5, 6, 7]);
    assert.equal(backend.store.history.points(runInt, 'm').steps.length, CHUNK_SIZE + 10);
  });

  it('downsamples to at most the bucket budget and never hides a spike', () => {
    const n = 100_000;
    log(range(n), (s) => (s === 43_210 ? 1e6 : s === 77_777 ? -1e6 : Math.sin(s / 1000)));
    const { buckets, exact } = backend.store.history.downsample(runInt, 'm', 0, n - 1, 500);
    assert.equal(exact, false);
    assert.ok(buckets.length <= 500 && buckets.length >= 450, `${buckets.length} buckets`);
    assert.equal(buckets.reduce((s, b) => s + b.count, 0), n, 'every point is counted once');
    assert.equal(Math.max(...buckets.map((b) => b.max)), 1e6);
    assert.equal(Math.min(...buckets.map((b) => b.min)), -1e6);
    const last = buckets[buckets.length - 1];
    assert.equal(last.step, n - 1);
    assert.equal(last.last, Math.sin((n - 1) / 1000));
  });

  it('downsamples like a point-by-point walk, whatever the bucket width, range, NaNs, repeated steps and tail', async () => {
    // Steps repeat (three points each, timestamps out of order) and 1 in 50 values is NaN; the last
    // points stay in the unsealed tail, in memory and then as stored at a checkpoint.
    const points = Array.from({ length: 9000 }, (_, i) => ({
      key: 'm', step: Math.floor(i / 3) - 200, timestamp: 1000 + ((i * 7919) % 5000), value: i % 50 === 7 ? NaN : Math.sin(i / 30) + (i % 997 === 0 ? 50 : 0),
    }));
    for (let i = 0; i < points.length; i += 700) backend.tracking.logBatch({ run_id: runId, metrics: points.slice(i, i + 700) });
    const reference = (lo: number, hi: number, maxBuckets: number): string => {
      const inRange = points.filter((p) => p.step >= lo && p.step <= hi);
      const width = Math.max(1, (hi - lo + 1) / maxBuckets);
      const buckets = new Map<number, { step: number; last: number; min: number; max: number; count: number; timestamp: number }>();
      for (const p of inRange) {
        const index = Math.floor((p.step - lo) / width);
        const b = buckets.get(index) ?? { step: -Infinity, last: NaN, min: NaN, max: NaN, count: 0, timestamp: -Infinity };
        const later = p.step > b.step || (p.step === b.step && (p.timestamp > b.timestamp || (p.timestamp === b.timestamp && !(p.value < b.last))));
        if (later) Object.assign(b, { step: p.step, last: p.value, timestamp: p.timestamp });
        if (!Number.isNaN(p.value)) {
          if (!(p.value >= b.min)) b.min = p.value;
          if (!(p.value <= b.max)) b.max = p.value;
        }
        b.count++;
        buckets.set(index, b);
      }
      return JSON.stringify([...buckets].sort((a, b) => a[0] - b[0]).map(([, b]) => b));
    };
    const check = (): void => {
      for (const maxBuckets of [1, 13, 40, 100, 333, 5000]) {
        for (const [lo, hi] of [[-200, 2799], [0, 999], [-500, -150], [1234, 1300]]) {
          const { buckets } = backend.store.history.downsample(runInt, 'm', lo, hi, maxBuckets);
          const clamped = [Math.max(lo, -200), Math.min(hi, 2799)];
          if (clamped[0] > clamped[1]) continue;
          const wholeAndSmall = lo <= -200 && hi >= 2799 && maxBuckets >= points.length;
          if (wholeAndSmall) continue;
          assert.equal(JSON.stringify(buckets), reference(clamped[0], clamped[1], maxBuckets), `${maxBuckets} buckets over [${lo}, ${hi}]`);
        }
      }
    };
    check();
    await backend.store.checkpoint();
    check();
  });

  it('returns exact points for a zoomed range and when the series is small', () => {
    log(range(5000));
    const zoom = backend.store.history.downsample(runInt, 'm', 100, 149, 100);
    assert.equal(zoom.exact, true);
    assert.deepEqual(zoom.buckets.map((b) => b.step), range(50, 100));
    const small = backend.store.history.downsample(runInt, 'm', 0, 4999, 6000);
    assert.equal(small.exact, true);
    assert.equal(small.buckets.length, 5000);
  });

  it('keeps NaN points in history but out of min/max', () => {
    log([0, 1, 2], (s) => (s === 1 ? NaN : s));
    const s = backend.tracking.metrics.summaries([runId])[runId][0];
    assert.deepEqual([s.min, s.max, s.count], [0, 2, 3]);
    const h = backend.tracking.metrics.getHistory({ run_id: runId, metric_key: 'm' }).metrics;
    assert.equal(h[1].value, 'NaN');
  });

  it('pages get-history with MLflow page tokens', () => {
    log(range(25));
    const first = backend.tracking.metrics.getHistory({ run_id: runId, metric_key: 'm', max_results: 10 });
    assert.equal(first.metrics.length, 10);
    assert.equal(Buffer.from(first.next_page_token!, 'base64').toString(), '{"offset": 10}');
    const second = backend.tracking.metrics.getHistory({ run_id: runId, metric_key: 'm', max_results: 10, page_token: first.next_page_token });
    assert.equal(second.metrics[0].step, 10);
    const third = backend.tracking.metrics.getHistory({ run_id: runId, metric_key: 'm', max_results: 10, page_token: second.next_page_token });
    assert.equal(third.metrics.length, 5);
    assert.equal(third.next_page_token, undefined);
  });

  it('samples bulk intervals across runs including the first and last step', () => {
    log(range(1000));
    const other = backend.tracking.createRun({}).info.run_id;
    backend.tracking.logBatch({ run_id: other, metrics: range(10).map((s) => ({ key: 'm', value: s, timestamp: 1, step: s * 100 })) });
    const { metrics } = backend.tracking.metrics.getHistoryBulkInterval({ run_ids: [runId, other], metric_key: 'm', max_results: 50 });
    const steps = new Set(metrics.map((m) => m.step));
    assert.ok(steps.size <= 50);
    assert.ok(steps.has(0) && steps.has(999));
    assert.ok(metrics.every((m) => m.run_id === runId || m.run_id === other));
    const windowed = backend.tracking.metrics.getHistoryBulkInterval({ run_ids: [runId], metric_key: 'm', start_step: 10, end_step: 19 });
    assert.deepEqual(windowed.metrics.map((m) => m.step), range(10, 10));
    assert.throws(() => backend.tracking.metrics.getHistoryBulkInterval({ run_ids: [runId], metric_key: 'm', start_step: 5 }), /both must be specified/);
    assert.throws(() => backend.tracking.metrics.getHistoryBulkInterval({ run_ids: [], metric_key: 'm' }), /at least one run_id/);
  });
});

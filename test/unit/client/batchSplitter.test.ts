import assert from 'node:assert/strict';
import { BATCH_LIMITS, splitBatch, type BatchChunk } from '../../../src/core/client/batchSplitter';

const metrics = (n: number, valueLength = 0): BatchChunk['metrics'] =>
  Array.from({ length: n }, (_, i) => ({ key: `m${'x'.repeat(valueLength)}`, value: i, timestamp: 1, step: i }));
const keyValues = (n: number, prefix: string, valueLength = 1): BatchChunk['params'] =>
  Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: 'v'.repeat(valueLength) }));

function assertWithinLimits(chunks: BatchChunk[]): void {
  for (const chunk of chunks) {
    assert.ok(chunk.metrics.length <= BATCH_LIMITS.metrics);
    assert.ok(chunk.params.length <= BATCH_LIMITS.params);
    assert.ok(chunk.tags.length <= BATCH_LIMITS.tags);
    assert.ok(chunk.metrics.length + chunk.params.length + chunk.tags.length <= BATCH_LIMITS.total);
    assert.ok(Buffer.byteLength(JSON.stringify({ run_id: 'x'.repeat(32), ...chunk })) < 1_000_000);
  }
}

describe('splitBatch', () => {
  it('keeps a batch within the limits in one request', () => {
    const chunks = splitBatch({ metrics: metrics(900), params: keyValues(50, 'p'), tags: keyValues(50, 't') });
    assert.equal(chunks.length, 1);
  });

  it('splits at 1000 metrics, 100 params, 100 tags and 1000 entities, keeping the order', () => {
    const batch = { metrics: metrics(2500), params: keyValues(250, 'p'), tags: keyValues(150, 't') };
    const chunks = splitBatch(batch);
    assert.deepEqual(
      chunks.map((c) => [c.params.length, c.tags.length, c.metrics.length]),
      [[100, 0, 0], [100, 0, 0], [50, 100, 0], [0, 50, 950], [0, 0, 1000], [0, 0, 550]],
    );
    assertWithinLimits(chunks);
    assert.deepEqual(chunks.flatMap((c) => c.metrics).map((m) => m.step), batch.metrics.map((m) => m.step));
    assert.deepEqual(chunks.flatMap((c) => c.params), batch.params);
  });

  it('splits by size when long values would pass a megabyte', () => {
    // 100 params of 6000 characters and 100 tags of 5000: 1.1 MB of values in 200 entities.
    const chunks = splitBatch({ metrics: [], params: keyValues(100, 'p', 6000), tags: keyValues(100, 't', 5000) });
    assert.ok(chunks.length >= 2);
    assertWithinLimits(chunks);
    assert.equal(chunks.reduce((n, c) => n + c.params.length + c.tags.length, 0), 200);
  });

  it('sends nothing for an empty batch', () => {
    assert.deepEqual(splitBatch({ metrics: [], params: [], tags: [] }), []);
  });
});

import assert from 'node:assert/strict';
import {
  ROLLUP_BLOCK,
  ROLLUP_FIELDS,
  ChunkScratch,
  buildRollup,
  decodeInto,
  decodePoints,
  encodePoints,
  sortPoints,
  type PointColumns,
} from '../../../src/core/store/metricChunkCodec';

function series(n: number, f: (i: number) => number): PointColumns {
  const p: PointColumns = { steps: [], timestamps: [], values: [] };
  for (let i = 0; i < n; i++) {
    p.steps.push(i);
    p.timestamps.push(1_700_000_000_000 + i * 37);
    p.values.push(f(i));
  }
  return p;
}

describe('metric chunk codec', () => {
  it('round-trips steps, timestamps and values exactly, NaN and extremes included', () => {
    const p: PointColumns = {
      steps: [-5, 0, 0, 3, 2 ** 40, 2 ** 52],
      timestamps: [0, 1_700_000_000_000, 1_700_000_000_000, 1_600_000_000_000, 4_102_444_800_000, 4_102_444_800_001],
      values: [NaN, 0.1, -0, Number.MAX_VALUE, -Number.MAX_VALUE, 5e-324],
    };
    const decoded = decodePoints(encodePoints(p));
    assert.deepEqual(decoded.steps, p.steps);
    assert.deepEqual(decoded.timestamps, p.timestamps);
    assert.ok(Number.isNaN(decoded.values[0]));
    assert.deepEqual(decoded.values.slice(1), p.values.slice(1));
  });

  it('packs a regular series in about 10 bytes a point', () => {
    const p = series(1024, (i) => Math.sin(i / 10));
    const bytes = encodePoints(p).length;
    assert.ok(bytes < 1024 * 11, `${bytes} bytes for 1024 points`);
    assert.ok(bytes >= 1024 * 8, 'values stay full doubles');
  });

  it('appends into existing columns when decoding several chunks', () => {
    const a = series(3, (i) => i);
    const b = { steps: [10, 11], timestamps: [5, 6], values: [7, 8] };
    const merged = decodePoints(encodePoints(b), decodePoints(encodePoints(a)));
    assert.deepEqual(merged.steps, [0, 1, 2, 10, 11]);
    assert.deepEqual(merged.values, [0, 1, 2, 7, 8]);
  });

  it('decodes into reusable typed columns, at any byte offset, growing them as needed', () => {
    const scratch = new ChunkScratch();
    const small = { steps: [-5, 0, 2 ** 40], timestamps: [3, 1_700_000_000_000, 1_600_000_000_000], values: [NaN, -0, 5e-324] };
    assert.equal(decodeInto(encodePoints(small), scratch), 3);
    assert.deepEqual([...scratch.steps.subarray(0, 3)], small.steps);
    assert.deepEqual([...scratch.timestamps.subarray(0, 3)], small.timestamps);
    assert.ok(Number.isNaN(scratch.values[0]) && Object.is(scratch.values[1], -0) && scratch.values[2] === 5e-324);
    // Deltas of one to five bytes, both signs, either side of 2^31 (integer and float zigzag paths).
    const deltas = [0, 63, -64, 64, -1000, 70_000, -70_001, 2 ** 30, -(2 ** 30), 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 33 + 1, -(2 ** 35)];
    const mixed = { steps: [] as number[], timestamps: [] as number[], values: [] as number[] };
    deltas.reduce((at, d, i) => (mixed.steps.push(at + d), mixed.timestamps.push(1_700_000_000_000 - (at + d)), mixed.values.push(i), at + d), 0);
    assert.equal(decodeInto(encodePoints(mixed), scratch), deltas.length);
    assert.deepEqual([...scratch.steps.subarray(0, deltas.length)], mixed.steps);
    assert.deepEqual([...scratch.timestamps.subarray(0, deltas.length)], mixed.timestamps);
    const big = series(3000, (i) => Math.sin(i));
    const bytes = encodePoints(big);
    const unaligned = new Uint8Array(bytes.length + 3);
    unaligned.set(bytes, 3);
    assert.equal(decodeInto(unaligned.subarray(3), scratch), 3000);
    assert.deepEqual([...scratch.steps.subarray(0, 3000)], big.steps);
    assert.deepEqual([...scratch.timestamps.subarray(0, 3000)], big.timestamps);
    assert.deepEqual([...scratch.values.subarray(0, 3000)], big.values);
    assert.throws(() => decodeInto(bytes.subarray(0, bytes.length - 3), scratch), /truncated/);
  });

  it('rejects truncated data', () => {
    const bytes = encodePoints(series(10, (i) => i));
    assert.throws(() => decodePoints(bytes.subarray(0, bytes.length - 3)), /truncated/);
    assert.throws(() => decodePoints(bytes.subarray(0, 4)), /too short/);
  });

  it('rolls up min, max and the last value per 64 points, ignoring NaN for min/max', () => {
    const p = series(150, (i) => (i === 70 ? 1000 : i === 71 ? NaN : i));
    const r = buildRollup(p);
    assert.equal(r.length, 3 * ROLLUP_FIELDS);
    const block = (b: number): number[] => Array.from(r.subarray(b * ROLLUP_FIELDS, (b + 1) * ROLLUP_FIELDS));
    assert.deepEqual(block(0).slice(0, 6), [0, 63, 64, 0, 63, 63]);
    assert.deepEqual(block(1).slice(0, 6), [64, 127, 64, 64, 1000, 127]);
    assert.deepEqual(block(2).slice(0, 6), [128, 149, 150 - 2 * ROLLUP_BLOCK, 128, 149, 149]);
    assert.equal(block(2)[6], p.timestamps[149]);
  });

  it('sorts by step, then timestamp, keeping columns aligned', () => {
    const p = { steps: [3, 1, 1, 2], timestamps: [1, 9, 8, 1], values: [30, 19, 18, 20] };
    sortPoints(p);
    assert.deepEqual(p.steps, [1, 1, 2, 3]);
    assert.deepEqual(p.timestamps, [8, 9, 1, 1]);
    assert.deepEqual(p.values, [18, 19, 20, 30]);
  });
});

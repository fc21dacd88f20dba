import assert from 'node:assert/strict';
import { appendTail, mergeRange, stepRangeForX } from '../../../src/shared/charts/bucketMerge';
import { linePoints, nearestIndex, rawLinePoints, visibleRange } from '../../../src/shared/charts/chartPoints';
import { MAX_SMOOTHING, smoothEma } from '../../../src/shared/charts/emaSmoothing';
import { bucketsForWidth, columnsFromSampled, type SeriesColumns } from '../../../src/shared/charts/seriesColumns';
import { formatX, valueAtStep, xValues } from '../../../src/shared/charts/xAxis';
import { formatCount } from '../../../src/shared/displayFormat';

/** A series from (step, last[, min, max]) tuples; time = 1000 + step * 10. */
function series(points: [number, number, number?, number?][], runId = 'r', key = 'loss'): SeriesColumns {
  return columnsFromSampled({
    runId,
    key,
    exact: points.every(([, last, min, max]) => (min ?? last) === last && (max ?? last) === last),
    buckets: points.map(([step, last, min, max]) => ({ step, last, min: min ?? last, max: max ?? last, count: min === undefined ? 1 : 5, timestamp: 1000 + step * 10 })),
  });
}

const near = (actual: number, expected: number, message?: string): void => assert.ok(Math.abs(actual - expected) < 1e-9, `${message ?? ''} ${actual} ≠ ${expected}`);

describe('smoothing (TensorBoard debiased EMA)', () => {
  it('leaves values alone at weight 0', () => {
    assert.deepEqual([...smoothEma([3, 1, 4, 1, 5], 0)], [3, 1, 4, 1, 5]);
  });

  it('debiases so the line starts at the first value instead of near zero', () => {
    const out = smoothEma([1, 2, 3], 0.5);
    near(out[0], 1, 'first point');
    near(out[1], 1.25 / 0.75, 'second: (0.5·0.5·1 + 0.5·2) / (1 - 0.25)');
    near(out[2], 2.125 / 0.875, 'third');
  });

  it('at heavy smoothing follows a step change slowly but never overshoots it', () => {
    const values = [...Array(50).fill(0), ...Array(50).fill(10)];
    const out = smoothEma(values, 0.9);
    assert.equal(out[49], 0);
    assert.ok(out[50] > 0 && out[50] < 2, `just after the step: ${out[50]}`);
    assert.ok(out[99] > 9.9 && out[99] <= 10, `long after: ${out[99]}`);
  });

  it('passes NaN and infinities through without spoiling the points after them', () => {
    const out = smoothEma([1, NaN, 1, Infinity, 1], 0.6);
    assert.ok(Number.isNaN(out[1]));
    assert.equal(out[3], Infinity);
    near(out[4], 1);
  });

  it('keeps a constant series exactly constant and clamps the weight to 0.99', () => {
    assert.deepEqual([...smoothEma([0.3, 0.3, 0.3], 0.95)], [0.3, 0.3, 0.3]);
    assert.deepEqual([...smoothEma([0, 1], 5)], [...smoothEma([0, 1], MAX_SMOOTHING)]);
  });
});

describe('bucket merging for zoom and live append', () => {
  const coarse = series([[9, 1, 0, 2], [19, 1, 0, 50], [29, 1, 0, 2], [39, 1, 0, 2]]);

  it('replaces the buckets inside the zoomed step range with the finer ones and keeps the rest', () => {
    const finer = series([[10, 1], [12, 50], [14, 1], [16, 1], [18, 1], [20, 1]]);
    const merged = mergeRange(coarse, finer, 10, 20);
    assert.deepEqual([...merged.steps], [9, 10, 12, 14, 16, 18, 20, 29, 39]);
    assert.deepEqual([...merged.max.slice(1, 7)], [1, 50, 1, 1, 1, 1], 'the spike is still there, now at its own step');
    assert.equal(merged.exact, false);
  });

  it('appends live points after the last step, replacing a partial last bucket', () => {
    const tail = series([[39, 3], [40, 4], [41, 5]]);
    const merged = appendTail(coarse, tail);
    assert.deepEqual([...merged.steps], [9, 19, 29, 39, 40, 41]);
    assert.equal(merged.last[3], 3, 'the re-read last step wins');
    assert.equal(merged.maxStep, 41);
  });

  it('turns a visible x range into the step range to fetch, one bucket wider each side', () => {
    const steps = [0, 10, 20, 30, 40];
    const xs = [100, 110, 120, 130, 140];
    assert.deepEqual(stepRangeForX(steps, xs, 115, 131), [10, 40]);
    assert.deepEqual(stepRangeForX(steps, xs, 100, 140), [0, 40]);
    assert.equal(stepRangeForX(steps, xs, 500, 600), undefined);
  });

  it('asks for about one bucket per two pixels', () => {
    assert.equal(bucketsForWidth(1000), 500);
    assert.equal(bucketsForWidth(10), 20);
    assert.equal(bucketsForWidth(1e6), 5000);
  });
});

describe('x-axis transforms', () => {
  const loss = series([[0, 5], [10, 4], [20, 3]]);

  it('plots by step, wall time or seconds since the run started', () => {
    assert.deepEqual([...xValues('step', loss)], [0, 10, 20]);
    assert.deepEqual([...xValues('wallTime', loss)], [1000, 1100, 1200]);
    assert.deepEqual([...xValues('relativeTime', loss, { runStart: 900 })], [0.1, 0.2, 0.3]);
    assert.deepEqual([...xValues('relativeTime', loss)], [0, 0.1, 0.2], 'without a start time: from the first point');
  });

  it('plots against another metric of the same run at the same (or nearest earlier) step', () => {
    const epoch = series([[0, 0], [15, 1]]);
    const xs = xValues('metric', loss, { xSeries: epoch });
    assert.deepEqual([...xs], [0, 0, 1]);
    assert.ok(Number.isNaN(valueAtStep(series([[5, 1]]), 0)), 'before its first point there is no x');
  });

  it('labels ticks for the axis kind', () => {
    assert.equal(formatX('step', 1234.4), '1234');
    assert.equal(formatX('relativeTime', 125), '2m 05s');
    assert.match(formatX('wallTime', Date.UTC(2024, 0, 2, 3, 4, 5)), /^2024-01-0[12] \d\d:04:05$/);
  });
});

describe('plot points', () => {
  it('keeps a downsampled spike as a vertical stroke through min and max', () => {
    const s = series([[9, 1, 0.5, 1.2], [19, 1, 0.9, 40], [29, 1]]);
    const points = rawLinePoints(s, xValues('step', s), false);
    assert.ok(points.some((p) => p.y === 40 && p.x === 19), 'the spike is drawn');
    assert.deepEqual(points.filter((p) => p.index === 2).map((p) => p.y), [1], 'a one-point bucket is one point');
    assert.equal(points.filter((p) => p.index === 1).at(-1)!.y, 1, 'the stroke ends at the last value, so the line continues from it');
  });

  it('draws only the buckets an x range shows, plus one on each side', () => {
    const xs = [0, 10, 20, 30, 40, 50];
    assert.deepEqual(visibleRange(xs, true, 15, 35), [1, 5], '10..40: the line reaches both edges');
    assert.deepEqual(visibleRange(xs, true, 20, 30), [1, 5], 'exact bounds keep their neighbours');
    assert.deepEqual(visibleRange(xs, true, -5, 100), [0, 6]);
    assert.deepEqual(visibleRange(xs, true, 60, 70), [5, 6], 'past the end: the last bucket, for a line into the view');
    assert.deepEqual(visibleRange([3, 1, 2], false, 1, 2), [0, 3], 'unsorted x (another metric): every bucket');
  });

  it('finds the bucket nearest to an x among plottable points, sorted or not', () => {
    const xs = [0, 10, 20, 30];
    assert.equal(nearestIndex(xs, [1, 2, 3, 4], 14, false, true), 1);
    assert.equal(nearestIndex(xs, [1, NaN, 3, 4], 14, false, true), 2, 'a NaN bucket is stepped over');
    assert.equal(nearestIndex(xs, [1, 2, -3, 4], 19, true, true), 1, 'a value ≤ 0 cannot be hovered on a log axis');
    assert.equal(nearestIndex(xs, [1, 2, 3, 4], 100, false, true, 0, 25), 2, 'only inside the shown x range');
    assert.equal(nearestIndex([30, 0, 20, 10], [1, 2, 3, 4], 12, false, false), 3, 'unsorted: a scan');
    assert.equal(nearestIndex(xs, [NaN, NaN, NaN, NaN], 12, false, true), -1);
  });

  it('leaves gaps for NaN, and for values ≤ 0 on a log axis', () => {
    const s = series([[0, 1], [1, NaN], [2, -1], [3, 2]]);
    const points = linePoints(xValues('step', s), s.last, true);
    assert.deepEqual(points.map((p) => (Number.isNaN(p.y) ? 'gap' : p.y)), [1, 'gap', 'gap', 2]);
  });
});

describe('counts', () => {
  it('groups thousands with commas, as en-US does, without Intl', () => {
    for (const n of [0, 7, 999, 1000, 13750, 1234567, -98765, 1234.5, 1e21]) assert.equal(formatCount(n), n.toLocaleString('en-US', { maximumFractionDigits: 20 }).replace(/^1,000,000,000,000,000,000,000$/, '1e+21'));
    assert.equal(formatCount(NaN), 'NaN');
  });
});

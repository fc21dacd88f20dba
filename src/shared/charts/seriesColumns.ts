import { SAMPLED_PACKED_COLUMNS, type MetricValue, type SampledColumnsSeries, type SampledPackedSeries, type SampledSeries } from '../entities';

/**
 * One downsampled metric series, column by column (what charts draw): per bucket the step and
 * time of its last point, its last value, and its min and max (spikes survive downsampling).
 */
export interface SeriesColumns {
  runId: string;
  key: string;
  /** True when every point of the range is present (one per bucket). */
  exact: boolean;
  /** The whole series' step range (not only the buckets'). */
  minStep?: number;
  maxStep?: number;
  steps: Float64Array;
  times: Float64Array;
  last: Float64Array;
  min: Float64Array;
  max: Float64Array;
}

function numeric(value: MetricValue | number | string | null | undefined): number {
  if (typeof value === 'number') return value;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return NaN;
}

/** The columns of a series as the server (or the client's fallback) answers it. */
export function columnsFromSampled(series: SampledSeries): SeriesColumns {
  const n = series.buckets.length;
  const out = withStepRange(emptyColumns(series.runId, series.key, n, series.exact), series);
  series.buckets.forEach((bucket, i) => {
    out.steps[i] = bucket.step;
    out.times[i] = bucket.timestamp;
    out.last[i] = numeric(bucket.last);
    out.min[i] = numeric(bucket.min);
    out.max[i] = numeric(bucket.max);
  });
  return out;
}

/** The columns of a series the server answered column by column (`format: "columns"`). */
export function columnsFromWire(series: SampledColumnsSeries): SeriesColumns {
  const c = series.columns;
  const n = c.steps.length;
  const out = withStepRange(emptyColumns(series.runId, series.key, n, series.exact), series);
  for (let i = 0; i < n; i++) {
    out.steps[i] = c.steps[i];
    out.times[i] = c.timestamps[i];
    out.last[i] = numeric(c.last[i]);
    out.min[i] = numeric(c.min[i]);
    out.max[i] = numeric(c.max[i]);
  }
  return out;
}

/**
 * The columns of a series the server answered packed (`format: "packed"`), from its float64
 * columns already decoded from base64 (`SAMPLED_PACKED_COLUMNS` order): views, no copy.
 */
export function columnsFromPacked(series: Omit<SampledPackedSeries, 'packed'>, packed: Float64Array): SeriesColumns {
  const n = series.length;
  if (packed.length !== n * SAMPLED_PACKED_COLUMNS.length) throw new Error(`packed series ${series.runId}/${series.key}: ${packed.length} numbers for ${n} buckets`);
  const column = (i: number): Float64Array => packed.subarray(i * n, (i + 1) * n);
  return withStepRange({ runId: series.runId, key: series.key, exact: series.exact, steps: column(0), times: column(1), last: column(2), min: column(3), max: column(4) }, series);
}

/** `out` with the whole series' step range of `from` (where it has one). */
function withStepRange(out: SeriesColumns, from: { minStep?: number; maxStep?: number }): SeriesColumns {
  if (from.minStep !== undefined) out.minStep = from.minStep;
  if (from.maxStep !== undefined) out.maxStep = from.maxStep;
  return out;
}

export function emptyColumns(runId: string, key: string, length: number, exact = true): SeriesColumns {
  return {
    runId,
    key,
    exact,
    steps: new Float64Array(length),
    times: new Float64Array(length),
    last: new Float64Array(length),
    min: new Float64Array(length),
    max: new Float64Array(length),
  };
}

/** Buckets `from` (inclusive) to `to` (exclusive) of a series, as a new series. */
export function sliceColumns(series: SeriesColumns, from: number, to: number): SeriesColumns {
  return {
    ...series,
    steps: series.steps.slice(from, to),
    times: series.times.slice(from, to),
    last: series.last.slice(from, to),
    min: series.min.slice(from, to),
    max: series.max.slice(from, to),
  };
}

/** Concatenates pieces of one series (in order). */
export function concatColumns(first: SeriesColumns, pieces: readonly SeriesColumns[], exact: boolean): SeriesColumns {
  const length = pieces.reduce((sum, piece) => sum + piece.steps.length, 0);
  const out = withStepRange(emptyColumns(first.runId, first.key, length, exact), first);
  let at = 0;
  for (const piece of pieces) {
    out.steps.set(piece.steps, at);
    out.times.set(piece.times, at);
    out.last.set(piece.last, at);
    out.min.set(piece.min, at);
    out.max.set(piece.max, at);
    at += piece.steps.length;
  }
  return out;
}

/** The first index whose step is ≥ `step` (steps ascending). */
export function lowerBound(steps: ArrayLike<number>, step: number): number {
  let lo = 0;
  let hi = steps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (steps[mid] < step) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** About one bucket per two pixels of plot width (never fewer than 20 or more than 5000). */
export function bucketsForWidth(plotWidthPx: number): number {
  if (!Number.isFinite(plotWidthPx) || plotWidthPx <= 0) return 500;
  return Math.max(20, Math.min(5000, Math.round(plotWidthPx / 2)));
}

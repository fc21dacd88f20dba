import { lowerBound, type SeriesColumns } from './seriesColumns';

/** One plotted point; `index` is the bucket it came from (for tooltips). */
export interface PlotPoint {
  x: number;
  y: number;
  index: number;
}

/** Called for each point of a line in order; `y` is NaN where the line has a gap. */
export type PointVisitor = (x: number, y: number, index: number) => void;

function plottable(x: number, y: number, logY: boolean): boolean {
  return Number.isFinite(x) && Number.isFinite(y) && (!logY || y > 0);
}

/**
 * The raw line of a downsampled series with its spikes kept, point by point without building a
 * list: a bucket of one point is that point; a bucket of many becomes a vertical stroke through its
 * min and max ending at its last value, so at about one bucket per two pixels the line looks like
 * the full-resolution one (M4-style). NaN (or a value ≤ 0 on a log axis) is a gap (y NaN).
 */
export function forEachRawLinePoint(series: SeriesColumns, xs: ArrayLike<number>, logY: boolean, visit: PointVisitor): void {
  const n = series.steps.length;
  for (let i = 0; i < n; i++) {
    const x = xs[i];
    const last = series.last[i];
    const lo = series.min[i];
    const hi = series.max[i];
    if (!Number.isFinite(x)) continue;
    if (!Number.isFinite(last) && !Number.isFinite(lo)) {
      visit(x, NaN, i);
      continue;
    }
    if (lo !== hi && Number.isFinite(lo) && Number.isFinite(hi)) {
      const firstExtreme = Math.abs(last - hi) <= Math.abs(last - lo) ? lo : hi;
      const secondExtreme = firstExtreme === lo ? hi : lo;
      if (plottable(x, firstExtreme, logY)) visit(x, firstExtreme, i);
      if (plottable(x, secondExtreme, logY)) visit(x, secondExtreme, i);
    }
    visit(x, plottable(x, last, logY) ? last : NaN, i);
  }
}

/** `forEachRawLinePoint` as a list. */
export function rawLinePoints(series: SeriesColumns, xs: ArrayLike<number>, logY: boolean): PlotPoint[] {
  const out: PlotPoint[] = [];
  forEachRawLinePoint(series, xs, logY, (x, y, index) => out.push({ x, y, index }));
  return out;
}

/** One point per bucket at `values` (e.g. the smoothed last values); y NaN where it cannot be plotted. */
export function linePoints(xs: ArrayLike<number>, values: ArrayLike<number>, logY: boolean): PlotPoint[] {
  const out: PlotPoint[] = [];
  for (let i = 0; i < values.length; i++) {
    const x = xs[i];
    if (!Number.isFinite(x)) continue;
    out.push({ x, y: plottable(x, values[i], logY) ? values[i] : NaN, index: i });
  }
  return out;
}

/**
 * The buckets `[from, to)` of a line with ascending `xs` that an x range `[min, max]` shows, plus
 * one on each side so the line runs on to the plot's edges. The whole line for unsorted `xs`.
 */
export function visibleRange(xs: ArrayLike<number>, sorted: boolean, min: number, max: number): [number, number] {
  if (!sorted || !(min <= max)) return [0, xs.length];
  let end = lowerBound(xs, max);
  while (end < xs.length && xs[end] <= max) end++;
  return [Math.max(0, lowerBound(xs, min) - 1), Math.min(xs.length, end + 1)];
}

/**
 * The bucket of a line whose x is nearest to `x` among its plottable points inside `[min, max]`
 * (binary search when `xs` ascend, else a scan); -1 when there is none.
 */
export function nearestIndex(
  xs: ArrayLike<number>,
  values: ArrayLike<number>,
  x: number,
  logY: boolean,
  sorted: boolean,
  min = -Infinity,
  max = Infinity,
): number {
  const ok = (i: number): boolean => xs[i] >= min && xs[i] <= max && plottable(xs[i], values[i], logY);
  let best = -1;
  let bestDistance = Infinity;
  const consider = (i: number): void => {
    const d = Math.abs(xs[i] - x);
    if (d < bestDistance) {
      best = i;
      bestDistance = d;
    }
  };
  if (!sorted) {
    for (let i = 0; i < xs.length; i++) if (ok(i)) consider(i);
    return best;
  }
  const at = lowerBound(xs, x);
  for (let i = at; i < xs.length; i++) {
    if (ok(i)) {
      consider(i);
      break;
    }
  }
  for (let i = at - 1; i >= 0; i--) {
    if (ok(i)) {
      consider(i);
      break;
    }
  }
  return best;
}

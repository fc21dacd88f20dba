import type { SeriesColumns } from './seriesColumns';

/** One plotted point; `index` is the bucket it came from (for tooltips). */
export interface PlotPoint {
  x: number;
  y: number;
  index: number;
}

function plottable(x: number, y: number, logY: boolean): boolean {
  return Number.isFinite(x) && Number.isFinite(y) && (!logY || y > 0);
}

/**
 * The raw line of a downsampled series with its spikes kept: a bucket of one point is that point;
 * a bucket of many becomes a vertical stroke through its min and max ending at its last value, so
 * at about one bucket per two pixels the line looks like the full-resolution one (M4-style). NaN
 * (or a value ≤ 0 on a log axis) leaves a gap.
 */
export function rawLinePoints(series: SeriesColumns, xs: ArrayLike<number>, logY: boolean): PlotPoint[] {
  const out: PlotPoint[] = [];
  const n = series.steps.length;
  for (let i = 0; i < n; i++) {
    const x = xs[i];
    const last = series.last[i];
    const lo = series.min[i];
    const hi = series.max[i];
    if (!Number.isFinite(x)) continue;
    if (!Number.isFinite(last) && !Number.isFinite(lo)) {
      out.push({ x, y: NaN, index: i });
      continue;
    }
    if (lo !== hi && Number.isFinite(lo) && Number.isFinite(hi)) {
      const firstExtreme = Math.abs(last - hi) <= Math.abs(last - lo) ? lo : hi;
      const secondExtreme = firstExtreme === lo ? hi : lo;
      if (plottable(x, firstExtreme, logY)) out.push({ x, y: firstExtreme, index: i });
      if (plottable(x, secondExtreme, logY)) out.push({ x, y: secondExtreme, index: i });
    }
    out.push({ x, y: plottable(x, last, logY) ? last : NaN, index: i });
  }
  return out;
}

/** One point per bucket at `values` (e.g. the smoothed last values). */
export function linePoints(xs: ArrayLike<number>, values: ArrayLike<number>, logY: boolean): PlotPoint[] {
  const out: PlotPoint[] = [];
  for (let i = 0; i < values.length; i++) {
    const x = xs[i];
    if (!Number.isFinite(x)) continue;
    out.push({ x, y: plottable(x, values[i], logY) ? values[i] : NaN, index: i });
  }
  return out;
}

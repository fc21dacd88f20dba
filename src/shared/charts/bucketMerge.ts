import { concatColumns, lowerBound, sliceColumns, type SeriesColumns } from './seriesColumns';

/**
 * Replaces the buckets of `base` whose step lies in [start, end] with `finer` ones fetched for that
 * range (zooming in asks the host for finer buckets of the visible range only); buckets outside
 * the range stay as they were, so panning out still shows the whole series at once.
 */
export function mergeRange(base: SeriesColumns, finer: SeriesColumns, start: number, end: number): SeriesColumns {
  const from = lowerBound(base.steps, start);
  const to = lowerBound(base.steps, end + 1e-9 * Math.max(1, Math.abs(end)) + Number.EPSILON);
  const innerFrom = lowerBound(finer.steps, start);
  const innerTo = lowerBound(finer.steps, end + 1e-9 * Math.max(1, Math.abs(end)) + Number.EPSILON);
  const inner = sliceColumns(finer, innerFrom, innerTo);
  const exact = base.exact && finer.exact;
  return concatColumns(base, [sliceColumns(base, 0, from), inner, sliceColumns(base, to, base.steps.length)], exact);
}

/**
 * Live append: the buckets of `tail` (points logged after what `base` holds) replace whatever
 * `base` had from `tail`'s first step on. The series' known step range grows with it.
 */
export function appendTail(base: SeriesColumns, tail: SeriesColumns): SeriesColumns {
  if (tail.steps.length === 0) return base;
  const keep = lowerBound(base.steps, tail.steps[0]);
  const merged = concatColumns(base, [sliceColumns(base, 0, keep), tail], base.exact && tail.exact);
  const lastStep = tail.steps[tail.steps.length - 1];
  merged.maxStep = Math.max(base.maxStep ?? lastStep, tail.maxStep ?? lastStep, lastStep);
  merged.minStep = Math.min(base.minStep ?? tail.steps[0], tail.minStep ?? tail.steps[0]);
  return merged;
}

/** The last step a series holds (undefined when it is empty). */
export function lastStep(series: SeriesColumns): number | undefined {
  return series.steps.length > 0 ? series.steps[series.steps.length - 1] : undefined;
}

/**
 * The step range to fetch for a visible x-range: the steps of buckets whose x lies inside it,
 * widened by one bucket each side so the line runs off the edges; undefined when none does.
 */
export function stepRangeForX(steps: ArrayLike<number>, xs: ArrayLike<number>, xMin: number, xMax: number): [number, number] | undefined {
  let first = -1;
  let last = -1;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (x >= xMin && x <= xMax) {
      if (first < 0) first = i;
      last = i;
    }
  }
  if (first < 0) return undefined;
  const lo = steps[Math.max(0, first - 1)];
  const hi = steps[Math.min(steps.length - 1, last + 1)];
  return [Math.min(lo, hi), Math.max(lo, hi)];
}

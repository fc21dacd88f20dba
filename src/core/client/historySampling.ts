import type { Metric, MetricBucket, MetricValue } from '../../shared/entities';

function numeric(value: MetricValue | string): number {
  return typeof value === 'number' ? value : Number(value === 'Infinity' ? Infinity : value === '-Infinity' ? -Infinity : NaN);
}

/** One raw point as a bucket of one (what an exact series is made of). */
export function pointBucket(point: Pick<Metric, 'step' | 'value' | 'timestamp'>): MetricBucket {
  const value = numeric(point.value);
  return { step: point.step, last: point.value, min: value, max: value, count: 1, timestamp: point.timestamp };
}

/**
 * Downsamples a metric history the way Trackside's server does: the step range [lo, hi] is cut
 * into `maxBuckets` equal widths; each bucket keeps min and max (NaN ignored), the count, and the
 * value at its last step (the latest timestamp wins on a tie). A whole series with no more points
 * than buckets comes back point by point (`exact`).
 */
export function sampleHistory(
  points: readonly Metric[],
  maxBuckets: number,
  startStep?: number,
  endStep?: number,
): { buckets: MetricBucket[]; exact: boolean; minStep?: number; maxStep?: number } {
  if (points.length === 0) return { buckets: [], exact: true };
  const sorted = [...points].sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
  const minStep = sorted[0].step;
  const maxStep = sorted[sorted.length - 1].step;
  const lo = Math.max(startStep ?? -Infinity, minStep);
  const hi = Math.min(endStep ?? Infinity, maxStep);
  if (lo > hi) return { buckets: [], exact: true, minStep, maxStep };
  const whole = lo <= minStep && hi >= maxStep;
  if (whole && sorted.length <= maxBuckets) return { buckets: sorted.map(pointBucket), exact: true, minStep, maxStep };
  const width = Math.max(1, (hi - lo + 1) / maxBuckets);
  const buckets = new Map<number, MetricBucket>();
  for (const point of sorted) {
    if (point.step < lo || point.step > hi) continue;
    const index = Math.floor((point.step - lo) / width);
    const value = numeric(point.value);
    const bucket = buckets.get(index);
    if (!bucket) {
      buckets.set(index, pointBucket(point));
      continue;
    }
    bucket.count++;
    if (!Number.isNaN(value) && (Number.isNaN(bucket.min) || value < bucket.min)) bucket.min = value;
    if (!Number.isNaN(value) && (Number.isNaN(bucket.max) || value > bucket.max)) bucket.max = value;
    if (point.step > bucket.step || (point.step === bucket.step && point.timestamp >= bucket.timestamp)) {
      bucket.step = point.step;
      bucket.last = point.value;
      bucket.timestamp = point.timestamp;
    }
  }
  const list = [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([, bucket]) => bucket);
  return { buckets: list, exact: list.every((b) => b.count === 1), minStep, maxStep };
}

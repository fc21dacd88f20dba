import type { PointColumns } from './metricChunkCodec';

/** One downsampled bucket of a metric's history: its last point, and min, max and count of its points. */
export interface Bucket {
  step: number;
  last: number;
  min: number;
  max: number;
  count: number;
  timestamp: number;
}

/** Every point as its own bucket (a history short enough to send whole). */
export function exactBuckets(points: PointColumns): Bucket[] {
  const out: Bucket[] = [];
  for (let i = 0; i < points.steps.length; i++) {
    const v = points.values[i];
    out.push({ step: points.steps[i], last: v, min: v, max: v, count: 1, timestamp: points.timestamps[i] });
  }
  return out;
}

/** Merges points and roll-up blocks into buckets (typed arrays: one slot per bucket index). */
export class BucketAccumulator {
  private readonly count: Float64Array;
  private readonly min: Float64Array;
  private readonly max: Float64Array;
  private readonly step: Float64Array;
  private readonly last: Float64Array;
  private readonly timestamp: Float64Array;

  constructor(size: number) {
    this.count = new Float64Array(size);
    this.min = new Float64Array(size).fill(NaN);
    this.max = new Float64Array(size).fill(NaN);
    this.step = new Float64Array(size);
    this.last = new Float64Array(size);
    this.timestamp = new Float64Array(size);
  }

  add(index: number, lastStep: number, lastValue: number, min: number, max: number, count: number, timestamp: number): void {
    if (this.count[index] === 0 || lastStep > this.step[index] || (lastStep === this.step[index] && timestamp >= this.timestamp[index])) {
      this.step[index] = lastStep;
      this.last[index] = lastValue;
      this.timestamp[index] = timestamp;
    }
    this.count[index] += count;
    if (!Number.isNaN(min) && !(min >= this.min[index])) this.min[index] = min;
    if (!Number.isNaN(max) && !(max <= this.max[index])) this.max[index] = max;
  }

  result(): Bucket[] {
    const out: Bucket[] = [];
    for (let i = 0; i < this.count.length; i++) {
      if (this.count[i] === 0) continue;
      out.push({ step: this.step[i], last: this.last[i], min: this.min[i], max: this.max[i], count: this.count[i], timestamp: this.timestamp[i] });
    }
    return out;
  }
}

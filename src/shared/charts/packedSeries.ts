import { emptyColumns, type SeriesColumns } from './seriesColumns';

/**
 * A downsampled series as it travels from the host to a chart webview: typed arrays (VS Code sends
 * ArrayBuffers as binary, not JSON), steps and times as offsets from a base, values as float32 where
 * that loses nothing a chart can show. Series with the same steps or times as an earlier one in the
 * same message (one run's keys logged together, runs of one sweep) refer to it instead of repeating them.
 */
export interface PackedSeries {
  runId: string;
  key: string;
  exact: boolean;
  minStep?: number;
  maxStep?: number;
  length: number;
  stepBase: number;
  /** Step offsets from `stepBase` (Uint32 when they fit, else Float64); absent with `stepsFrom`. */
  steps?: Uint32Array | Float64Array;
  /** Index of an earlier series in the same list whose steps are identical. */
  stepsFrom?: number;
  timeBase: number;
  /** Millisecond offsets from `timeBase`; absent with `timesFrom`. */
  times?: Float32Array | Float64Array;
  timesFrom?: number;
  /** Last value per bucket: float32, or float64 when float32 would overflow or flatten the series. */
  last: Float32Array | Float64Array;
  /** Absent when the series is exact (min = max = last). */
  min?: Float32Array | Float64Array;
  max?: Float32Array | Float64Array;
}

const FLOAT32_MAX = 3.4e38;
const FLOAT32_MIN_NORMAL = 1.18e-38;
/** Float32 keeps ~7 significant digits: a series whose range is below 1e-4 of its magnitude needs float64. */
const FLAT_RATIO = 1e-4;

/** Float32 when it shows the series faithfully, else float64. */
function values(source: Float64Array, companions: readonly Float64Array[] = []): Float32Array | Float64Array {
  let lo = Infinity;
  let hi = -Infinity;
  let magnitude = 0;
  for (const column of [source, ...companions]) {
    for (let i = 0; i < column.length; i++) {
      const v = column[i];
      if (!Number.isFinite(v)) continue;
      const abs = Math.abs(v);
      if (abs > FLOAT32_MAX || (abs !== 0 && abs < FLOAT32_MIN_NORMAL)) return Float64Array.from(source);
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      if (abs > magnitude) magnitude = abs;
    }
  }
  if (magnitude > 0 && hi - lo < magnitude * FLAT_RATIO) return Float64Array.from(source);
  return Float32Array.from(source);
}

function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function fingerprint(column: Float64Array): string {
  const n = column.length;
  return n === 0 ? '0' : `${n}:${column[0]}:${column[n >> 1]}:${column[n - 1]}`;
}

/** Finds an earlier identical column (by fingerprint, then element by element). */
class ColumnIndex {
  private readonly seen = new Map<string, { index: number; column: Float64Array }[]>();

  find(column: Float64Array): number | undefined {
    return this.seen.get(fingerprint(column))?.find((entry) => sameValues(entry.column, column))?.index;
  }

  add(column: Float64Array, index: number): void {
    const key = fingerprint(column);
    const list = this.seen.get(key) ?? [];
    list.push({ index, column });
    this.seen.set(key, list);
  }
}

/** Packs series for a webview message (see `PackedSeries`). */
export function packSeries(list: readonly SeriesColumns[]): PackedSeries[] {
  const stepIndex = new ColumnIndex();
  const timeIndex = new ColumnIndex();
  return list.map((series, index) => {
    const n = series.steps.length;
    const stepBase = n > 0 ? series.steps[0] : 0;
    const timeBase = n > 0 ? series.times[0] : 0;
    const packed: PackedSeries = { runId: series.runId, key: series.key, exact: series.exact, length: n, stepBase, timeBase, last: values(series.last) };
    if (series.minStep !== undefined) packed.minStep = series.minStep;
    if (series.maxStep !== undefined) packed.maxStep = series.maxStep;
    const sameSteps = stepIndex.find(series.steps);
    if (sameSteps !== undefined) packed.stepsFrom = sameSteps;
    else {
      stepIndex.add(series.steps, index);
      let fitsUint32 = true;
      for (let i = 0; i < n && fitsUint32; i++) {
        const offset = series.steps[i] - stepBase;
        fitsUint32 = Number.isInteger(offset) && offset >= 0 && offset < 2 ** 32;
      }
      packed.steps = fitsUint32 ? Uint32Array.from(series.steps, (s) => s - stepBase) : Float64Array.from(series.steps, (s) => s - stepBase);
    }
    const sameTimes = timeIndex.find(series.times);
    if (sameTimes !== undefined) packed.timesFrom = sameTimes;
    else {
      timeIndex.add(series.times, index);
      packed.times = Float32Array.from(series.times, (t) => t - timeBase);
    }
    if (!series.exact || !sameValues(series.min, series.last) || !sameValues(series.max, series.last)) {
      packed.min = values(series.min, [series.max]);
      packed.max = values(series.max, [series.min]);
    }
    return packed;
  });
}

/** The columns of packed series (references resolved; values widened back to float64). */
export function unpackSeries(list: readonly PackedSeries[]): SeriesColumns[] {
  const out: SeriesColumns[] = [];
  list.forEach((packed) => {
    const series = emptyColumns(packed.runId, packed.key, packed.length, packed.exact);
    if (packed.minStep !== undefined) series.minStep = packed.minStep;
    if (packed.maxStep !== undefined) series.maxStep = packed.maxStep;
    if (packed.stepsFrom !== undefined) series.steps.set(out[packed.stepsFrom].steps);
    else if (packed.steps) for (let i = 0; i < packed.length; i++) series.steps[i] = packed.stepBase + packed.steps[i];
    if (packed.timesFrom !== undefined) series.times.set(out[packed.timesFrom].times);
    else if (packed.times) for (let i = 0; i < packed.length; i++) series.times[i] = packed.timeBase + packed.times[i];
    series.last.set(packed.last);
    series.min.set(packed.min ?? packed.last);
    series.max.set(packed.max ?? packed.last);
    out.push(series);
  });
  return out;
}

/** Bytes a message of packed series takes: typed-array payloads plus the JSON of the rest. */
export function packedBytes(list: readonly PackedSeries[]): number {
  let bytes = 2;
  for (const packed of list) {
    const arrays = [packed.steps, packed.times, packed.last, packed.min, packed.max];
    for (const array of arrays) if (array) bytes += array.byteLength;
    const header = { ...packed, steps: undefined, times: undefined, last: undefined, min: undefined, max: undefined };
    bytes += JSON.stringify(header).length + 1;
  }
  return bytes;
}

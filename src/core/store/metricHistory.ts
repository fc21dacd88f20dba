import type { Database } from './database';
import { BucketAccumulator, exactBuckets, type Bucket } from './metricBuckets';
import {
  ChunkScratch,
  ROLLUP_BLOCK,
  ROLLUP_FIELDS,
  buildRollup,
  compareValues,
  decodeInto,
  decodePoints,
  emptyColumns,
  encodePoints,
  rollupFromBytes,
  rollupToBytes,
  sortPoints,
  type PointColumns,
} from './metricChunkCodec';

/** Points per sealed chunk. */
export const CHUNK_SIZE = 1024;

/** One validated point, ready to store (±Infinity already clamped, NaN kept). */
export interface MetricPoint {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

/** The in-memory state of a series touched since the last checkpoint. */
interface SeriesState {
  seriesId: number;
  count: number;
  min: number | null;
  max: number | null;
  lastValue: number;
  lastStep: number;
  lastTimestamp: number;
  hasLast: boolean;
  minStep: number | null;
  maxStep: number | null;
  sealedMaxStep: number | null;
  /** The unsealed tail, loaded on first use. */
  tail?: PointColumns;
  tailDirty: boolean;
}

/**
 * Metric history in packed chunks with an unsealed tail per series (see `metricChunkCodec`).
 * Tails live in memory between checkpoints — the journal makes them durable — and are written to
 * `metric_tails` by `flush()` before the database is exported.
 */
export class MetricHistory {
  private readonly keyIds = new Map<string, number>();
  private readonly series = new Map<string, SeriesState>();
  /** Where downsampling decodes chunks (reused: reads are synchronous). */
  private readonly scratch = new ChunkScratch();

  constructor(private readonly db: Database) {}

  keyId(key: string, create: boolean): number | undefined {
    let id = this.keyIds.get(key);
    if (id !== undefined) return id;
    id = this.db.scalar<number>('SELECT key_id FROM metric_keys WHERE key = ?', [key]);
    if (id === undefined && create) {
      this.db.run('INSERT INTO metric_keys(key) VALUES (?)', [key]);
      id = this.db.lastInsertRowId();
    }
    if (id !== undefined) this.keyIds.set(key, id);
    return id;
  }

  /** Appends points to one run, skipping exact duplicates (same key, step, timestamp, value). */
  append(runInt: number, points: readonly MetricPoint[]): void {
    const byKey = new Map<string, MetricPoint[]>();
    for (const p of points) {
      const list = byKey.get(p.key);
      if (list) list.push(p);
      else byKey.set(p.key, [p]);
    }
    for (const [key, list] of byKey) this.appendSeries(runInt, key, list);
  }

  private appendSeries(runInt: number, key: string, points: MetricPoint[]): void {
    const state = this.state(runInt, key, true)!;
    const tail = this.loadTail(state);
    // Points at or before the newest step may repeat stored ones (a retried batch, two clients):
    // look them up in one set built from the tail and the chunks they fall in, once per call.
    const maxStep = state.maxStep;
    const seen = maxStep !== null && points.some((p) => p.step <= maxStep) ? this.existingPoints(state, tail, points) : undefined;
    let added = 0;
    for (const p of points) {
      if (seen) {
        const id = pointId(p.step, p.timestamp, p.value);
        if (seen.has(id)) continue;
        seen.add(id);
      }
      tail.steps.push(p.step);
      tail.timestamps.push(p.timestamp);
      tail.values.push(p.value);
      added++;
      this.updateSummary(state, p);
    }
    if (added === 0) return;
    state.tailDirty = true;
    while (tail.values.length >= CHUNK_SIZE) this.seal(state, tail);
    this.db.run(
      `UPDATE metric_series SET count = ?, min_value = ?, max_value = ?, last_value = ?, last_is_nan = ?,
         last_step = ?, last_timestamp = ?, min_step = ?, max_step = ?, sealed_max_step = ? WHERE series_id = ?`,
      [
        state.count,
        state.min,
        state.max,
        Number.isNaN(state.lastValue) ? 0 : state.lastValue,
        Number.isNaN(state.lastValue) ? 1 : 0,
        state.lastStep,
        state.lastTimestamp,
        state.minStep,
        state.maxStep,
        state.sealedMaxStep,
        state.seriesId,
      ],
    );
  }

  private updateSummary(state: SeriesState, p: MetricPoint): void {
    state.count++;
    if (!Number.isNaN(p.value)) {
      if (state.min === null || p.value < state.min) state.min = p.value;
      if (state.max === null || p.value > state.max) state.max = p.value;
    }
    if (state.minStep === null || p.step < state.minStep) state.minStep = p.step;
    if (state.maxStep === null || p.step > state.maxStep) state.maxStep = p.step;
    if (
      !state.hasLast ||
      p.step > state.lastStep ||
      (p.step === state.lastStep &&
        (p.timestamp > state.lastTimestamp || (p.timestamp === state.lastTimestamp && compareValues(p.value, state.lastValue) > 0)))
    ) {
      state.lastValue = p.value;
      state.lastStep = p.step;
      state.lastTimestamp = p.timestamp;
      state.hasLast = true;
    }
  }

  /** Ids of the stored points a new batch could repeat: the tail, and sealed chunks covering its old steps. */
  private existingPoints(state: SeriesState, tail: PointColumns, points: MetricPoint[]): Set<string> {
    const seen = new Set<string>();
    for (let i = 0; i < tail.steps.length; i++) seen.add(pointId(tail.steps[i], tail.timestamps[i], tail.values[i]));
    const sealedMax = state.sealedMaxStep;
    if (sealedMax === null) return seen;
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of points) {
      if (p.step <= sealedMax) {
        lo = Math.min(lo, p.step);
        hi = Math.max(hi, p.step);
      }
    }
    if (lo > hi) return seen;
    this.db.each(
      'SELECT data FROM metric_chunks WHERE series_id = ? AND first_step <= ? AND last_step >= ?',
      [state.seriesId, hi, lo],
      ([data]) => {
        const cols = decodePoints(data as Uint8Array);
        for (let i = 0; i < cols.steps.length; i++) {
          if (cols.steps[i] >= lo && cols.steps[i] <= hi) seen.add(pointId(cols.steps[i], cols.timestamps[i], cols.values[i]));
        }
      },
    );
    return seen;
  }

  private seal(state: SeriesState, tail: PointColumns): void {
    sortPoints(tail);
    const chunk: PointColumns = {
      steps: tail.steps.slice(0, CHUNK_SIZE),
      timestamps: tail.timestamps.slice(0, CHUNK_SIZE),
      values: tail.values.slice(0, CHUNK_SIZE),
    };
    tail.steps.splice(0, CHUNK_SIZE);
    tail.timestamps.splice(0, CHUNK_SIZE);
    tail.values.splice(0, CHUNK_SIZE);
    const first = chunk.steps[0];
    const last = chunk.steps[chunk.steps.length - 1];
    this.db.run(
      'INSERT INTO metric_chunks(series_id, first_step, last_step, point_count, data, rollup) VALUES (?, ?, ?, ?, ?, ?)',
      [state.seriesId, first, last, chunk.steps.length, encodePoints(chunk), rollupToBytes(buildRollup(chunk))],
    );
    state.sealedMaxStep = state.sealedMaxStep === null ? last : Math.max(state.sealedMaxStep, last);
  }

  private state(runInt: number, key: string, create: boolean): SeriesState | undefined {
    const keyId = this.keyId(key, create);
    if (keyId === undefined) return undefined;
    const cacheKey = `${runInt}:${keyId}`;
    let state = this.series.get(cacheKey);
    if (state) return state;
    const row = this.db.get<{
      series_id: number; count: number; min_value: number | null; max_value: number | null; last_value: number;
      last_is_nan: number; last_step: number; last_timestamp: number; min_step: number | null; max_step: number | null;
      sealed_max_step: number | null;
    }>('SELECT * FROM metric_series WHERE run_int = ? AND key_id = ?', [runInt, keyId]);
    if (!row && !create) return undefined;
    if (row) {
      state = {
        seriesId: row.series_id,
        count: row.count,
        min: row.min_value,
        max: row.max_value,
        lastValue: row.last_is_nan ? NaN : row.last_value,
        lastStep: row.last_step,
        lastTimestamp: row.last_timestamp,
        hasLast: row.count > 0,
        minStep: row.min_step,
        maxStep: row.max_step,
        sealedMaxStep: row.sealed_max_step,
        tailDirty: false,
      };
    } else {
      this.db.run('INSERT INTO metric_series(run_int, key_id) VALUES (?, ?)', [runInt, keyId]);
      state = {
        seriesId: this.db.lastInsertRowId(),
        count: 0, min: null, max: null, lastValue: 0, lastStep: 0, lastTimestamp: 0, hasLast: false,
        minStep: null, maxStep: null, sealedMaxStep: null, tail: emptyColumns(), tailDirty: false,
      };
    }
    this.series.set(cacheKey, state);
    return state;
  }

  private loadTail(state: SeriesState): PointColumns {
    if (!state.tail) {
      const data = this.db.scalar<Uint8Array>('SELECT data FROM metric_tails WHERE series_id = ?', [state.seriesId]);
      state.tail = data ? decodePoints(data) : emptyColumns();
    }
    return state.tail;
  }

  /** Writes every dirty tail into `metric_tails` and forgets the cached series (before an export). */
  flush(): void {
    this.db.transaction(() => {
      for (const state of this.series.values()) {
        if (!state.tailDirty || !state.tail) continue;
        if (state.tail.values.length === 0) {
          this.db.run('DELETE FROM metric_tails WHERE series_id = ?', [state.seriesId]);
        } else {
          sortPoints(state.tail);
          this.db.run('INSERT OR REPLACE INTO metric_tails(series_id, data) VALUES (?, ?)', [
            state.seriesId,
            encodePoints(state.tail),
          ]);
        }
        state.tailDirty = false;
      }
    });
    this.series.clear();
  }

  /** Forgets cached state (after a rollback the cache may be ahead of the database). */
  reset(): void {
    this.series.clear();
    this.keyIds.clear();
  }

  seriesId(runInt: number, key: string): number | undefined {
    const keyId = this.keyId(key, false);
    if (keyId === undefined) return undefined;
    return this.db.scalar<number>('SELECT series_id FROM metric_series WHERE run_int = ? AND key_id = ?', [runInt, keyId]);
  }

  /** Every point of a series in (step, timestamp) order, optionally within a step range. */
  points(runInt: number, key: string, fromStep = -Infinity, toStep = Infinity): PointColumns {
    const cached = this.cachedState(runInt, key);
    const seriesId = cached?.seriesId ?? this.seriesId(runInt, key);
    const out = emptyColumns();
    if (seriesId === undefined) return out;
    const lo = Number.isFinite(fromStep) ? fromStep : -Number.MAX_VALUE;
    const hi = Number.isFinite(toStep) ? toStep : Number.MAX_VALUE;
    let previousLast = -Infinity;
    let overlapping = false;
    const collected = emptyColumns();
    this.db.each(
      'SELECT first_step, last_step, data FROM metric_chunks WHERE series_id = ? AND last_step >= ? AND first_step <= ? ORDER BY first_step',
      [seriesId, lo, hi],
      (row) => {
        if ((row[0] as number) < previousLast) overlapping = true;
        previousLast = Math.max(previousLast, row[1] as number);
        decodePoints(row[2] as Uint8Array, collected);
      },
    );
    const tail = cached?.tail ?? this.storedTail(seriesId);
    if (tail.values.length > 0) {
      const sortedTail: PointColumns = { steps: [...tail.steps], timestamps: [...tail.timestamps], values: [...tail.values] };
      sortPoints(sortedTail);
      if (sortedTail.steps[0] < previousLast) overlapping = true;
      collected.steps.push(...sortedTail.steps);
      collected.timestamps.push(...sortedTail.timestamps);
      collected.values.push(...sortedTail.values);
    }
    if (overlapping) sortPoints(collected);
    for (let i = 0; i < collected.steps.length; i++) {
      const s = collected.steps[i];
      if (s < lo || s > hi) continue;
      out.steps.push(s);
      out.timestamps.push(collected.timestamps[i]);
      out.values.push(collected.values[i]);
    }
    return out;
  }

  /**
   * Downsamples a series to at most `maxBuckets` buckets over [fromStep, toStep], keeping each
   * bucket's min, max and last value. Sealed chunks are read through their roll-ups where a whole
   * 64-point block falls inside one bucket, so a full-range read costs O(buckets), not O(points).
   */
  downsample(
    runInt: number,
    key: string,
    fromStep: number,
    toStep: number,
    maxBuckets: number,
  ): { buckets: Bucket[]; exact: boolean; minStep?: number; maxStep?: number } {
    const cached = this.cachedState(runInt, key);
    const seriesId = cached?.seriesId ?? this.seriesId(runInt, key);
    if (seriesId === undefined) return { buckets: [], exact: true };
    const range = this.db.get<{ count: number; min_step: number | null; max_step: number | null }>(
      'SELECT count, min_step, max_step FROM metric_series WHERE series_id = ?',
      [seriesId],
    );
    // The whole series' step range comes with the buckets (callers show it beside a zoomed range).
    const steps: { minStep?: number; maxStep?: number } = {};
    if (range?.min_step != null) steps.minStep = range.min_step;
    if (range?.max_step != null) steps.maxStep = range.max_step;
    if (!range || range.count === 0 || range.min_step === null || range.max_step === null) return { buckets: [], exact: true, ...steps };
    const lo = Math.max(fromStep, range.min_step);
    const hi = Math.min(toStep, range.max_step);
    if (lo > hi) return { buckets: [], exact: true, ...steps };
    const wholeSeries = lo <= range.min_step && hi >= range.max_step;
    if (wholeSeries && range.count <= maxBuckets) return { buckets: exactBuckets(this.points(runInt, key)), exact: true, ...steps };
    const width = Math.max(1, (hi - lo + 1) / maxBuckets);
    const bucketOf = (step: number): number => Math.floor((step - lo) / width);
    // The first (integer) step past `bucket`: steps are integers and `bucketOf` never decreases,
    // so a run of sorted points is split at this edge without a division per point.
    const edgeAfter = (bucket: number): number => {
      let edge = Math.ceil(lo + (bucket + 1) * width);
      while (bucketOf(edge - 1) > bucket) edge--;
      while (bucketOf(edge) <= bucket) edge++;
      return edge;
    };
    const acc = new BucketAccumulator(bucketOf(hi) + 1);
    const scratch = this.scratch;
    // Points [from, to) of a chunk decoded in `scratch`. A chunk is sorted by (step, timestamp,
    // value), so each bucket's points are consecutive: one min/max scan per run of them, and its
    // last point is the bucket's latest.
    const addPoints = (from: number, to: number): void => {
      const { steps, timestamps, values } = scratch;
      let i = from;
      while (i < to) {
        const first = steps[i];
        if (first < lo || first > hi) {
          i++;
          continue;
        }
        const bucket = bucketOf(first);
        const edge = Math.min(edgeAfter(bucket), hi + 1);
        let min = Infinity;
        let max = -Infinity;
        let j = i;
        for (; j < to; j++) {
          const step = steps[j];
          if (step >= edge) break;
          const v = values[j];
          if (v < min) min = v;
          if (v > max) max = v;
        }
        acc.add(bucket, steps[j - 1], values[j - 1], min === Infinity ? NaN : min, max === -Infinity ? NaN : max, j - i, timestamps[j - 1]);
        i = j;
      }
    };
    // Buckets narrower than about two roll-up blocks leave most blocks across a bucket edge: read
    // every point. Wider ones: read a chunk's points only when a block needs them,
    // so chunks whose blocks all fall inside buckets are answered by their roll-ups alone.
    const stepsPerBlock = ((range.max_step - range.min_step + 1) / range.count) * ROLLUP_BLOCK;
    const eager = width < 2 * stepsPerBlock;
    const chunkRange = 'FROM metric_chunks WHERE series_id = ? AND last_step >= ? AND first_step <= ? ORDER BY first_step';
    if (eager) {
      // Every point is read anyway: no roll-up.
      this.db.each(`SELECT data ${chunkRange}`, [seriesId, lo, hi], (row) => addPoints(0, decodeInto(row[0] as Uint8Array, scratch)));
    } else {
      this.db.each(`SELECT chunk_id, rollup ${chunkRange}`, [seriesId, lo, hi], (row) => {
        const rollup = rollupFromBytes(row[1] as Uint8Array);
        // The chunk's points are decoded once, at its first block that needs them (one not wholly
        // inside one bucket); each run of such blocks is then added point by point.
        let decoded = false;
        let pendingFrom = -1;
        let start = 0;
        const flush = (): void => {
          if (!decoded) decodeInto(this.db.scalar('SELECT data FROM metric_chunks WHERE chunk_id = ?', [row[0]]) as Uint8Array, scratch);
          decoded = true;
          addPoints(pendingFrom, start);
          pendingFrom = -1;
        };
        for (let o = 0; o < rollup.length; o += ROLLUP_FIELDS) {
          const first = rollup[o];
          const last = rollup[o + 1];
          const count = rollup[o + 2];
          const whole = first >= lo && last <= hi && bucketOf(first) === bucketOf(last);
          const needed = !whole && last >= lo && first <= hi;
          if (needed && pendingFrom < 0) pendingFrom = start;
          if (!needed && pendingFrom >= 0) flush();
          if (whole) acc.add(bucketOf(last), last, rollup[o + 5], rollup[o + 3], rollup[o + 4], count, rollup[o + 6]);
          start += count;
        }
        if (pendingFrom >= 0) flush();
      });
    }
    // The unsealed tail, in the order it was logged (not sorted): point by point.
    const addPoint = (s: number, v: number, t: number): void => {
      if (s >= lo && s <= hi) acc.add(bucketOf(s), s, v, v, v, 1, t);
    };
    const tail = cached?.tail;
    if (tail) for (let i = 0; i < tail.steps.length; i++) addPoint(tail.steps[i], tail.values[i], tail.timestamps[i]);
    else {
      const data = this.db.scalar<Uint8Array>('SELECT data FROM metric_tails WHERE series_id = ?', [seriesId]);
      const n = data ? decodeInto(data, scratch) : 0;
      for (let i = 0; i < n; i++) addPoint(scratch.steps[i], scratch.values[i], scratch.timestamps[i]);
    }
    const buckets = acc.result();
    return { buckets, exact: buckets.every((b) => b.count === 1), ...steps };
  }

  /** Drops everything stored for these runs (permanent deletion). */
  purgeRuns(runInts: readonly number[]): void {
    for (const runInt of runInts) {
      this.db.run('DELETE FROM metric_chunks WHERE series_id IN (SELECT series_id FROM metric_series WHERE run_int = ?)', [runInt]);
      this.db.run('DELETE FROM metric_tails WHERE series_id IN (SELECT series_id FROM metric_series WHERE run_int = ?)', [runInt]);
      this.db.run('DELETE FROM metric_series WHERE run_int = ?', [runInt]);
      for (const cacheKey of [...this.series.keys()]) if (cacheKey.startsWith(`${runInt}:`)) this.series.delete(cacheKey);
    }
  }

  private cachedState(runInt: number, key: string): SeriesState | undefined {
    const keyId = this.keyIds.get(key) ?? this.keyId(key, false);
    return keyId === undefined ? undefined : this.series.get(`${runInt}:${keyId}`);
  }

  private storedTail(seriesId: number): PointColumns {
    const data = this.db.scalar<Uint8Array>('SELECT data FROM metric_tails WHERE series_id = ?', [seriesId]);
    return data ? decodePoints(data) : emptyColumns();
  }

}

/** Identity of a point for duplicate detection (MLflow treats equal step, timestamp and value as one). */
function pointId(step: number, timestamp: number, value: number): string {
  return `${step}:${timestamp}:${Number.isNaN(value) ? 'NaN' : value}`;
}

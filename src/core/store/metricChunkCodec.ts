/**
 * Packed metric points: the byte format of `metric_chunks.data` and `metric_tails.data`.
 *
 *   u32 count | u32 reserved | f64 values[count] | varint steps[count] | varint timestamps[count]
 *
 * Steps and timestamps are zigzag varints of the difference to the previous point (the first is
 * absolute), so a regular series costs ~1 byte a step and ~1–2 bytes a timestamp; values stay raw
 * doubles (NaN kept). A chunk also has a roll-up: per block of ROLLUP_BLOCK points,
 * [firstStep, lastStep, count, min, max, lastValue, lastTimestamp] as doubles.
 */

export const ROLLUP_BLOCK = 64;
export const ROLLUP_FIELDS = 7;

/** Points of one series in columnar form. */
export interface PointColumns {
  steps: number[];
  timestamps: number[];
  values: number[];
}

export function emptyColumns(): PointColumns {
  return { steps: [], timestamps: [], values: [] };
}

/** Byte writer growing as needed. */
class ByteWriter {
  private buf: Uint8Array;
  length = 0;
  constructor(capacity: number) {
    this.buf = new Uint8Array(Math.max(16, capacity));
  }
  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + extra));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  varint(value: number): void {
    // zigzag without 32-bit operators: exact for |value| < 2^52
    let v = value >= 0 ? value * 2 : -value * 2 - 1;
    this.ensure(10);
    while (v >= 128) {
      this.buf[this.length++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.length++] = v;
  }
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }
}

/** Encodes points (already sorted by step, then timestamp) into the packed format. */
export function encodePoints(points: PointColumns): Uint8Array {
  const n = points.values.length;
  const writer = new ByteWriter(8 + n * 11);
  const header = new Uint8Array(8);
  new DataView(header.buffer).setUint32(0, n, true);
  writer.raw(header);
  writer.raw(new Uint8Array(Float64Array.from(points.values).buffer));
  let previous = 0;
  for (let i = 0; i < n; i++) {
    writer.varint(points.steps[i] - previous);
    previous = points.steps[i];
  }
  previous = 0;
  for (let i = 0; i < n; i++) {
    writer.varint(points.timestamps[i] - previous);
    previous = points.timestamps[i];
  }
  return writer.bytes().slice();
}

/** Decodes the packed format; appends into `into` when given (merging several chunks cheaply). */
export function decodePoints(data: Uint8Array, into: PointColumns = emptyColumns()): PointColumns {
  const n = decodeInto(data, sharedScratch);
  const { steps, timestamps, values } = sharedScratch;
  for (let i = 0; i < n; i++) {
    into.steps.push(steps[i]);
    into.timestamps.push(timestamps[i]);
    into.values.push(values[i]);
  }
  return into;
}

/** Reusable typed columns a packed blob is decoded into (grown as needed, never shrunk). */
export class ChunkScratch {
  steps = new Float64Array(1024);
  timestamps = new Float64Array(1024);
  values = new Float64Array(1024);

  ensure(n: number): void {
    if (n <= this.steps.length) return;
    const size = Math.max(n, this.steps.length * 2);
    this.steps = new Float64Array(size);
    this.timestamps = new Float64Array(size);
    this.values = new Float64Array(size);
  }
}

/** `decodePoints`' columns (decoding is synchronous, so one set serves every call). */
const sharedScratch = new ChunkScratch();

/**
 * Decodes a packed blob into `scratch`'s typed columns without allocating (the downsampling hot
 * path: each chunk is decoded at most once per read); returns the number of points.
 */
export function decodeInto(data: Uint8Array, scratch: ChunkScratch): number {
  if (data.length < 8) throw new Error('metric chunk too short');
  const n = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0, true);
  const valuesEnd = 8 + n * 8;
  if (valuesEnd > data.length) throw new Error('metric chunk truncated');
  scratch.ensure(n);
  const values = scratch.values;
  if ((data.byteOffset + 8) % 8 === 0) values.set(new Float64Array(data.buffer, data.byteOffset + 8, n));
  else values.set(new Float64Array(data.slice(8, valuesEnd).buffer, 0, n));
  const stepsEnd = decodeDeltas(data, valuesEnd, n, scratch.steps);
  decodeDeltas(data, stepsEnd, n, scratch.timestamps);
  return n;
}

/** Reads `n` zigzag varint deltas from `pos` into `out` as running sums; returns the position after them. */
function decodeDeltas(data: Uint8Array, pos: number, n: number, out: Float64Array): number {
  const end = data.length;
  let previous = 0;
  for (let i = 0; i < n; i++) {
    if (pos >= end) throw new Error('metric chunk truncated');
    let byte = data[pos++];
    if (byte < 128) {
      // One byte (a regular series' steps and most timestamps): zigzag with integer operators.
      previous += (byte >>> 1) ^ -(byte & 1);
      out[i] = previous;
      continue;
    }
    let result = byte & 127;
    let scale = 128;
    for (;;) {
      if (pos >= end) throw new Error('metric chunk truncated');
      byte = data[pos++];
      result += (byte & 127) * scale;
      if (byte < 128) break;
      scale *= 128;
    }
    previous += result < 0x80000000 ? (result >>> 1) ^ -(result & 1) : result % 2 === 0 ? result / 2 : -(result + 1) / 2;
    out[i] = previous;
  }
  return pos;
}

/** The number of points in a packed blob, without decoding it. */
export function packedCount(data: Uint8Array): number {
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0, true);
}

/** Roll-up of sorted points: one record of ROLLUP_FIELDS doubles per ROLLUP_BLOCK points. */
export function buildRollup(points: PointColumns): Float64Array {
  const n = points.values.length;
  const blocks = Math.ceil(n / ROLLUP_BLOCK);
  const out = new Float64Array(blocks * ROLLUP_FIELDS);
  for (let b = 0; b < blocks; b++) {
    const start = b * ROLLUP_BLOCK;
    const end = Math.min(n, start + ROLLUP_BLOCK);
    let min = Infinity;
    let max = -Infinity;
    for (let i = start; i < end; i++) {
      const v = points.values[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const o = b * ROLLUP_FIELDS;
    out[o] = points.steps[start];
    out[o + 1] = points.steps[end - 1];
    out[o + 2] = end - start;
    out[o + 3] = min === Infinity ? NaN : min;
    out[o + 4] = max === -Infinity ? NaN : max;
    out[o + 5] = points.values[end - 1];
    out[o + 6] = points.timestamps[end - 1];
  }
  return out;
}

export function rollupToBytes(rollup: Float64Array): Uint8Array {
  return new Uint8Array(rollup.buffer, rollup.byteOffset, rollup.byteLength).slice();
}

export function rollupFromBytes(bytes: Uint8Array): Float64Array {
  return new Float64Array(bytes.slice().buffer);
}

/** Sorts columns by (step, timestamp, value) in place, keeping the three arrays aligned. */
export function sortPoints(points: PointColumns): void {
  const n = points.values.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) {
    if (comparePoints(points, i - 1, i) > 0) sorted = false;
  }
  if (sorted) return;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => comparePoints(points, a, b));
  const steps = order.map((i) => points.steps[i]);
  const timestamps = order.map((i) => points.timestamps[i]);
  const values = order.map((i) => points.values[i]);
  points.steps = steps;
  points.timestamps = timestamps;
  points.values = values;
}

function comparePoints(p: PointColumns, a: number, b: number): number {
  return (
    p.steps[a] - p.steps[b] ||
    p.timestamps[a] - p.timestamps[b] ||
    compareValues(p.values[a], p.values[b])
  );
}

/** NaN sorts after every number so that duplicates compare equal. */
export function compareValues(a: number, b: number): number {
  const aNaN = Number.isNaN(a);
  const bNaN = Number.isNaN(b);
  if (aNaN || bNaN) return aNaN === bNaN ? 0 : aNaN ? 1 : -1;
  return a - b;
}

import fs from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import type { TrackingClient } from '../../../src/core/client/trackingClient';
import type { Run } from '../../../src/shared/entities';
import { SeededRandom } from './seededRandom';

/** Writes a CSV file from a header and rows. */
export function writeCsv(file: string, header: string[], rows: (string | number)[][]): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const quote = (value: string | number): string => {
    const text = String(value);
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  fs.writeFileSync(file, [header, ...rows].map((row) => row.map(quote).join(',')).join('\n') + '\n');
  return file;
}

/**
 * A reference and a current dataset in `folder`: `age` and `region` stable, `income` shifted by
 * two standard deviations, `plan` with its mix changed, `score` gaining 30% nulls.
 */
export function customerFiles(folder: string, rows = 2000): { reference: string; current: string } {
  const make = (seed: number, shifted: boolean): (string | number)[][] => {
    const random = new SeededRandom(seed);
    return Array.from({ length: rows }, () => [
      Math.round(random.normal(40, 10)),
      random.pick(['north', 'south', 'east'], [1, 1, 1]),
      Math.round(random.normal(shifted ? 70_000 : 50_000, 10_000)),
      random.pick(['basic', 'pro'], shifted ? [0.3, 0.7] : [0.7, 0.3]),
      shifted && random.next() < 0.3 ? '' : random.normal(0.5, 0.1).toFixed(3),
    ]);
  };
  const header = ['age', 'region', 'income', 'plan', 'score'];
  return {
    reference: writeCsv(path.join(folder, 'reference.csv'), header, make(1, false)),
    current: writeCsv(path.join(folder, 'current.csv'), header, make(2, true)),
  };
}

export interface DecodedPng {
  width: number;
  height: number;
  /** RGB bytes, rows top to bottom. */
  pixels: Buffer;
  chunkTypes: string[];
}

/** Reads an 8-bit RGB, non-interlaced PNG whose scanlines all use filter 0 (what `encodePng` writes). */
export function decodePng(bytes: Buffer): DecodedPng {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!bytes.subarray(0, 8).equals(signature)) throw new Error('not a PNG signature');
  let offset = 8;
  let width = 0;
  let height = 0;
  const data: Buffer[] = [];
  const chunkTypes: string[] = [];
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('ascii', offset + 4, offset + 8);
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    chunkTypes.push(type);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      if (body[8] !== 8 || body[9] !== 2) throw new Error('expected 8-bit RGB');
    } else if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * 3;
  if (raw.length !== (stride + 1) * height) throw new Error(`IDAT holds ${raw.length} bytes, expected ${(stride + 1) * height}`);
  const pixels = Buffer.alloc(stride * height);
  for (let row = 0; row < height; row++) {
    if (raw[row * (stride + 1)] !== 0) throw new Error(`row ${row} uses filter ${raw[row * (stride + 1)]}`);
    raw.copy(pixels, row * stride, row * (stride + 1) + 1, (row + 1) * (stride + 1));
  }
  return { width, height, pixels, chunkTypes };
}

/** How many pixels have exactly this colour. */
export function countColor(png: DecodedPng, color: readonly [number, number, number]): number {
  let count = 0;
  for (let offset = 0; offset < png.pixels.length; offset += 3) {
    if (png.pixels[offset] === color[0] && png.pixels[offset + 1] === color[1] && png.pixels[offset + 2] === color[2]) count++;
  }
  return count;
}

/** A run's tags, params and latest metrics as plain records. */
export function runRecords(run: Run): { tags: Record<string, string>; params: Record<string, string>; metrics: Record<string, number> } {
  return {
    tags: Object.fromEntries((run.data.tags ?? []).map((tag) => [tag.key, tag.value])),
    params: Object.fromEntries((run.data.params ?? []).map((param) => [param.key, param.value])),
    metrics: Object.fromEntries((run.data.metrics ?? []).map((metric) => [metric.key, Number(metric.value)])),
  };
}

/** Logs a run with some metrics (its latest values) and tags, in an experiment created by name when missing. */
export async function logRun(
  client: TrackingClient,
  experimentName: string,
  metrics: Record<string, number>,
  tags: Record<string, string> = {},
): Promise<{ runId: string; experimentId: string }> {
  const experimentId = (await client.experiments.getByName(experimentName))?.experiment_id ?? (await client.experiments.create(experimentName));
  const run = await client.runs.create({ experimentId, runName: `run-${Object.keys(metrics).join('-')}`, tags });
  await client.runs.logBatch(run.info.run_id, { metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, step: 0 })) });
  return { runId: run.info.run_id, experimentId };
}

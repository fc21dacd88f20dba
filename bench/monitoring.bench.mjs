// Monitoring figures: a drift check of two generated 1M-row × 20-column CSVs, logged as a run (the
// Monitoring issue's target: ≤ 10 s). Reference: reading both files with the same CSV reader and
// nothing else (no profiling, no statistics, no run), measured in this same run.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileSizeMb, load, log, now, report, rssMb, tempDir } from './benchUtil.mjs';

const { StoreBackend } = load('src/core/store/storeBackend');
const { TrackingServer } = load('src/core/server/trackingServer');
const { TrackingClient } = load('src/core/client/trackingClient');
const { openCsv } = load('src/core/data/csvReader');
const { runDriftCheck } = load('src/core/monitoring/driftRun');

const ROWS = Number(process.env.BENCH_DRIFT_ROWS ?? 1_000_000);
const NUMERIC = 14;
const INTEGERS = 3;
const CATEGORIES = [['north', 'south', 'east', 'west'], ['basic', 'standard', 'premium'], Array.from({ length: 40 }, (_, i) => `segment-${i}`)];

/** xorshift32: reproducible data without Math.random. */
function random(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}

/** 14 normal floats, 3 small integers, 3 categorical columns; `shifted` moves 3 numeric columns, an integer one and a category mix. */
function writeDataset(file, seed, shifted) {
  const next = random(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const header = [
    ...Array.from({ length: NUMERIC }, (_, i) => `x${i}`),
    ...Array.from({ length: INTEGERS }, (_, i) => `n${i}`),
    'region', 'plan', 'segment',
  ];
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, header.join(',') + '\n');
  const chunkRows = 20_000;
  for (let start = 0; start < ROWS; start += chunkRows) {
    const lines = [];
    for (let row = start; row < Math.min(ROWS, start + chunkRows); row++) {
      const fields = [];
      for (let c = 0; c < NUMERIC; c++) {
        const shift = shifted && c < 3 ? 0.3 * (c + 1) : 0;
        fields.push((normal() * (10 + c) + 100 * c + shift * (10 + c)).toFixed(4));
      }
      for (let c = 0; c < INTEGERS; c++) fields.push(String(Math.floor(next() * (shifted && c === 0 ? 12 : 10))));
      fields.push(CATEGORIES[0][Math.floor(next() * 4)]);
      const plan = next();
      fields.push(CATEGORIES[1][plan < (shifted ? 0.3 : 0.5) ? 0 : plan < 0.85 ? 1 : 2]);
      fields.push(CATEGORIES[2][Math.floor(next() * 40)]);
      lines.push(fields.join(','));
    }
    fs.writeSync(fd, lines.join('\n') + '\n');
  }
  fs.closeSync(fd);
}

async function readOnly(file) {
  const table = await openCsv(file);
  let rows = 0;
  for await (const batch of table.batches) rows += batch.length;
  return rows;
}

const dir = tempDir('drift');
const referenceFile = path.join(dir, 'reference.csv');
const currentFile = path.join(dir, 'current.csv');
let t0 = now();
writeDataset(referenceFile, 11, false);
writeDataset(currentFile, 12, true);
log(`generated 2 × ${ROWS.toLocaleString('en-US')} rows × 20 columns (${fileSizeMb(referenceFile).toFixed(0)} + ${fileSizeMb(currentFile).toFixed(0)} MB) in ${((now() - t0) / 1000).toFixed(1)} s`);

// Reference first: the same reader, every row of both files, nothing else.
t0 = now();
const readRows = (await readOnly(referenceFile)) + (await readOnly(currentFile));
const readSeconds = (now() - t0) / 1000;
log(`read only: ${readRows.toLocaleString('en-US')} rows in ${readSeconds.toFixed(2)} s`);

const storeDir = tempDir('drift-store');
const backend = await StoreBackend.open(storeDir, { idleCheckpointMs: 0 });
const token = crypto.randomBytes(16).toString('hex');
const server = await TrackingServer.start({ backend, port: 0, token });
const client = new TrackingClient({ trackingUri: server.url, token });
try {
  const rssBefore = rssMb();
  const cpuBefore = process.cpuUsage();
  t0 = now();
  const result = await runDriftCheck({ client, referencePath: referenceFile, currentPath: currentFile });
  const seconds = (now() - t0) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const rssAfter = rssMb();
  const { referenceMs, currentMs, compareMs, loggingMs } = result.timings;
  log(result.summary);
  log(`CPU ${cpuSeconds.toFixed(2)} s; reference ${(referenceMs / 1000).toFixed(2)} s, current ${(currentMs / 1000).toFixed(2)} s, compare ${(compareMs / 1000).toFixed(2)} s, log run + report ${(loggingMs / 1000).toFixed(2)} s; RSS ${rssBefore.toFixed(0)} → ${rssAfter.toFixed(0)} MB`);
  const metrics = Object.keys(result.metrics).length;
  report({
    name: `drift check of two ${ROWS.toLocaleString('en-US')}-row × 20-column CSVs, logged as a run (${metrics} metrics, HTML + PNG report)`,
    value: seconds,
    unit: 's',
    target: '≤ 10 s',
    reference: readSeconds,
    referenceName: 'reading both files with the same CSV reader, nothing else',
    ok: seconds <= 10,
  });
  report({
    name: 'drift check: CPU time of this process (the server included; wall time above also counts waiting for a busy machine)',
    value: cpuSeconds,
    unit: 's',
    target: '',
  });
} finally {
  client.close();
  await server.close();
  await backend.close();
  fs.rmSync(storeDir, { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
}

// Engine and persistence figures (issue #2). Reference: native SQLite through better-sqlite3@12
// on the same data, measured in this same run (the physical limit of a file-backed SQLite).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileSizeMb, load, log, now, percentile, report, requireProject, rssMb, tempDir } from './benchUtil.mjs';

const { StoreBackend } = load('src/core/store/storeBackend');
const { buildRunSearchSql } = load('src/core/search/runSearchSql');
const Sqlite = requireProject('better-sqlite3');

const POINTS = Number(process.env.BENCH_INGEST_POINTS ?? 1_000_000);
const BIG_RUNS = Number(process.env.BENCH_BIG_RUNS ?? 1000); // × 10 keys × 1000 steps = 10M points

function batchFor(runId, b) {
  // 1,000 points: 10 keys × 100 consecutive steps, as a training loop's log_batch sends them.
  const metrics = [];
  for (let k = 0; k < 10; k++) {
    for (let i = 0; i < 100; i++) {
      const step = b * 100 + i;
      metrics.push({ key: `metric_${k}`, value: Math.sin(step / 50 + k) + k, timestamp: 1_700_000_000_000 + step * 10, step });
    }
  }
  return { run_id: runId, metrics };
}

async function ingest() {
  const dir = tempDir('ingest');
  const backend = await StoreBackend.open(dir, { idleCheckpointMs: 0 });
  const runs = Array.from({ length: 10 }, () => backend.tracking.createRun({}).info.run_id);
  await backend.store.synced();
  const batches = POINTS / 1000;
  const t0 = now();
  for (let b = 0; b < batches; b++) {
    backend.tracking.logBatch(batchFor(runs[b % runs.length], Math.floor(b / runs.length)));
    await backend.store.synced(); // acknowledged = durable, one batch at a time
  }
  const seconds = (now() - t0) / 1000;
  await backend.close();
  fs.rmSync(dir, { recursive: true, force: true });

  // Reference: the same points, one transaction each 1,000, WAL + synchronous=FULL, clustered table.
  const refDir = tempDir('ingest-ref');
  const db = new Sqlite(path.join(refDir, 'ref.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE m (run INTEGER, key INTEGER, step INTEGER, ts INTEGER, value REAL, PRIMARY KEY (run, key, step, ts, value)) WITHOUT ROWID');
  const insert = db.prepare('INSERT OR IGNORE INTO m VALUES (?, ?, ?, ?, ?)');
  const tx = db.transaction((run, batch) => {
    for (const m of batch.metrics) insert.run(run, Number(m.key.slice(7)), m.step, m.timestamp, m.value);
  });
  const r0 = now();
  for (let b = 0; b < batches; b++) tx(b % 10, batchFor('x', Math.floor(b / 10)));
  const refSeconds = (now() - r0) / 1000;
  db.close();
  fs.rmSync(refDir, { recursive: true, force: true });
  report({
    name: 'durable batched ingest (1,000-point log_batch, in-process)',
    value: POINTS / seconds, unit: 'points/s', target: '≥ 300,000 points/s',
    reference: POINTS / refSeconds, referenceName: 'better-sqlite3 WAL synchronous=FULL', ok: POINTS / seconds >= 300_000,
  });
}

async function singlePoint() {
  const dir = tempDir('single');
  const backend = await StoreBackend.open(dir, { idleCheckpointMs: 0 });
  const runId = backend.tracking.createRun({}).info.run_id;
  await backend.store.synced();
  const times = [];
  for (let i = 0; i < 5000; i++) {
    const t0 = now();
    backend.tracking.logMetric({ run_id: runId, key: 'loss', value: Math.random(), timestamp: Date.now(), step: i });
    await backend.store.synced();
    times.push(now() - t0);
  }
  await backend.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const refDir = tempDir('single-ref');
  const db = new Sqlite(path.join(refDir, 'ref.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE m (run INTEGER, key INTEGER, step INTEGER, ts INTEGER, value REAL, PRIMARY KEY (run, key, step, ts, value)) WITHOUT ROWID');
  const insert = db.prepare('INSERT INTO m VALUES (1, 1, ?, ?, ?)');
  const refTimes = [];
  for (let i = 0; i < 5000; i++) {
    const t0 = now();
    insert.run(i, Date.now(), Math.random());
    refTimes.push(now() - t0);
  }
  db.close();
  fs.rmSync(refDir, { recursive: true, force: true });
  const p50 = percentile(times, 50);
  report({
    name: 'durable single-point log_metric p50 (in-process)',
    value: p50, unit: 'ms', target: '≤ 0.5 ms', reference: percentile(refTimes, 50),
    referenceName: 'better-sqlite3 one-row commit, synchronous=FULL', ok: p50 <= 0.5,
  });
  log(`single-point p99 ${percentile(times, 99).toFixed(3)} ms (reference p99 ${percentile(refTimes, 99).toFixed(3)} ms)`);
}

async function search() {
  const dir = tempDir('search');
  const backend = await StoreBackend.open(dir, { idleCheckpointMs: 0 });
  const models = ['rf', 'xgb', 'lr', 'mlp'];
  for (let i = 0; i < 10_000; i++) {
    const runId = backend.tracking.createRun({ run_name: `run-${i}` }).info.run_id;
    backend.tracking.logBatch({
      run_id: runId,
      params: [{ key: 'model', value: models[i % 4] }, { key: 'lr', value: String((i % 10) / 100) }],
      metrics: [
        { key: 'acc', value: (i * 7919) % 1000 / 1000, timestamp: 1, step: 0 },
        { key: 'loss', value: (i * 104729) % 1000 / 1000, timestamp: 1, step: 0 },
      ],
      tags: [{ key: 'team', value: i % 2 ? 'a' : 'b' }],
    });
  }
  await backend.store.checkpoint();
  const req = { experiment_ids: ['0'], filter: "metrics.acc > 0.5 and params.model = 'rf'", max_results: 100, order_by: ['metrics.acc DESC'] };
  const times = [];
  let found = 0;
  for (let i = 0; i < 60; i++) {
    const t0 = now();
    found = backend.tracking.searchRuns(req).runs.length;
    times.push(now() - t0);
  }
  const { sql, params } = buildRunSearchSql({
    experimentIds: [0], filter: req.filter, viewType: 'ACTIVE_ONLY', orderBy: req.order_by, limit: 101, offset: 0,
  });
  await backend.close();
  const db = new Sqlite(path.join(dir, 'store.sqlite'), { readonly: true });
  const stmt = db.prepare(sql);
  const refTimes = [];
  for (let i = 0; i < 60; i++) {
    const t0 = now();
    const ids = stmt.raw().all(...params).map((r) => r[0]).slice(0, 100);
    // the same follow-up reads our store does for each page (params, tags, latest metrics)
    const marks = ids.map(() => '?').join(',');
    db.prepare(`SELECT * FROM runs WHERE run_int IN (${marks})`).all(...ids);
    db.prepare(`SELECT * FROM params WHERE run_int IN (${marks})`).all(...ids);
    db.prepare(`SELECT * FROM tags WHERE run_int IN (${marks})`).all(...ids);
    db.prepare(`SELECT s.*, k.key FROM metric_series s JOIN metric_keys k USING (key_id) WHERE run_int IN (${marks})`).all(...ids);
    refTimes.push(now() - t0);
  }
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const p50 = percentile(times.slice(10), 50);
  report({
    name: `search_runs top-100 of 10k runs, metric + param filter (${found} returned) p50`,
    value: p50, unit: 'ms', target: '≤ 10 ms', reference: percentile(refTimes.slice(10), 50),
    referenceName: 'better-sqlite3, same SQL on the same file', ok: p50 <= 10,
  });
}

async function downsample() {
  const dir = tempDir('downsample');
  const backend = await StoreBackend.open(dir, { idleCheckpointMs: 0 });
  const runId = backend.tracking.createRun({}).info.run_id;
  for (let b = 0; b < 100; b++) {
    backend.tracking.logBatch({
      run_id: runId,
      metrics: Array.from({ length: 1000 }, (_, i) => ({ key: 'loss', value: Math.exp(-(b * 1000 + i) / 30000) + Math.random() * 0.01, timestamp: 1, step: b * 1000 + i })),
    });
  }
  await backend.store.checkpoint();
  const times = [];
  let buckets = 0;
  for (let i = 0; i < 40; i++) {
    const t0 = now();
    buckets = backend.tracking.metrics.sampled({ run_ids: [runId], keys: ['loss'], max_buckets: 2000 }).series[0].buckets.length;
    times.push(now() - t0);
  }
  await backend.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const db = new Sqlite(':memory:');
  db.exec('CREATE TABLE m (run INTEGER, key INTEGER, step INTEGER, ts INTEGER, value REAL, PRIMARY KEY (run, key, step, ts, value)) WITHOUT ROWID');
  const insert = db.prepare('INSERT INTO m VALUES (1, 1, ?, 1, ?)');
  db.transaction(() => { for (let s = 0; s < 100_000; s++) insert.run(s, Math.exp(-s / 30000)); })();
  const q = db.prepare('SELECT step * 2000 / 100000 AS b, MIN(value), MAX(value), MAX(step) FROM m WHERE run = 1 AND key = 1 GROUP BY b');
  const refTimes = [];
  for (let i = 0; i < 40; i++) {
    const t0 = now();
    q.all();
    refTimes.push(now() - t0);
  }
  db.close();
  const p50 = percentile(times.slice(5), 50);
  report({
    name: `100k-step history downsampled to 2,000 buckets (${buckets} buckets) p50`,
    value: p50, unit: 'ms', target: '≤ 50 ms', reference: percentile(refTimes.slice(5), 50),
    referenceName: 'better-sqlite3 GROUP BY bucket on a clustered table', ok: p50 <= 50,
  });
}

/** Builds the 10M-point store in a child process that ends without a checkpoint after a 250k-point tail. */
function buildBigStore(dir) {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'storeBuilder.mjs');
  const child = spawnSync(process.execPath, ['--expose-gc', script, dir, String(BIG_RUNS)], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (child.status !== 0) throw new Error('store builder failed');
  return JSON.parse(child.stdout.trim().split('\n').pop());
}

async function bigStore() {
  const dir = tempDir('big');
  const built = buildBigStore(dir);
  const points = built.points;
  log(`built ${points.toLocaleString()} points in ${built.seconds.toFixed(1)} s; builder RSS after checkpoint ${built.rssMb.toFixed(0)} MB`);
  const dbMb = fileSizeMb(path.join(dir, 'store.sqlite'));
  const journalMb = fs.readdirSync(dir).filter((f) => f.startsWith('journal-')).reduce((s, f) => s + fileSizeMb(path.join(dir, f)), 0);
  const rss0 = rssMb();
  const t0 = now();
  const backend = await StoreBackend.open(dir, { idleCheckpointMs: 0 });
  const openMs = now() - t0;
  const rss = rssMb();
  const tailOk = backend.tracking.metrics.summaries([built.tailRun])[built.tailRun][0].count;
  await backend.close({ checkpoint: false });

  const r0 = now();
  const ref = new Sqlite(path.join(dir, 'store.sqlite'), { readonly: true });
  ref.prepare('SELECT COUNT(*) FROM metric_series').get();
  const refOpenMs = now() - r0;
  ref.close();

  // MLflow's own schema for the same points (metrics table keyed by strings), for scale.
  const mlflowDb = path.join(dir, 'mlflow-schema.sqlite');
  const m = new Sqlite(mlflowDb);
  m.pragma('journal_mode = OFF');
  m.pragma('synchronous = OFF');
  m.exec(`CREATE TABLE metrics (key VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT NOT NULL, run_uuid VARCHAR(32) NOT NULL,
    step BIGINT NOT NULL DEFAULT 0, is_nan BOOLEAN NOT NULL DEFAULT 0, PRIMARY KEY (key, timestamp, step, run_uuid, value, is_nan))`);
  const ins = m.prepare('INSERT INTO metrics VALUES (?, ?, ?, ?, ?, 0)');
  const mlflowPoints = Math.min(points, 2_000_000);
  m.transaction(() => {
    for (let i = 0; i < mlflowPoints; i++) {
      const run = Math.floor(i / 10_000);
      ins.run(`metric_${i % 10}`, Math.sin(i), 1_700_000_000_000 + i, `${run.toString(16).padStart(32, '0')}`, Math.floor((i % 10_000) / 10));
    }
  })();
  m.close();
  const mlflowMbPer10M = (fileSizeMb(mlflowDb) * 10_000_000) / mlflowPoints;
  fs.rmSync(dir, { recursive: true, force: true });

  report({ name: `store of ${(points / 1e6).toFixed(1)}M points: database size`, value: dbMb, unit: 'MB', target: '≤ 300 MB',
    reference: mlflowMbPer10M, referenceName: "MLflow's metrics table, extrapolated from 2M rows", ok: dbMb <= 300 });
  report({ name: `open ${dbMb.toFixed(0)} MB store + ${journalMb.toFixed(0)} MB journal tail (${built.tailPoints.toLocaleString()} points, replayed)`,
    value: openMs, unit: 'ms', target: '≤ 1,000 ms', reference: refOpenMs, referenceName: 'better-sqlite3 open + first query, no replay',
    ok: openMs <= 1000 && tailOk === built.tailPoints });
  report({ name: 'steady memory with the 10M-point store open (RSS)', value: rss, unit: 'MB', target: '≤ 1,024 MB',
    reference: rss0, referenceName: 'this process before opening', ok: rss <= 1024 });
}

await ingest();
await singlePoint();
await search();
await downsample();
await bigStore();

// SQL figures (Interop issue): `trackside sql` over a store of 1,000 runs and 1M metric points.
// Each query runs in a worker on a copy of the database; these figures include the worker's start,
// the copy and the view set-up. Also measured: the longest stall of the engine's event loop while a
// full scan runs (the engine must stay responsive). Reference: better-sqlite3 (native SQLite)
// aggregating the same points from a plain table, in this same run.
import { load, log, now, report, requireProject } from './benchUtil.mjs';

const { StoreBackend } = load('src/core/store/storeBackend');
const { runSqlQuery } = load('src/core/store/sqlQueryRunner');
const Sqlite = requireProject('better-sqlite3');

const RUNS = Number(process.env.BENCH_SQL_RUNS ?? 1000);
const KEYS = 10;
const STEPS = 100;
const points = RUNS * KEYS * STEPS;

const backend = await StoreBackend.inMemory();
const t = backend.tracking;
const experimentId = t.createExperiment({ name: 'sweep' }).experiment_id;
const b0 = now();
let someRun;
for (let r = 0; r < RUNS; r++) {
  const runId = t.createRun({ experiment_id: experimentId, run_name: `trial-${r}`, start_time: 1_700_000_000_000 + r }).info.run_id;
  someRun ??= runId;
  t.logBatch({ run_id: runId, params: [{ key: 'lr', value: String(r % 7) }] });
  for (let k = 0; k < KEYS; k++) {
    t.logBatch({ run_id: runId, metrics: Array.from({ length: STEPS }, (_, s) => ({ key: `metric_${k}`, value: Math.sin(s / 20 + k + r), timestamp: 1_700_000_000_000 + s, step: s })) });
  }
}
log(`seeded ${RUNS} runs, ${points.toLocaleString('en-US')} points in ${((now() - b0) / 1000).toFixed(1)} s`);

async function timed(query) {
  const t0 = now();
  const result = await runSqlQuery(backend.store, query, { timeoutMs: 120_000 });
  return { ms: now() - t0, result };
}

await timed('SELECT 1'); // warm: the wasm file read and the worker code compiled once
const scan = 'SELECT key, count(*), avg(value) FROM system.ml.metrics GROUP BY key';
let gap = 0;
let last = now();
const timer = setInterval(() => {
  const at = now();
  gap = Math.max(gap, at - last);
  last = at;
}, 5);
const full = await timed(scan);
clearInterval(timer);
const series = await timed(`SELECT step, value FROM system.ml.metrics WHERE run_id = '${someRun}' AND key = 'metric_3' ORDER BY step`);
const summaries = await timed(
  "SELECT p.value AS lr, avg(s.last) FROM system.ml.metric_summaries s JOIN system.ml.params p ON p.run_id = s.run_id AND p.key = 'lr' GROUP BY 1",
);
const counted = full.result.rows.reduce((n, row) => n + row[1], 0);
log(`full scan counted ${counted.toLocaleString('en-US')} points; one series: ${series.result.rows.length} rows; summaries: ${summaries.result.rows.length} groups`);
await backend.close();

const reference = new Sqlite(':memory:');
reference.exec('CREATE TABLE metrics (run INTEGER, key TEXT, step INTEGER, timestamp INTEGER, value REAL)');
const insert = reference.prepare('INSERT INTO metrics VALUES (?, ?, ?, ?, ?)');
reference.transaction(() => {
  for (let r = 0; r < RUNS; r++) for (let k = 0; k < KEYS; k++) for (let s = 0; s < STEPS; s++) insert.run(r, `metric_${k}`, s, s, Math.sin(s / 20 + k + r));
})();
const r0 = now();
reference.prepare('SELECT key, count(*), avg(value) FROM metrics GROUP BY key').all();
const referenceMs = now() - r0;
reference.close();

report({
  name: `sql: scan all ${(points / 1e6).toLocaleString('en-US')}M points of system.ml.metrics (GROUP BY key)`,
  value: full.ms, unit: 'ms', target: '≤ 3,000 ms', reference: referenceMs, referenceName: 'better-sqlite3, plain table',
  ok: counted === points && full.ms <= 3000,
});
report({ name: 'sql: one series (run_id and key) of system.ml.metrics', value: series.ms, unit: 'ms', target: '≤ 300 ms', ok: series.result.rows.length === STEPS && series.ms <= 300 });
report({ name: 'sql: metric_summaries joined with params', value: summaries.ms, unit: 'ms', target: '≤ 300 ms', ok: summaries.ms <= 300 });
report({ name: 'sql: longest engine event-loop stall during the full scan', value: gap, unit: 'ms', target: '≤ 100 ms', ok: gap <= 100 });

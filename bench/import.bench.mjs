// MLflow import figure (Interop issue): an mlflow.db at a recent alembic revision with 1,000 runs
// and 1M metric points, imported into a fresh folder store. Reference: better-sqlite3 (native
// SQLite) reading the same metric rows from the same file, measured in this same run.
import fs from 'node:fs';
import path from 'node:path';
import { load, log, now, report, requireProject, rssMb, tempDir } from './benchUtil.mjs';

const { StoreBackend } = load('src/core/store/storeBackend');
const { importMlflow } = load('src/core/interop/mlflowImporter');
const { SCHEMA_3_RECENT } = load('test/unit/interop/fixtures/mlflowSchemas');
const Sqlite = requireProject('better-sqlite3');

const RUNS = Number(process.env.BENCH_IMPORT_RUNS ?? 1000);
const KEYS = 10;
const STEPS = Number(process.env.BENCH_IMPORT_STEPS ?? 100); // × KEYS × RUNS = 1M points

/** An mlflow.db as MLflow's SQLAlchemy store fills it: runs, params, tags, metrics, latest_metrics. */
function buildMlflowDb(file) {
  const db = new Sqlite(file);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.exec(SCHEMA_3_RECENT.ddl);
  const t0 = 1_700_000_000_000;
  db.prepare(`INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
              VALUES (0, 'Default', 'mlflow-artifacts:/0', 'active', ?, ?), (1, 'sweep', 'mlflow-artifacts:/1', 'active', ?, ?)`).run(t0, t0, t0, t0);
  const run = db.prepare(`INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time,
    source_version, lifecycle_stage, artifact_uri, experiment_id) VALUES (?, ?, 'LOCAL', '', '', 'bench', 'FINISHED', ?, ?, '', 'active', ?, 1)`);
  const param = db.prepare('INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)');
  const tag = db.prepare('INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?)');
  const metric = db.prepare('INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, 0)');
  const latest = db.prepare('INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, 0, ?)');
  db.transaction(() => {
    for (let r = 0; r < RUNS; r++) {
      const runId = (r + 1).toString(16).padStart(32, '0');
      const start = t0 + r * 60_000;
      run.run(runId, `trial-${r}`, start, start + 50_000, `mlflow-artifacts:/1/${runId}/artifacts`);
      for (let p = 0; p < 10; p++) param.run(`param_${p}`, String((r * 31 + p) % 97), runId);
      for (const [key, value] of [['mlflow.runName', `trial-${r}`], ['mlflow.user', 'bench'], ['mlflow.source.name', 'train.py'], ['mlflow.source.type', 'LOCAL'], ['sweep', 'lr']]) {
        tag.run(key, value, runId);
      }
      for (let k = 0; k < KEYS; k++) {
        let value = 0;
        for (let s = 0; s < STEPS; s++) {
          value = Math.sin(s / 20 + k + r) + k;
          metric.run(`metric_${k}`, value, start + s * 100, runId, s);
        }
        latest.run(`metric_${k}`, value, start + (STEPS - 1) * 100, STEPS - 1, runId);
      }
    }
  })();
  db.close();
}

const dir = tempDir('import');
const dbFile = path.join(dir, 'mlflow.db');
const b0 = now();
buildMlflowDb(dbFile);
const points = RUNS * KEYS * STEPS;
log(`built ${path.basename(dbFile)} (${(fs.statSync(dbFile).size / 1024 / 1024).toFixed(0)} MB, ${points.toLocaleString('en-US')} points) in ${((now() - b0) / 1000).toFixed(1)} s`);

const storeDir = path.join(dir, 'store');
const backend = await StoreBackend.open(storeDir, { idleCheckpointMs: 0 });
const t0 = now();
const summary = await importMlflow(dbFile, backend, { artifacts: 'reference' });
const seconds = (now() - t0) / 1000;
const rss = rssMb();
const c0 = now();
await backend.close();
log(`imported ${summary.runs.imported} runs, ${summary.metrics.toLocaleString('en-US')} points, ${summary.params} params, ${summary.tags} tags; ` +
  `RSS ${rss.toFixed(0)} MB; closing (checkpoint) took ${((now() - c0) / 1000).toFixed(1)} s`);
const complete = summary.runs.imported === RUNS && summary.metrics === points;
if (!complete) log(`INCOMPLETE: ${JSON.stringify(summary).slice(0, 500)}`);

const r0 = now();
const ref = new Sqlite(dbFile, { readonly: true });
let rows = 0;
for (const row of ref.prepare('SELECT * FROM metrics').iterate()) if (row.key) rows++;
ref.close();
const refSeconds = (now() - r0) / 1000;
fs.rmSync(dir, { recursive: true, force: true });

report({
  name: `import ${RUNS.toLocaleString('en-US')} runs / ${(points / 1e6).toLocaleString('en-US')}M metric points from mlflow.db`,
  value: seconds, unit: 's', target: '≤ 10 s',
  reference: refSeconds, referenceName: `better-sqlite3 reading the same rows (${rows.toLocaleString('en-US')})`,
  ok: complete && seconds <= 10,
});

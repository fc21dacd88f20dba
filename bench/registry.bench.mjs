// Model registry figures (issue: "search_model_versions over 1,000 models × 20 versions p50 ≤ 10 ms").
// A store of 1,000 registered models × 20 versions (each from its own run, with tags, a source and
// a few stages and aliases) is searched the way a client calls it: `GET model-versions/search`
// through `trackside server` (dist/cli.js, its own process) with the bearer token, and directly on
// the RegistryStore. Reference in the same run: native SQLite through better-sqlite3 on the same
// file, the same SQL and the same follow-up reads (versions, tags, aliases), directly and behind a
// bare node:http server in its own process (no validation, no journal, no security checks).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, log, now, percentile, report, requireProject, root, tempDir } from './benchUtil.mjs';

const MODELS = Number(process.env.BENCH_REGISTRY_MODELS ?? 1000);
const VERSIONS = Number(process.env.BENCH_REGISTRY_VERSIONS ?? 20);
const ITERATIONS = Number(process.env.BENCH_REGISTRY_ITERATIONS ?? 200);
const WARMUP = 20;
const TARGET_MS = 10;
const modelName = (m) => `model-${String(m).padStart(4, '0')}`;
const commitOf = (m, v) => ((m * 7919 + v * 104729) >>> 0).toString(16).padStart(8, '0') + String(m * 100 + v).padStart(8, '0');

/** One page as our store answers it, from native SQLite: the search SQL, then versions, tags and aliases. */
function referenceSearch(db, buildSql, filter, limit = 10_000) {
  const cache = (db.__statements ??= new Map());
  const prepare = (sql) => cache.get(sql) ?? cache.set(sql, db.prepare(sql)).get(sql);
  const { sql, params } = buildSql({ filter, limit: limit + 1, offset: 0 });
  const keys = prepare(sql).raw(true).all(...params).slice(0, limit);
  if (keys.length === 0) return { model_versions: [] };
  const versions = [];
  const tags = new Map();
  const aliases = new Map();
  for (let i = 0; i < keys.length; i += 400) {
    const chunk = keys.slice(i, i + 400);
    const pairs = chunk.map(() => '(?, ?)').join(', ');
    const rows = new Map();
    for (const row of prepare(`SELECT v.*, m.name AS name FROM model_versions v JOIN registered_models m ON m.model_id = v.model_id WHERE (v.model_id, v.version) IN (VALUES ${pairs})`).all(...chunk.flat())) {
      rows.set(`${row.model_id}:${row.version}`, row);
    }
    for (const [m, v] of chunk) if (rows.has(`${m}:${v}`)) versions.push(rows.get(`${m}:${v}`));
    for (const t of prepare(`SELECT model_id, version, key, value FROM model_version_tags WHERE (model_id, version) IN (VALUES ${pairs}) ORDER BY key`).all(...chunk.flat())) {
      const k = `${t.model_id}:${t.version}`;
      if (!tags.has(k)) tags.set(k, []);
      tags.get(k).push({ key: t.key, value: t.value });
    }
  }
  const modelIds = [...new Set(versions.map((r) => r.model_id))];
  for (const a of prepare(`SELECT model_id, version, alias FROM registered_model_aliases WHERE model_id IN (${modelIds.map(() => '?').join(',')}) ORDER BY alias`).all(...modelIds)) {
    const k = `${a.model_id}:${a.version}`;
    if (!aliases.has(k)) aliases.set(k, []);
    aliases.get(k).push(a.alias);
  }
  return {
    model_versions: versions.map((r) => {
      const k = `${r.model_id}:${r.version}`;
      const e = { name: r.name, version: String(r.version), creation_timestamp: r.creation_time, last_updated_timestamp: r.last_updated_time };
      if (r.user_id) e.user_id = r.user_id;
      e.current_stage = r.current_stage;
      if (r.description) e.description = r.description;
      e.source = r.source;
      if (r.run_id) e.run_id = r.run_id;
      e.status = r.status;
      if (tags.has(k)) e.tags = tags.get(k);
      if (aliases.has(k)) e.aliases = aliases.get(k);
      return e;
    }),
  };
}

// `node registry.bench.mjs reference-server <store.sqlite>`: the HTTP reference, in its own process.
if (process.argv[2] === 'reference-server') {
  const Sqlite = requireProject('better-sqlite3');
  const { buildModelVersionSearchSql } = load('src/core/search/registrySearchSql');
  const db = new Sqlite(process.argv[3], { readonly: true });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const body = JSON.stringify(referenceSearch(db, buildModelVersionSearchSql, url.searchParams.get('filter') ?? undefined));
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(body);
  });
  server.listen(0, '127.0.0.1', () => console.log(`REFERENCE_URL=http://127.0.0.1:${server.address().port}`));
  process.on('SIGINT', () => (db.close(), server.close(), process.exit(0)));
} else {
  await main();
}

async function buildStore(dir) {
  const { StoreBackend } = load('src/core/store/storeBackend');
  const t0 = now();
  const backend = await StoreBackend.open(dir, { idleCheckpointMs: 0, checkpointBytes: 1024 * 1024 * 1024 });
  let clock = 1_700_000_000_000;
  backend.registry.clock = () => (clock += 1000);
  const experiment = backend.tracking.createExperiment({ name: 'registry-bench' }).experiment_id;
  const picks = {};
  for (let m = 0; m < MODELS; m++) {
    const name = modelName(m);
    backend.registry.createRegisteredModel({ name, description: `Model ${m}`, tags: [{ key: 'team', value: `team-${m % 8}` }, { key: 'task', value: m % 2 ? 'classification' : 'regression' }] });
    for (let v = 1; v <= VERSIONS; v++) {
      const runId = backend.tracking.createRun({ experiment_id: experiment, run_name: `${name}-v${v}`, start_time: clock }).info.run_id;
      backend.registry.createModelVersion({
        name, source: `runs:/${runId}/model`, run_id: runId, description: v % 4 === 0 ? `retrained on ds-${(m + v) % 50}` : undefined,
        tags: [{ key: 'commit', value: commitOf(m, v) }, { key: 'dataset', value: `ds-${(m + v) % 50}` }, { key: 'validated', value: v % 3 ? 'true' : 'false' }],
      });
      if (m === 421 && v === 7) picks.runId = runId;
    }
    backend.registry.transitionModelVersionStage({ name, version: String(VERSIONS - 1), stage: 'Staging' });
    backend.registry.transitionModelVersionStage({ name, version: String(VERSIONS - 2), stage: 'Production' });
    backend.registry.setRegisteredModelAlias({ name, alias: 'champion', version: String(VERSIONS - 2) });
    if (m % 100 === 99) await backend.store.synced();
  }
  await backend.store.checkpoint();
  log(`store: ${MODELS.toLocaleString()} models × ${VERSIONS} versions (one run each) built in ${((now() - t0) / 1000).toFixed(1)} s`);
  return { backend, picks };
}

async function startServer(args, pattern) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = pattern.exec(output);
      if (match) resolve(match[1]);
    });
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${output}`)));
  });
  return { url, stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGINT'))) };
}

/** p50/p95 of `fn` (async or not) over ITERATIONS calls after WARMUP, with the count it returned. */
async function time(fn) {
  const times = [];
  let count = 0;
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    const t0 = now();
    count = (await fn()).model_versions.length;
    if (i >= WARMUP) times.push(now() - t0);
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95), count };
}

async function main() {
  const Sqlite = requireProject('better-sqlite3');
  const { buildModelVersionSearchSql } = load('src/core/search/registrySearchSql');
  const dir = tempDir('registry');
  try {
    const { backend, picks } = await buildStore(dir);
    const filters = [
      { label: `name = '${modelName(421)}'`, filter: `name = '${modelName(421)}'` },
      { label: 'run_id = <one run>', filter: `run_id = '${picks.runId}'` },
      { label: 'tags.commit = <one commit>', filter: `tags.commit = '${commitOf(421, 7)}'` },
      { label: "tags.dataset = 'ds-7'", filter: "tags.dataset = 'ds-7'" },
      { label: `name LIKE '${modelName(420).slice(0, 9)}%'`, filter: `name LIKE '${modelName(420).slice(0, 9)}%'` },
    ];

    // Directly on the RegistryStore (in-process, as the extension host calls it).
    const direct = [];
    for (const f of filters) direct.push(await time(() => backend.registry.searchModelVersions({ filter: f.filter })));
    await backend.close();

    // Through the real HTTP server, as an MLflow client calls it.
    const server = await startServer([path.join(root, 'dist', 'cli.js'), 'server', '--store', dir, '--port', '0'], /MLFLOW_TRACKING_URI=(\S+)/);
    const token = fs.readFileSync(path.join(dir, 'token'), 'utf8').trim();
    const viaHttp = [];
    try {
      for (const f of filters) {
        const url = `${server.url}/api/2.0/mlflow/model-versions/search?${new URLSearchParams({ filter: f.filter })}`;
        viaHttp.push(await time(async () => {
          const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
          if (!res.ok) throw new Error(`model-versions/search: ${res.status} ${await res.text()}`);
          return res.json();
        }));
      }
    } finally {
      await server.stop();
    }

    // References: native SQLite on the same file, directly and behind a bare node:http server.
    const file = path.join(dir, 'store.sqlite');
    const db = new Sqlite(file, { readonly: true });
    const refDirect = [];
    for (const f of filters) refDirect.push(await time(() => referenceSearch(db, buildModelVersionSearchSql, f.filter)));
    db.close();
    const refServer = await startServer([fileURLToPath(import.meta.url), 'reference-server', file], /REFERENCE_URL=(\S+)/);
    const refHttp = [];
    try {
      for (const f of filters) {
        const url = `${refServer.url}/?${new URLSearchParams({ filter: f.filter })}`;
        refHttp.push(await time(async () => (await fetch(url)).json()));
      }
    } finally {
      await refServer.stop();
    }

    filters.forEach((f, i) => {
      const d = direct[i];
      const h = viaHttp[i];
      if (refDirect[i].count !== d.count || refHttp[i].count !== h.count || d.count !== h.count) {
        log(`WARNING ${f.label}: result counts differ (store ${d.count}, HTTP ${h.count}, references ${refDirect[i].count}/${refHttp[i].count})`);
      }
      log(`${f.label}: ${d.count} versions; RegistryStore p50 ${d.p50.toFixed(2)} / p95 ${d.p95.toFixed(2)} ms; HTTP p50 ${h.p50.toFixed(2)} / p95 ${h.p95.toFixed(2)} ms; ` +
        `better-sqlite3 p50 ${refDirect[i].p50.toFixed(2)} ms, behind node:http ${refHttp[i].p50.toFixed(2)} ms`);
      const scale = `${MODELS.toLocaleString()} models × ${VERSIONS} versions`;
      report({ name: `REST model-versions/search ${f.label} (${h.count} returned), ${scale}, p50`, value: h.p50, unit: 'ms', target: `≤ ${TARGET_MS} ms`,
        reference: refHttp[i].p50, referenceName: 'better-sqlite3 behind bare node:http, same SQL', ok: h.p50 <= TARGET_MS });
      report({ name: `  … p95`, value: h.p95, unit: 'ms', target: '', reference: refHttp[i].p95, referenceName: 'same reference, p95' });
      report({ name: `RegistryStore.searchModelVersions ${f.label}, p50`, value: d.p50, unit: 'ms', target: `≤ ${TARGET_MS} ms`,
        reference: refDirect[i].p50, referenceName: 'better-sqlite3, same SQL + follow-up reads on the same file', ok: d.p50 <= TARGET_MS });
      report({ name: `  … p95`, value: d.p95, unit: 'ms', target: '', reference: refDirect[i].p95, referenceName: 'same reference, p95' });
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

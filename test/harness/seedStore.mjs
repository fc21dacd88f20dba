// Fills a store folder with data through the real `trackside server` and MLflow's REST API, then
// stops the server so VS Code can open the folder and serve it itself. Used by e2e tests.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from './codeServer.mjs';

/**
 * Starts `node dist/cli.js server --store <store> --port 0`, calls `fill({ url, token, api })`,
 * and stops the server cleanly (a checkpoint). `api(route, body, method)` calls /api/2.0/mlflow/<route>.
 */
export async function withStoreServer(store, fill) {
  fs.mkdirSync(store, { recursive: true });
  const child = spawn(process.execPath, [path.join(projectRoot, 'dist', 'cli.js'), 'server', '--store', store, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /MLFLOW_TRACKING_URI=(\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`trackside server exited (${code}): ${stderr}`)));
  });
  const token = fs.readFileSync(path.join(store, 'token'), 'utf8').trim();
  const api = async (route, body, method = 'POST') => {
    const get = method === 'GET';
    const target = new URL(`/api/2.0/mlflow/${route}`, url);
    if (get) for (const [k, v] of Object.entries(body ?? {})) target.searchParams.set(k, String(v));
    const res = await fetch(target, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(get ? {} : { 'Content-Type': 'application/json' }) },
      body: get ? undefined : JSON.stringify(body ?? {}),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${route}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  try {
    return await fill({ url, token, api });
  } finally {
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  }
}

/** A small, realistic experiment: runs with params, metric curves, a nested sweep, a failed run, a model. */
export async function seedDemoExperiment({ api }, name = 'churn-model') {
  const { experiment_id: experimentId } = await api('experiments/create', { name });
  const runs = [];
  const now = Date.now();
  const configs = [
    { lr: 0.1, depth: 4, status: 'FINISHED' },
    { lr: 0.05, depth: 6, status: 'FINISHED' },
    { lr: 0.01, depth: 8, status: 'FAILED' },
  ];
  for (const [i, c] of configs.entries()) {
    const { run } = await api('runs/create', { experiment_id: experimentId, run_name: `gbm-lr${c.lr}`, start_time: now - (3 - i) * 600_000 });
    const id = run.info.run_id;
    await api('runs/log-batch', {
      run_id: id,
      params: [{ key: 'lr', value: String(c.lr) }, { key: 'max_depth', value: String(c.depth) }, { key: 'model', value: 'gbm' }],
      tags: [{ key: 'mlflow.source.name', value: 'train.py' }, { key: 'team', value: 'growth' }],
      metrics: Array.from({ length: 100 }, (_, s) => [
        { key: 'loss', value: 1 / (1 + s * c.lr) + 0.02 * Math.sin(s), timestamp: now + s * 1000, step: s },
        { key: 'val_auc', value: 0.6 + 0.3 * (1 - Math.exp(-s * c.lr)), timestamp: now + s * 1000, step: s },
      ]).flat(),
    });
    await api('runs/update', { run_id: id, status: c.status, end_time: now - (3 - i) * 600_000 + 95_000 * (i + 1) });
    runs.push(id);
  }
  const { run: sweep } = await api('runs/create', { experiment_id: experimentId, run_name: 'depth-sweep' });
  for (const depth of [2, 3]) {
    const { run: child } = await api('runs/create', {
      experiment_id: experimentId,
      run_name: `depth-${depth}`,
      tags: [{ key: 'mlflow.parentRunId', value: sweep.info.run_id }],
    });
    await api('runs/log-batch', {
      run_id: child.info.run_id,
      params: [{ key: 'max_depth', value: String(depth) }],
      metrics: [{ key: 'val_auc', value: 0.7 + depth / 100, timestamp: now, step: 0 }],
    });
    await api('runs/update', { run_id: child.info.run_id, status: 'FINISHED', end_time: now + 30_000 });
  }
  await api('runs/update', { run_id: sweep.info.run_id, status: 'FINISHED', end_time: now + 60_000 });
  await api('registered-models/create', { name: 'churn' });
  await api('model-versions/create', { name: 'churn', source: `runs:/${runs[0]}/model`, run_id: runs[0] });
  await api('model-versions/create', { name: 'churn', source: `runs:/${runs[1]}/model`, run_id: runs[1] });
  await api('registered-models/alias', { name: 'churn', alias: 'champion', version: '2' });
  await api('model-versions/transition-stage', { name: 'churn', version: '1', stage: 'Staging', archive_existing_versions: false });
  return { experimentId, runs, sweep: sweep.info.run_id };
}

// Demo data for the webview e2e test: runs the real `trackside server` (dist/cli.js) on
// <folder>/.trackside, logs experiments, runs, metrics, artifacts and a registered model through
// MLflow's REST API, then stops the server (the extension then opens the same store).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../harness/codeServer.mjs';

/** Starts `trackside server` on a free port; resolves with its URL, token and a stop function. */
async function startServer(store) {
  const child = spawn(process.execPath, [path.join(projectRoot, 'dist', 'cli.js'), 'server', '--store', store, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`trackside server did not start:\n${output}`)), 20000);
    const onData = (chunk) => {
      output += chunk;
      const match = /MLFLOW_TRACKING_URI=(\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => reject(new Error(`trackside server exited (${code}):\n${output}`)));
  });
  const token = fs.readFileSync(path.join(store, 'token'), 'utf8').trim();
  const stop = () =>
    new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGINT');
    });
  return { url, token, stop };
}

function client(url, token) {
  const call = async (method, route, body) => {
    const response = await fetch(`${url}${route}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route} → ${response.status}: ${text}`);
    return text ? JSON.parse(text) : {};
  };
  const upload = async (artifactUri, relative, content) => {
    const root = artifactUri.replace(/^mlflow-artifacts:\/*/, '');
    const response = await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/${root}/${relative}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${token}` },
      body: content,
    });
    if (!response.ok) throw new Error(`upload ${relative} → ${response.status}: ${await response.text()}`);
  };
  return { call, upload };
}

/** A deterministic pseudo-random sequence (so screenshots are comparable run to run). */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const MLMODEL = `artifact_path: model
flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.sklearn
    model_path: model.pkl
    predict_fn: predict
    python_version: 3.11.4
  sklearn:
    code: null
    pickled_model: model.pkl
    serialization_format: cloudpickle
    sklearn_version: 1.4.2
mlflow_version: 2.12.2
model_uuid: 5b0c3c2e9f7a4c1d8e6b2a1f0d9c8b7a
signature:
  inputs: '[{"type": "double", "name": "sepal_length", "required": true}, {"type": "double", "name": "sepal_width", "required": true}, {"type": "double", "name": "petal_length", "required": true}, {"type": "double", "name": "petal_width", "required": false}]'
  outputs: '[{"type": "long", "name": "species", "required": true}]'
  params: null
utc_time_created: '2024-05-01 10:00:00.000000'
`;

/**
 * Fills <folder>/.trackside with the demo: experiment "demo-classifier" (12 runs with params,
 * metric histories with a spike, tags, a parent with two children, a RUNNING run, artifacts of
 * every preview kind on the first run) and registered model "demo-classifier-model" (two versions,
 * aliases and stage changes). Returns the ids the test needs.
 */
export async function createDemoStore(folder) {
  const store = path.join(folder, '.trackside');
  fs.mkdirSync(store, { recursive: true });
  const server = await startServer(store);
  try {
    const { call, upload } = client(server.url, server.token);
    const { experiment_id: experimentId } = await call('POST', '/api/2.0/mlflow/experiments/create', { name: 'demo-classifier' });
    const next = random(7);
    const models = ['cnn', 'mlp', 'resnet'];
    const rates = ['0.001', '0.01', '0.1'];
    const runs = [];
    const start = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 13 * 3_600_000;
    for (let r = 0; r < 12; r++) {
      const model = models[r % 3];
      const lr = rates[Math.floor(r / 4) % 3];
      const runStart = start + r * 3_600_000;
      const { run } = await call('POST', '/api/2.0/mlflow/runs/create', {
        experiment_id: experimentId,
        run_name: `${model}-lr${lr}-${r}`,
        start_time: runStart,
        tags: [
          { key: 'mlflow.user', value: r % 2 ? 'ana' : 'ben' },
          { key: 'mlflow.source.name', value: `train_${model}.py` },
          { key: 'stage', value: r % 4 === 0 ? 'prod' : 'dev' },
        ],
      });
      const id = run.info.run_id;
      runs.push({ id, name: run.info.run_name, artifactUri: run.info.artifact_uri });
      const quality = { cnn: 0.9, mlp: 0.8, resnet: 0.95 }[model] * (lr === '0.01' ? 1 : 0.96);
      const metrics = [];
      for (let step = 0; step < 300; step++) {
        const t = runStart + step * 2000;
        const progress = 1 - Math.exp(-step / 60);
        const spike = step === 170 + r ? 1.5 : 0;
        metrics.push({ key: 'loss', value: 1.6 * (1 - progress * quality) + 0.08 * (next() - 0.5) + spike, timestamp: t, step });
        metrics.push({ key: 'accuracy', value: 0.3 + 0.65 * progress * quality + 0.03 * (next() - 0.5), timestamp: t, step });
        if (step % 10 === 0) metrics.push({ key: 'val_loss', value: 1.7 * (1 - progress * quality) + 0.1 + 0.05 * next(), timestamp: t, step });
      }
      for (let i = 0; i < metrics.length; i += 900) {
        await call('POST', '/api/2.0/mlflow/runs/log-batch', {
          run_id: id,
          metrics: metrics.slice(i, i + 900),
          params: i === 0 ? [{ key: 'model', value: model }, { key: 'lr', value: lr }, { key: 'batch_size', value: String(r % 2 ? 64 : 32) }] : undefined,
        });
      }
      if (r !== 11) await call('POST', '/api/2.0/mlflow/runs/update', { run_id: id, status: r === 5 ? 'FAILED' : 'FINISHED', end_time: runStart + 600_000 + r * 1000 });
    }
    // Nested runs: two children of run 0.
    for (let c = 0; c < 2; c++) {
      const { run } = await call('POST', '/api/2.0/mlflow/runs/create', {
        experiment_id: experimentId,
        run_name: `fold-${c}`,
        start_time: start + 100_000 * (c + 1),
        tags: [{ key: 'mlflow.parentRunId', value: runs[0].id }],
      });
      await call('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: run.info.run_id, metrics: [{ key: 'accuracy', value: 0.8 + c * 0.05, timestamp: start, step: 0 }], params: [{ key: 'fold', value: String(c) }] });
      await call('POST', '/api/2.0/mlflow/runs/update', { run_id: run.info.run_id, status: 'FINISHED', end_time: start + 200_000 * (c + 1) });
    }
    const main = runs[0];
    await call('POST', '/api/2.0/mlflow/runs/log-inputs', {
      run_id: main.id,
      datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: { name: 'iris', digest: 'a1b2c3d4', source_type: 'local', source: 'data/iris.csv', schema: '{"mlflow_colspec": []}' } }],
    });
    const rows = ['sepal_length,sepal_width,petal_length,petal_width,species,predicted'];
    const species = ['setosa', 'versicolor', 'virginica'];
    for (let i = 0; i < 60; i++) rows.push([(4.5 + next() * 3).toFixed(1), (2 + next() * 2).toFixed(1), (1 + next() * 5).toFixed(1), (0.1 + next() * 2.4).toFixed(1), species[i % 3], species[(i + (i % 7 === 0 ? 1 : 0)) % 3]].join(','));
    await upload(main.artifactUri, 'predictions.csv', rows.join('\n') + '\n');
    await upload(main.artifactUri, 'config.json', JSON.stringify({ model: 'cnn', lr: 0.001, layers: [64, 32], augment: true }));
    await upload(main.artifactUri, 'notes.txt', 'Baseline CNN.\nTrained on iris with early stopping.\n');
    await upload(main.artifactUri, 'report.html', '<!doctype html><html><head><style>h1{color:#0a7d3b;font-family:sans-serif}td{padding:4px 10px;border-bottom:1px solid #ccc}</style></head><body><h1>Evaluation report</h1><table><tr><td>accuracy</td><td>0.94</td></tr><tr><td>f1</td><td>0.93</td></tr></table><script>document.body.append("scripts ran!")</script></body></html>');
    await upload(main.artifactUri, 'plots/confusion.svg', '<svg xmlns="http://www.w3.org/2000/svg" width="180" height="180"><rect width="180" height="180" fill="#fff"/><rect x="10" y="10" width="50" height="50" fill="#08519c"/><rect x="65" y="65" width="50" height="50" fill="#3182bd"/><rect x="120" y="120" width="50" height="50" fill="#08519c"/><rect x="65" y="10" width="50" height="50" fill="#c6dbef"/></svg>');
    await upload(main.artifactUri, 'model/MLmodel', MLMODEL);
    await upload(main.artifactUri, 'model/conda.yaml', 'name: demo\ndependencies:\n  - python=3.11\n  - pip:\n    - mlflow==2.12.2\n    - scikit-learn==1.4.2\n');
    await upload(runs[2].artifactUri, 'model/MLmodel', MLMODEL);
    const name = 'demo-classifier-model';
    await call('POST', '/api/2.0/mlflow/registered-models/create', { name, description: 'Iris species classifier.' });
    const v1 = (await call('POST', '/api/2.0/mlflow/model-versions/create', { name, source: `runs:/${main.id}/model`, run_id: main.id, description: 'Baseline CNN.' })).model_version;
    const v2 = (await call('POST', '/api/2.0/mlflow/model-versions/create', { name, source: `runs:/${runs[2].id}/model`, run_id: runs[2].id })).model_version;
    await call('POST', '/api/2.0/mlflow/model-versions/transition-stage', { name, version: v1.version, stage: 'Staging', archive_existing_versions: false });
    await call('POST', '/api/2.0/mlflow/model-versions/transition-stage', { name, version: v1.version, stage: 'Production', archive_existing_versions: false });
    await call('POST', '/api/2.0/mlflow/registered-models/alias', { name, alias: 'champion', version: v1.version });
    await call('POST', '/api/2.0/mlflow/registered-models/alias', { name, alias: 'challenger', version: v2.version });
    await call('POST', '/api/2.0/mlflow/model-versions/set-tag', { name, version: v1.version, key: 'validated', value: 'true' });
    return { experimentId, runs, model: name, versions: [v1.version, v2.version] };
  } finally {
    await server.stop();
  }
}

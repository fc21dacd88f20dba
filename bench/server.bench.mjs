// HTTP server figures (issue #3): `trackside server` in its own process, the load from this one.
// Reference measured in the same run: a bare node:http server that fdatasyncs a journal file before
// answering each request (the physical limit of durable HTTP on this machine). For scale, the issue
// quotes MLflow's own server here: ~24 log-batch requests/s of 1,000 metrics, 5.5–6.5 ms per log_metric.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { load, loadWithWrk } from './httpLoad.mjs';
import { log, now, percentile, report, root, tempDir } from './benchUtil.mjs';

async function startTrackside(dir) {
  const child = spawn(process.execPath, [path.join(root, 'dist/cli.js'), 'server', '--store', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /MLFLOW_TRACKING_URI=(\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  const token = fs.readFileSync(path.join(dir, 'token'), 'utf8').trim();
  return { url, token, stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }) };
}

/** The reference: node:http + one O_DSYNC append per group of requests (no store, no validation). */
function startReference(dir) {
  const fd = fs.openSync(path.join(dir, 'ref-journal'), fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_APPEND | fs.constants.O_DSYNC);
  let pending = [];
  let syncing = false;
  const flush = () => {
    if (syncing || pending.length === 0) return;
    syncing = true;
    const batch = pending;
    pending = [];
    fs.write(fd, Buffer.concat(batch.map((b) => b.data)), () => {
      syncing = false;
      for (const b of batch) b.done();
      flush();
    });
  };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const data = Buffer.concat(chunks);
      JSON.parse(data.toString());
      pending.push({ data, done: () => res.end('{}') });
      setImmediate(flush);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}`, stop: () => server.close() })));
}

async function api(url, token, route, body) {
  const res = await fetch(`${url}/api/2.0/mlflow/${route}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${route}: ${res.status} ${await res.text()}`);
  return res.json();
}

const batchBody = (runId) => (i) =>
  JSON.stringify({
    run_id: runId,
    metrics: Array.from({ length: 1000 }, (_, k) => ({ key: `m${k % 10}`, value: Math.random(), timestamp: 1_700_000_000_000 + i, step: i * 100 + Math.floor(k / 10) })),
  });
const pointBody = (runId) => (i) => JSON.stringify({ run_id: runId, run_uuid: runId, key: 'loss', value: Math.random(), timestamp: 1_700_000_000_000 + i, step: i });

const dir = tempDir('server');
const server = await startTrackside(dir);
const reference = await startReference(dir);
try {
  const run = (await api(server.url, server.token, 'runs/create', { experiment_id: '0' })).run.info.run_id;
  await load({ url: server.url, token: server.token, connections: 2, seconds: 1, path: '/api/2.0/mlflow/runs/log-batch', body: batchBody(run) }); // warm-up

  const batch = await load({ url: server.url, token: server.token, connections: 2, seconds: 5, path: '/api/2.0/mlflow/runs/log-batch', body: batchBody(run) });
  const batchRef = await load({ url: reference.url, connections: 2, seconds: 3, path: '/', body: batchBody(run) });
  const batchRate = batch.requests / batch.seconds;
  const batchP99 = percentile(batch.latencies, 99);
  log(`log-batch: ${batch.requests} requests, ${batch.errors} errors, p50 ${percentile(batch.latencies, 50).toFixed(2)} ms, p99 ${batchP99.toFixed(2)} ms`);
  report({ name: 'REST log-batch (1,000 metrics), 2 connections', value: batchRate, unit: 'req/s', target: '≥ 250 req/s (p99 ≤ 50 ms)',
    reference: batchRef.requests / batchRef.seconds, referenceName: 'node:http + O_DSYNC append only', ok: batchRate >= 250 && batchP99 <= 50 && batch.errors === 0 });
  report({ name: 'REST log-batch p99', value: batchP99, unit: 'ms', target: '≤ 50 ms', reference: percentile(batchRef.latencies, 99),
    referenceName: 'node:http + O_DSYNC append only', ok: batchP99 <= 50 });

  const pointLua = `'{"run_id":"${run}","key":"loss","value":0.5,"timestamp":' .. (1700000000000 + counter) .. ',"step":' .. counter .. '}'`;
  let point = await loadWithWrk({ url: server.url, token: server.token, connections: 2, seconds: 5, path: '/api/2.0/mlflow/runs/log-metric', bodyLua: pointLua });
  let pointRef = await loadWithWrk({ url: reference.url, connections: 2, seconds: 3, path: '/', bodyLua: pointLua });
  let client = 'wrk';
  if (!point) {
    client = 'node client';
    const mine = await load({ url: server.url, token: server.token, connections: 2, seconds: 5, path: '/api/2.0/mlflow/runs/log-metric', body: pointBody(run) });
    const ref = await load({ url: reference.url, connections: 2, seconds: 3, path: '/', body: pointBody(run) });
    const summary = (r) => ({ rate: r.requests / r.seconds, p50: percentile(r.latencies, 50), p99: percentile(r.latencies, 99), errors: r.errors });
    point = summary(mine);
    pointRef = summary(ref);
  }
  log(`log-metric (${client}): ${point.rate.toFixed(0)} req/s, ${point.errors} errors, p50 ${point.p50.toFixed(3)} ms, p99 ${point.p99.toFixed(3)} ms`);
  report({ name: `REST single-point log-metric (durable), 2 connections (${client})`, value: point.rate, unit: 'req/s', target: '≥ 5,000 req/s (p99 ≤ 2 ms)',
    reference: pointRef.rate, referenceName: 'node:http + O_DSYNC append only', ok: point.rate >= 5000 && point.p99 <= 2 && point.errors === 0 });
  report({ name: 'REST single-point log-metric p99', value: point.p99, unit: 'ms', target: '≤ 2 ms', reference: pointRef.p99,
    referenceName: 'node:http + O_DSYNC append only', ok: point.p99 <= 2 });

  // runs/search over 10k runs: create them through the API in batches.
  const { experiment_id } = await api(server.url, server.token, 'experiments/create', { name: 'search-bench' });
  const models = ['rf', 'xgb', 'lr', 'mlp'];
  for (let i = 0; i < 10_000; i++) {
    const id = (await api(server.url, server.token, 'runs/create', { experiment_id, run_name: `run-${i}` })).run.info.run_id;
    await api(server.url, server.token, 'runs/log-batch', {
      run_id: id,
      params: [{ key: 'model', value: models[i % 4] }],
      metrics: [{ key: 'acc', value: ((i * 7919) % 1000) / 1000, timestamp: 1, step: 0 }],
    });
  }
  const times = [];
  for (let i = 0; i < 40; i++) {
    const t0 = now();
    await api(server.url, server.token, 'runs/search', { experiment_ids: [experiment_id], filter: "metrics.acc > 0.5 and params.model = 'rf'", max_results: 100 });
    times.push(now() - t0);
  }
  const searchP50 = percentile(times.slice(5), 50);
  report({ name: 'REST runs/search over 10k runs (metric + param filter, 100 results) p50', value: searchP50, unit: 'ms', target: '≤ 15 ms', ok: searchP50 <= 15 });
} finally {
  await server.stop();
  reference.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

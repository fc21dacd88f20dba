// Pipeline figures (issue "Pipelines"): what running a cell costs beyond the cell's own code, and how
// fast metrics logged from a cell reach the store.
//  1. Cell dispatch overhead: 200 empty cells through the kernel (JSON lines over a pipe, exec,
//     output capture, DataFrame scan, result). Reference: `exec('')` in a persistent python3 over a
//     pipe (the floor of any out-of-process kernel), and a fresh `python3 -c pass` per cell.
//     Also the whole runner's per-cell cost (events and the per-cell metrics sent over REST).
//  2. 10,000 `trackside.log_metric` calls from one pipeline cell, against a real `trackside server`:
//     from the cell's start until all 10,000 points are readable through the REST API.
//     Reference: the same 10,000 points through the REST API, one point per request (keep-alive).
// Env: BENCH_PIPELINE_PYTHON (default python3), BENCH_PIPELINE_CELLS (default 200).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { load, log, now, percentile, report, root, tempDir } from './benchUtil.mjs';

const { PythonKernel } = load('src/core/pipelines/kernel');
const { runPipeline } = load('src/core/pipelines/pipelineRunner');
const { ClientPipelineTracking } = load('src/core/pipelines/clientPipelineTracking');
const { TrackingClient } = load('src/core/client/trackingClient');

const PYTHON = process.env.BENCH_PIPELINE_PYTHON ?? 'python3';
const CELLS = Number(process.env.BENCH_PIPELINE_CELLS ?? 200);
const POINTS = 10_000;
const pythonPath = fs.existsSync(path.join(root, 'dist', 'python', 'trackside_kernel')) ? path.join(root, 'dist', 'python') : path.join(root, 'src', 'python');
const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
const fmt = (ms) => `${ms.toFixed(2)} ms`;

/** `trackside server` on a new store, in its own process (as the engine runs beside VS Code). */
async function startServer(dir) {
  const child = spawn(process.execPath, [path.join(root, 'dist', 'cli.js'), 'server', '--store', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /MLFLOW_TRACKING_URI=(\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => reject(new Error(`trackside server exited (${code}): ${output}`)));
  });
  const token = fs.readFileSync(path.join(dir, 'token'), 'utf8').trim();
  return { url, token, stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGINT'))) };
}

/** Round trips of `exec(line)` in one python3 reading stdin: the floor for a kernel over a pipe. */
async function pipeReference(count) {
  const child = spawn(PYTHON, ['-u', '-c', 'import sys\nfor line in sys.stdin:\n    exec(line)\n    sys.stdout.write("ok\\n")\n    sys.stdout.flush()\n'], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdout.setEncoding('utf8');
  let waiting;
  child.stdout.on('data', () => waiting?.());
  const once = () => new Promise((resolve) => {
    waiting = resolve;
    child.stdin.write('\n');
  });
  for (let i = 0; i < 20; i++) await once();
  const times = [];
  for (let i = 0; i < count; i++) {
    const t0 = now();
    await once();
    times.push(now() - t0);
  }
  child.stdin.end();
  return times;
}

async function dispatchOverhead(server) {
  const kernel = await PythonKernel.start({ interpreter: PYTHON, bundledPythonPath: pythonPath, autolog: false });
  log(`kernel: Python ${kernel.info.python} (${kernel.info.executable}); pandas ${kernel.info.packages.pandas ? 'importable' : 'not installed'}`);
  for (let i = 0; i < 20; i++) await kernel.execute({ cell: i, code: '', filename: '/bench/pipeline.py', firstLine: 1 });
  const times = [];
  for (let i = 0; i < CELLS; i++) {
    const t0 = now();
    const result = await kernel.execute({ cell: i, code: '', filename: '/bench/pipeline.py', firstLine: i + 1 });
    times.push(now() - t0);
    if (result.status !== 'ok') throw new Error(`cell ${i}: ${result.status}`);
  }
  await kernel.stop();
  const pipe = await pipeReference(CELLS);
  const spawnTimes = [];
  for (let i = 0; i < 10; i++) {
    const t0 = now();
    spawnSync(PYTHON, ['-c', 'pass']);
    spawnTimes.push(now() - t0);
  }
  log(`kernel: mean ${fmt(mean(times))}, p50 ${fmt(percentile(times, 50))}, p99 ${fmt(percentile(times, 99))} per empty cell`);
  log(`python3 over a pipe, exec(''): mean ${fmt(mean(pipe))}, p50 ${fmt(percentile(pipe, 50))}; a fresh 'python3 -c pass': ${fmt(percentile(spawnTimes, 50))}`);
  report({
    name: `cell dispatch overhead (${CELLS} empty cells through the kernel, mean)`,
    value: mean(times), unit: 'ms', target: '≤ 20 ms',
    reference: mean(pipe), referenceName: "exec('') in a persistent python3 over a pipe", ok: mean(times) <= 20,
  });

  // The whole runner: a script of empty cells, each with its events and its cell metrics sent to the server.
  const dir = tempDir('pipeline-cells');
  const script = path.join(dir, 'empty_cells.py');
  fs.writeFileSync(script, Array.from({ length: CELLS }, (_, i) => `# %% cell ${i}\npass\n`).join('\n'));
  const client = new TrackingClient({ trackingUri: server.url, token: server.token });
  let first;
  let last;
  const result = await runPipeline({
    scriptPath: script, tracking: new ClientPipelineTracking(client), interpreter: PYTHON, bundledPythonPath: pythonPath, autolog: false,
    env: { MLFLOW_TRACKING_URI: server.url, MLFLOW_TRACKING_TOKEN: server.token },
    onEvent: (event) => {
      if (event.type === 'cellStarted') first ??= now();
      if (event.type === 'cellFinished') last = now();
    },
  });
  if (result.status !== 'FINISHED') throw new Error(`runner: ${result.status} ${result.error ?? ''}`);
  const perCell = (last - first) / CELLS;
  client.close();
  fs.rmSync(dir, { recursive: true, force: true });
  log(`runner: ${CELLS} cells in ${fmt(last - first)} from the first cell's start to the last cell's end (cell metrics sent to the server after each)`);
  report({
    name: `per-cell overhead of a pipeline run (${CELLS} empty cells, runner + cell metrics over REST)`,
    value: perCell, unit: 'ms', target: '≤ 20 ms',
    reference: mean(pipe), referenceName: "exec('') in a persistent python3 over a pipe", ok: perCell <= 20,
  });
}

/** Polls the run's summary until `count` points of `key` are readable; resolves with when (now()). */
async function readableAt(client, runId, key, count, deadline) {
  for (;;) {
    const summaries = (await client.metricSummaries([runId]))[runId] ?? [];
    if ((summaries.find((summary) => summary.key === key)?.count ?? 0) >= count) return now();
    if (now() > deadline) throw new Error(`only ${summaries.find((summary) => summary.key === key)?.count ?? 0} of ${count} points of ${key} after the deadline`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function metricsFromCell(server) {
  const dir = tempDir('pipeline-metrics');
  const script = path.join(dir, 'log_metrics.py');
  fs.writeFileSync(script, [
    '# %% Imports (not timed)',
    'import trackside',
    '',
    '# %% Log 10,000 points',
    `for i in range(${POINTS}):`,
    '    trackside.log_metric("x", i * 0.5, step=i)',
    '',
    '# %% Wait (so the kernel is still up while the points are read)',
    'import time',
    'time.sleep(3)',
    '',
  ].join('\n'));
  const client = new TrackingClient({ trackingUri: server.url, token: server.token });
  let cellStart;
  let cellEnd;
  let runId;
  let resolveStarted;
  const started = new Promise((resolve) => (resolveStarted = resolve));
  const running = runPipeline({
    scriptPath: script, tracking: new ClientPipelineTracking(client), interpreter: PYTHON, bundledPythonPath: pythonPath, autolog: false,
    env: { MLFLOW_TRACKING_URI: server.url, MLFLOW_TRACKING_TOKEN: server.token },
    onEvent: (event) => {
      if (event.type === 'runCreated') runId = event.runId;
      if (event.type === 'cellStarted' && event.cell === 1) {
        cellStart = now();
        resolveStarted();
      }
      if (event.type === 'cellFinished' && event.cell === 1) cellEnd = now();
    },
  });
  await started;
  const readable = await readableAt(client, runId, 'x', POINTS, cellStart + 30_000);
  const result = await running;
  if (result.status !== 'FINISHED') throw new Error(`pipeline: ${result.status} ${result.error ?? ''}`);
  const history = await client.metrics.getHistory(runId, 'x');
  if (history.length !== POINTS || history[POINTS - 1].value !== (POINTS - 1) * 0.5) throw new Error(`history holds ${history.length} points`);
  const fromCell = readable - cellStart;
  log(`cell: the 10,000 calls took ${fmt(cellEnd - cellStart)} (host clock); all points readable ${fmt(fromCell)} after the cell started`);

  // Reference: one point per request through the REST API, with a keep-alive client.
  const reference = await client.runs.create({ experimentId: '0', runName: 'one point per request' });
  const t0 = now();
  for (let i = 0; i < POINTS; i++) await client.runs.logMetric(reference.info.run_id, 'x', i * 0.5, { step: i, timestamp: Date.now() });
  const perRequest = now() - t0;
  log(`reference: ${POINTS.toLocaleString('en-US')} log-metric requests in ${fmt(perRequest)} (${fmt(perRequest / POINTS)} each)`);
  client.close();
  fs.rmSync(dir, { recursive: true, force: true });
  report({
    name: '10,000 log_metric calls from one cell readable in the store',
    value: fromCell / 1000, unit: 's', target: '≤ 1 s',
    reference: perRequest / 1000, referenceName: 'REST API, one point per request', ok: fromCell <= 1000,
  });
}

const storeDir = tempDir('pipeline-server');
const server = await startServer(storeDir);
try {
  await dispatchOverhead(server);
  await metricsFromCell(server);
} finally {
  await server.stop();
  fs.rmSync(storeDir, { recursive: true, force: true });
}

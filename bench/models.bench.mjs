// Models figures: batch scoring throughput of the demo model (python -m trackside.models.score) beside
// the same model's plain predict loop in Python (csv in → predict per chunk → csv out, what a person
// writes by hand), and the serving latency of a one-row request to the local scoring server.
// Env: BENCH_SCORING_ROWS (default 200,000), BENCH_SERVING_REQUESTS (default 2,000).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { load, log, now, percentile, report, root, tempDir } from './benchUtil.mjs';

const { startScoring } = load('src/core/models/modelScorer');
const { ModelServer } = load('src/core/models/modelServer');
const { invokeModel } = load('src/core/models/scoringRequest');

const ROWS = Number(process.env.BENCH_SCORING_ROWS ?? 200_000);
const REQUESTS = Number(process.env.BENCH_SERVING_REQUESTS ?? 2000);
const BATCH = 10_000;
const pythonPath = fs.existsSync(path.join(root, 'dist', 'python', 'trackside', 'models')) ? path.join(root, 'dist', 'python') : path.join(root, 'src', 'python');

function python(interpreter, code) {
  return execFileSync(interpreter, ['-c', code], { env: { ...process.env, PYTHONPATH: pythonPath }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function writeCsv(file, rows) {
  const lines = ['id,tenure,plan,calls'];
  for (let i = 0; i < rows; i++) lines.push(`${i},${(i * 7) % 60},${(i % 3) + 1},${((i * 13) % 50) / 10}`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

/** The hand-written loop: csv.reader, convert the three features, model.predict per 10,000 rows, csv.writer. */
function plainLoop(interpreter, modelFile, input, output, toInput) {
  const code = `
import csv, itertools, pickle, sys, time
model = pickle.load(open(${JSON.stringify(modelFile)}, "rb"))
start = time.perf_counter()
with open(${JSON.stringify(input)}, newline="") as f, open(${JSON.stringify(output)}, "w", newline="") as o:
    reader = csv.reader(f)
    header = next(reader)
    writer = csv.writer(o, lineterminator="\\n")
    writer.writerow(header + ["prediction"])
    t, p, c = header.index("tenure"), header.index("plan"), header.index("calls")
    while True:
        chunk = list(itertools.islice(reader, ${BATCH}))
        if not chunk:
            break
        predictions = model.predict(${toInput})
        writer.writerows(row + [q] for row, q in zip(chunk, predictions))
print(time.perf_counter() - start)
`;
  return Number(python(interpreter, code).trim());
}

async function scoringThroughput(name, interpreter, saveCode, toInput) {
  const dir = tempDir('models');
  const modelFolder = path.join(dir, 'model');
  python(interpreter, saveCode(modelFolder));
  const input = path.join(dir, 'input.csv');
  writeCsv(input, ROWS);
  const plainSeconds = [];
  const scoredSeconds = [];
  const wallSeconds = [];
  for (let round = 0; round < 3; round++) {
    plainSeconds.push(plainLoop(interpreter, path.join(modelFolder, 'model.pkl'), input, path.join(dir, 'plain.csv'), toInput));
    const started = now();
    const result = await startScoring({ interpreter, pythonPath }, { modelFolder, input, output: path.join(dir, 'scored.csv'), batchRows: BATCH }).done;
    wallSeconds.push((now() - started) / 1000);
    scoredSeconds.push(result.seconds);
  }
  const best = (values) => Math.min(...values);
  const overhead = best(scoredSeconds) / best(plainSeconds) - 1;
  log(`${name}: scorer ${best(scoredSeconds).toFixed(3)} s (process incl. start and load ${best(wallSeconds).toFixed(3)} s), plain loop ${best(plainSeconds).toFixed(3)} s for ${ROWS.toLocaleString('en-US')} rows`);
  report({
    name: `batch scoring, ${name} (trackside.models.score, ${ROWS.toLocaleString('en-US')} rows CSV→CSV)`,
    value: ROWS / best(scoredSeconds),
    unit: 'rows/s',
    target: 'overhead ≤ 20% vs plain loop',
    reference: ROWS / best(plainSeconds),
    referenceName: `plain predict loop in Python; overhead ${(overhead * 100).toFixed(1)}%`,
    ok: overhead <= 0.2,
  });
  fs.rmSync(dir, { recursive: true, force: true });
  return modelFolder;
}

async function servingLatency() {
  const dir = tempDir('serving');
  const modelFolder = path.join(dir, 'model');
  python('python3', demoSave(modelFolder));
  const server = await ModelServer.start({ interpreter: 'python3', pythonPath }, { modelFolder });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const body = { dataframe_records: [{ tenure: 12, plan: 2, calls: 1.5 }] };
  for (let i = 0; i < 100; i++) await invokeModel(server.url, body, { agent });
  const times = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t0 = now();
    const answer = await invokeModel(server.url, body, { agent });
    times.push(now() - t0);
    if (answer.status !== 200) throw new Error(`request ${i}: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  const fresh = [];
  for (let i = 0; i < 200; i++) {
    const t0 = now();
    await invokeModel(server.url, body);
    fresh.push(now() - t0);
  }
  agent.destroy();
  await server.stop();
  const predictMicros = Number(
    python(
      'python3',
      `import time\nfrom trackside.models import load_pyfunc\nm = load_pyfunc(${JSON.stringify(modelFolder)})\nrow = [{"tenure": 12, "plan": 2, "calls": 1.5}]\nfor _ in range(200): m.predict(row)\nt = time.perf_counter()\nfor _ in range(2000): m.predict(row)\nprint((time.perf_counter() - t) / 2000 * 1e6)`,
    ).trim(),
  );
  log(`serving: p50 ${percentile(times, 50).toFixed(2)} ms, p95 ${percentile(times, 95).toFixed(2)} ms (kept-alive connection); new connection each time p50 ${percentile(fresh, 50).toFixed(2)} ms`);
  report({
    name: 'serving p50, one-row POST /invocations (kept-alive connection)',
    value: percentile(times, 50),
    unit: 'ms',
    target: '≤ 5 ms',
    reference: predictMicros / 1000,
    referenceName: 'the same predict() in-process, signature checked',
    ok: percentile(times, 50) <= 5,
  });
  report({ name: 'serving p95, one-row POST /invocations', value: percentile(times, 95), unit: 'ms', target: '', ok: undefined });
  fs.rmSync(dir, { recursive: true, force: true });
}

function demoSave(folder) {
  return `from trackside.models import save_model
from trackside.models.demo import LinearModel
save_model(LinearModel({"tenure": 3.0, "plan": 10.0, "calls": -2.0}, 5.0), ${JSON.stringify(folder)},
           input_example=[{"tenure": 12, "plan": 2.0, "calls": 1.5}])`;
}

function sklearnSave(folder) {
  return `import numpy, pandas
from sklearn.linear_model import LinearRegression
from trackside.models import save_model
X = pandas.DataFrame({"tenure": [1.0, 5.0, 9.0, 30.0], "plan": [1.0, 2.0, 3.0, 1.0], "calls": [0.5, 1.0, 0.0, 4.0]})
y = 5 + 3 * X.tenure + 10 * X.plan - 2 * X.calls
save_model(LinearRegression().fit(X, y), ${JSON.stringify(folder)}, input_example=X.head(2))`;
}

await scoringThroughput('demo LinearModel, pure Python', 'python3', demoSave, '[{"tenure": int(r[t]), "plan": float(r[p]), "calls": float(r[c])} for r in chunk]');
const sklearnPython = ['/usr/bin/python3', 'python3'].find((candidate) => spawnSync(candidate, ['-c', 'import sklearn, pandas'], { stdio: 'ignore' }).status === 0);
if (sklearnPython) {
  await scoringThroughput(
    `scikit-learn LinearRegression (${sklearnPython})`,
    sklearnPython,
    sklearnSave,
    '__import__("pandas").DataFrame([[float(r[t]), float(r[p]), float(r[c])] for r in chunk], columns=["tenure", "plan", "calls"])',
  );
} else log('scikit-learn: no interpreter here imports sklearn and pandas; skipped');
await servingLatency();

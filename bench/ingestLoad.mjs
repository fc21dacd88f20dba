// Sends durable log-batch requests of 1,000 points at a target rate (points/s) over 2 connections for
// a number of seconds, then prints one JSON line: what was sent and acknowledged.
// Usage: node bench/ingestLoad.mjs <tracking uri> <token> <points per second> <seconds>
import http from 'node:http';

const [uri, token, rateArg, secondsArg] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });

function post(path, body) {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, uri), {
      method: 'POST', agent,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), Authorization: `Bearer ${token}` },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text || '{}')) : reject(new Error(`${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const { run } = await post('/api/2.0/mlflow/runs/create', { experiment_id: '0', run_name: 'ingest-load' });
const runId = run.info.run_id;
const batchesPerSecond = rate / 1000;
const total = Math.round(batchesPerSecond * seconds);
let next = 0;
let acknowledged = 0;
const t0 = performance.now();
await Promise.all([0, 1].map(async () => {
  for (;;) {
    const b = next++;
    if (b >= total) return;
    const due = t0 + (b / batchesPerSecond) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await post('/api/2.0/mlflow/runs/log-batch', {
      run_id: runId,
      metrics: Array.from({ length: 1000 }, (_, i) => ({ key: `m${i % 10}`, value: Math.random(), timestamp: 1_700_000_000_000 + b, step: b * 100 + Math.floor(i / 10) })),
    });
    acknowledged++;
  }
}));
const elapsed = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ runId, batches: acknowledged, points: acknowledged * 1000, seconds: elapsed, pointsPerSecond: (acknowledged * 1000) / elapsed }));
agent.destroy();

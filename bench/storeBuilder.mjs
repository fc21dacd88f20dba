// Child process of store.bench.mjs: builds a store of RUNS × 10 keys × 1,000 steps, checkpoints it,
// then appends a 250k-point tail and exits without a checkpoint (as a crash would leave it).
// Usage: node storeBuilder.mjs <dir> <runs>   → prints one JSON line with what it built.
import { load, now, rssMb } from './benchUtil.mjs';

const { StoreBackend } = load('src/core/store/storeBackend');
const [dir, runsArg] = process.argv.slice(2);
const runs = Number(runsArg);
const TAIL_POINTS = 250_000;

const t0 = now();
let backend = await StoreBackend.open(dir, { idleCheckpointMs: 0, checkpointBytes: 64 * 1024 * 1024 });
let points = 0;
for (let r = 0; r < runs; r++) {
  const runId = backend.tracking.createRun({ run_name: `run-${r}` }).info.run_id;
  backend.tracking.logBatch({ run_id: runId, params: [{ key: 'lr', value: String(r / 1000) }, { key: 'model', value: `m${r % 7}` }] });
  for (let b = 0; b < 10; b++) {
    const metrics = [];
    for (let k = 0; k < 10; k++) {
      for (let i = 0; i < 100; i++) {
        const step = b * 100 + i;
        metrics.push({ key: `metric_${k}`, value: Math.sin(step / 40 + r) * (k + 1) + Math.random() * 1e-3, timestamp: 1_700_000_000_000 + r * 100_000 + step * 37, step });
      }
    }
    backend.tracking.logBatch({ run_id: runId, metrics });
    points += metrics.length;
  }
  if (r % 50 === 49) await backend.store.synced();
}
await backend.close();
const seconds = (now() - t0) / 1000;

backend = await StoreBackend.open(dir, { idleCheckpointMs: 0, checkpointBytes: 1024 * 1024 * 1024 });
const rss = rssMb();
const tailRun = backend.tracking.createRun({ run_name: 'tail' }).info.run_id;
for (let b = 0; b < TAIL_POINTS / 1000; b++) {
  backend.tracking.logBatch({
    run_id: tailRun,
    metrics: Array.from({ length: 1000 }, (_, i) => ({ key: 'tail', value: i, timestamp: 1, step: b * 1000 + i })),
  });
}
await backend.store.synced();
console.log(JSON.stringify({ points, seconds, rssMb: rss, tailRun, tailPoints: TAIL_POINTS }));
process.exit(0); // no close: the journal tail stays unreplayed and the lock stale, as after a crash

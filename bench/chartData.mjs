// The metric series the chart figures draw (webviews.bench.mjs and webviewsInVsCode.bench.mjs).

/** Logs `steps` points of `loss` to a new run in 1,000-point batches (a noisy decay with spikes); returns its id. */
export function logSeries(backend, experimentId, name, steps, seed) {
  const runId = backend.tracking.createRun({ experiment_id: experimentId, run_name: name, start_time: 1_700_000_000_000 + seed * 1000 }).info.run_id;
  for (let from = 0; from < steps; from += 1000) {
    const metrics = [];
    for (let step = from; step < Math.min(steps, from + 1000); step++) {
      const spike = step % 7919 === 0 ? 5 : 0;
      metrics.push({ key: 'loss', value: Math.exp(-step / (steps / 4)) + 0.05 * Math.sin(step * 0.37 + seed) + spike, timestamp: 1_700_000_000_000 + seed * 1000 + step * (40 + (seed % 7)), step });
    }
    backend.tracking.logBatch({ run_id: runId, metrics });
  }
  return runId;
}

/** The sweep of the 50-series figure: 50 runs of 10,000 steps each. */
export function logSweep(backend, experimentId) {
  return Array.from({ length: 50 }, (_, i) => logSeries(backend, experimentId, `sweep-${i}`, 10_000, 10 + i));
}

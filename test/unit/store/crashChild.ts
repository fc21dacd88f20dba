/**
 * Child process for the crash test: logs numbered batches into one run of a store folder and
 * prints "ACK <n>" after each batch is durable. Killed with SIGKILL at random moments.
 * Usage: node crashChild.js <folder> <firstBatch> <pointsPerBatch>
 */
import { StoreBackend } from '../../../src/core/store/storeBackend';

async function main(): Promise<void> {
  const [folder, firstArg, sizeArg] = process.argv.slice(2);
  const size = Number(sizeArg);
  const backend = await StoreBackend.open(folder, { owner: 'crash-child', checkpointBytes: 256 * 1024, idleCheckpointMs: 50 });
  const found = backend.tracking.searchRuns({ experiment_ids: ['0'], filter: "tags.crash = 'yes'" }).runs;
  const runId = found[0]?.info.run_id ?? backend.tracking.createRun({ tags: [{ key: 'crash', value: 'yes' }] }).info.run_id;
  await backend.store.synced();
  process.stdout.write(`RUN ${runId}\n`);
  for (let batch = Number(firstArg); ; batch++) {
    backend.tracking.logBatch({
      run_id: runId,
      metrics: Array.from({ length: size }, (_, i) => ({ key: 'x', value: batch + i / size, timestamp: 1_000_000 + batch, step: batch * size + i })),
      params: batch === 0 ? [{ key: 'first', value: 'yes' }] : [],
    });
    await backend.store.synced();
    process.stdout.write(`ACK ${batch}\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(3);
});

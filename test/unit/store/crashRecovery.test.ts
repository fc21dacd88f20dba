import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { StoreBackend } from '../../../src/core/store/storeBackend';
import { removeFolder, tempFolder } from '../helpers/tempFolder';

const KILLS = Number(process.env.TRACKSIDE_CRASH_KILLS ?? 24);
const POINTS = 200;

/** Runs the child until it has acknowledged at least one batch, then SIGKILLs it after a random delay. */
function runAndKill(folder: string, firstBatch: number): Promise<{ acked: number[]; runId?: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'crashChild.js'), folder, String(firstBatch), String(POINTS)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: number[] = [];
    let runId: string | undefined;
    let buffered = '';
    let stderr = '';
    let armed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('ACK ')) acked.push(Number(line.slice(4)));
        if (line.startsWith('RUN ')) runId = line.slice(4);
      }
      if (!armed && acked.length > 0) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), 5 + Math.random() * 400);
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited with ${code}: ${stderr}`));
      else resolve({ acked, runId });
    });
  });
}

describe('crash recovery (SIGKILL)', function () {
  this.timeout(180_000);
  let folder: string;
  before(() => (folder = tempFolder('trackside-crash-')));
  after(() => removeFolder(folder));

  it(`keeps every acknowledged batch, without duplicates, across ${KILLS} kills`, async () => {
    let nextBatch = 0;
    let lastAcked = -1;
    let runId: string | undefined;
    for (let kill = 0; kill < KILLS; kill++) {
      const outcome = await runAndKill(folder, nextBatch);
      runId ??= outcome.runId;
      if (outcome.acked.length > 0) lastAcked = Math.max(lastAcked, ...outcome.acked);
      const backend = await StoreBackend.open(folder, { idleCheckpointMs: 0 });
      try {
        const points = backend.tracking.metrics.getHistory({ run_id: runId!, metric_key: 'x' }).metrics;
        const steps = points.map((p) => p.step);
        assert.equal(new Set(steps).size, steps.length, `no duplicate points after kill ${kill + 1}`);
        // Points per batch in one pass (filtering the steps per batch grew quadratically: ~7 s a kill by the end).
        const batches = new Map<number, number>();
        for (const s of steps) batches.set(Math.floor(s / POINTS), (batches.get(Math.floor(s / POINTS)) ?? 0) + 1);
        for (let b = 0; b <= lastAcked; b++) assert.ok(batches.has(b), `acknowledged batch ${b} survives kill ${kill + 1}`);
        for (const [b, count] of batches) assert.equal(count, POINTS, `batch ${b} is whole`);
        assert.deepEqual(backend.tracking.getRun({ run_id: runId! }).data.params, [{ key: 'first', value: 'yes' }]);
        // The next child re-sends the batch after the last acknowledged one: it may be on disk already.
        nextBatch = lastAcked + 1;
      } finally {
        // Alternate between a clean close (checkpoint) and leaving the journal as is.
        await backend.close({ checkpoint: kill % 2 === 0 });
      }
    }
    assert.ok(lastAcked >= KILLS, `the children acknowledged ${lastAcked + 1} batches`);
  });
});

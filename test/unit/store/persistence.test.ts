import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { nodeJournalFs, listJournalFiles, type JournalFs } from '../../../src/core/store/journal';
import { SNAPSHOT_FILE, Store, StoreCorruptError, StoreLockedError } from '../../../src/core/store/store';
import { StoreBackend } from '../../../src/core/store/storeBackend';
import { LOCK_FILE } from '../../../src/core/store/storeLock';
import { TrackingError } from '../../../src/core/store/trackingError';
import { removeFolder, tempFolder } from '../helpers/tempFolder';

const NO_IDLE = { idleCheckpointMs: 0 };

/** Leaves a backend as a killed process would: no checkpoint, no unlock (the lock's pid is then "dead"). */
function crash(folder: string): void {
  const lockFile = path.join(folder, LOCK_FILE);
  const lock = JSON.parse(fs.readFileSync(lockFile, 'utf8'));
  fs.writeFileSync(lockFile, JSON.stringify({ ...lock, pid: 2 ** 22 + 12345 }));
}

async function logPoints(backend: StoreBackend, runId: string, from: number, count: number): Promise<void> {
  backend.tracking.logBatch({
    run_id: runId,
    metrics: Array.from({ length: count }, (_, i) => ({ key: 'loss', value: (from + i) / 10, timestamp: 1000 + from + i, step: from + i })),
  });
  await backend.store.synced();
}

describe('persistence', () => {
  let folder: string;
  beforeEach(() => (folder = tempFolder()));
  afterEach(() => removeFolder(folder));

  it('creates a store with the Default experiment and a readable snapshot', async () => {
    const backend = await StoreBackend.open(folder, NO_IDLE);
    assert.equal(backend.tracking.getExperiment('0').name, 'Default');
    await backend.close();
    assert.equal(fs.readFileSync(path.join(folder, SNAPSHOT_FILE)).subarray(0, 15).toString(), 'SQLite format 3');
    assert.equal(fs.existsSync(path.join(folder, LOCK_FILE)), false, 'lock released on close');
  });

  it('replays acknowledged writes after a crash without a checkpoint, exactly once', async () => {
    const a = await StoreBackend.open(folder, NO_IDLE);
    const run = a.tracking.createRun({ experiment_id: '0', run_name: 'r1' });
    a.tracking.logParam({ run_id: run.info.run_id, key: 'lr', value: '0.1' });
    await logPoints(a, run.info.run_id, 0, 500);
    crash(folder);

    const b = await StoreBackend.open(folder, NO_IDLE);
    const again = b.tracking.getRun({ run_id: run.info.run_id });
    assert.equal(again.info.run_name, 'r1');
    assert.deepEqual(again.data.params, [{ key: 'lr', value: '0.1' }]);
    const history = b.tracking.metrics.getHistory({ run_id: run.info.run_id, metric_key: 'loss' });
    assert.equal(history.metrics.length, 500);
    assert.deepEqual(history.metrics.slice(0, 2).map((m) => m.step), [0, 1]);
    // A checkpoint now, another crash, and a reopen must not replay the same records twice.
    await b.store.checkpoint();
    await logPoints(b, run.info.run_id, 500, 10);
    crash(folder);
    const c = await StoreBackend.open(folder, NO_IDLE);
    assert.equal(c.tracking.metrics.getHistory({ run_id: run.info.run_id, metric_key: 'loss' }).metrics.length, 510);
    await c.close();
  });

  it('drops a torn record at the end of the journal and keeps everything before it', async () => {
    const a = await StoreBackend.open(folder, NO_IDLE);
    const run = a.tracking.createRun({ experiment_id: '0' });
    await logPoints(a, run.info.run_id, 0, 100);
    crash(folder);
    const files = listJournalFiles(folder);
    const newest = files[files.length - 1].file;
    fs.appendFileSync(newest, Buffer.from([200, 1, 0, 0, 9, 9, 9])); // a frame header promising 456 bytes
    const warnings: string[] = [];
    const b = await StoreBackend.open(folder, { ...NO_IDLE, log: (_l, m) => warnings.push(m) });
    assert.equal(b.tracking.metrics.getHistory({ run_id: run.info.run_id, metric_key: 'loss' }).metrics.length, 100);
    assert.match(warnings.join('\n'), /torn record/);
    await logPoints(b, run.info.run_id, 100, 5);
    crash(folder);
    const c = await StoreBackend.open(folder, NO_IDLE);
    assert.equal(c.tracking.metrics.getHistory({ run_id: run.info.run_id, metric_key: 'loss' }).metrics.length, 105);
    await c.close();
  });

  it('refuses to open a journal damaged in the middle, leaving every file untouched', async () => {
    const a = await StoreBackend.open(folder, NO_IDLE);
    const run = a.tracking.createRun({ experiment_id: '0' });
    for (let i = 0; i < 3; i++) await logPoints(a, run.info.run_id, i * 10, 10);
    crash(folder);
    const newest = listJournalFiles(folder).pop()!.file;
    const bytes = fs.readFileSync(newest);
    bytes[40] ^= 0xff;
    fs.writeFileSync(newest, bytes);
    const dataFiles = (): string[][] =>
      fs.readdirSync(folder).filter((f) => f !== LOCK_FILE).map((f) => [f, fs.readFileSync(path.join(folder, f)).toString('base64')]);
    const before = dataFiles();
    await assert.rejects(StoreBackend.open(folder, NO_IDLE), (e: Error) => e instanceof StoreCorruptError && /damaged at byte/.test(e.message));
    assert.ok(dataFiles().every(([f, bytes], i) => f === before[i][0] && bytes === before[i][1]), 'snapshot and journal untouched');
    assert.equal(dataFiles().length, before.length);
  });

  it('refuses a snapshot that is not a database', async () => {
    fs.writeFileSync(path.join(folder, SNAPSHOT_FILE), 'not a database at all, just text that is long enough');
    await assert.rejects(StoreBackend.open(folder, NO_IDLE), StoreCorruptError);
  });

  it('lets one engine own a folder; a second one is told who owns it', async () => {
    const a = await StoreBackend.open(folder, { ...NO_IDLE, owner: 'test-a' });
    a.store.publish({ port: 5123 });
    await assert.rejects(StoreBackend.open(folder, NO_IDLE), (e: Error) => e instanceof StoreLockedError && e.holder.port === 5123 && e.holder.owner === 'test-a');
    await a.close();
    const b = await StoreBackend.open(folder, NO_IDLE);
    await b.close();
  });

  it('takes over a stale lock whose process is gone', async () => {
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, LOCK_FILE), JSON.stringify({ pid: 2 ** 22 + 999, hostname: require('node:os').hostname(), startedAt: 1, owner: 'dead' }));
    const backend = await StoreBackend.open(folder, NO_IDLE);
    assert.equal(backend.store.lockInfo?.pid, process.pid);
    await backend.close();
  });

  it('checkpoints by size, rotating the journal and deleting covered segments', async () => {
    const backend = await StoreBackend.open(folder, { ...NO_IDLE, checkpointBytes: 20_000 });
    const run = backend.tracking.createRun({ experiment_id: '0' });
    for (let i = 0; i < 20; i++) await logPoints(backend, run.info.run_id, i * 100, 100);
    await new Promise((r) => setTimeout(r, 200));
    const segments = listJournalFiles(folder);
    assert.ok(segments.length <= 2, `old segments deleted (${segments.length} left)`);
    assert.ok(segments[0].startSeq > 1, 'the first segment was rotated out');
    crash(folder);
    const reopened = await StoreBackend.open(folder, NO_IDLE);
    assert.equal(reopened.tracking.metrics.getHistory({ run_id: run.info.run_id, metric_key: 'loss' }).metrics.length, 2000);
    await reopened.close();
  });

  it('checkpoints everything on close, also while a checkpoint is running (nothing left to replay)', async () => {
    const backend = await StoreBackend.open(folder, NO_IDLE);
    const run = backend.tracking.createRun({ experiment_id: '0' });
    await logPoints(backend, run.info.run_id, 0, 100);
    const running = backend.store.checkpoint();
    await logPoints(backend, run.info.run_id, 100, 100);
    await backend.close();
    await running;
    const raw = await Store.open(folder);
    assert.equal(raw.pendingReplay.length, 0, 'the snapshot holds every record');
    await raw.close({ checkpoint: false });
    const reopened = await StoreBackend.open(folder, NO_IDLE);
    assert.equal(reopened.tracking.metrics.getHistory({ run_id: run.info.run_id, metric_key: 'loss' }).metrics.length, 200);
    await reopened.close();
  });

  it('stops accepting writes after a failed fdatasync and keeps what was acknowledged', async () => {
    let failing = false;
    const flaky: JournalFs = {
      write: (fd, data) => nodeJournalFs.write(fd, data),
      sync: (fd) => (failing ? Promise.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' })) : nodeJournalFs.sync(fd)),
    };
    const a = await StoreBackend.open(folder, { ...NO_IDLE, journalFs: flaky });
    const run = a.tracking.createRun({ experiment_id: '0' });
    await logPoints(a, run.info.run_id, 0, 50);
    failing = true;
    a.tracking.logBatch({ run_id: run.info.run_id, metrics: [{ key: 'loss', value: 1, timestamp: 1, step: 999 }] });
    await assert.rejects(a.store.synced(), (e: Error) => e instanceof TrackingError && e.code === 'TEMPORARILY_UNAVAILABLE');
    assert.throws(
      () => a.tracking.logParam({ run_id: run.info.run_id, key: 'x', value: '1' }),
      (e: Error) => e instanceof TrackingError && e.code === 'TEMPORARILY_UNAVAILABLE',
    );
    crash(folder);
    const b = await StoreBackend.open(folder, NO_IDLE);
    const points = b.tracking.metrics.getHistory({ run_id: run.info.run_id, metric_key: 'loss' }).metrics;
    assert.ok(points.length >= 50, 'acknowledged points survive');
    await b.close();
  });

  it('keeps prepared statements usable across export()', async () => {
    const backend = await StoreBackend.open(folder, NO_IDLE);
    const run = backend.tracking.createRun({ experiment_id: '0' });
    await logPoints(backend, run.info.run_id, 0, 10);
    await backend.store.checkpoint();
    await logPoints(backend, run.info.run_id, 10, 10);
    assert.equal(backend.tracking.metrics.getHistory({ run_id: run.info.run_id, metric_key: 'loss' }).metrics.length, 20);
    assert.equal(Number(backend.store.db.scalar('PRAGMA temp_store')), 2, 'pragmas survive export');
    await backend.close();
  });
});

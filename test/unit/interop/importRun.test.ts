import assert from 'node:assert/strict';
import { StoreBackend } from '../../../src/core/store/storeBackend';
import { TrackingError } from '../../../src/core/store/trackingError';
import { removeFolder, tempFolder } from '../helpers/tempFolder';

const RUN_ID = '0123456789abcdef0123456789abcdef';

function rejects(fn: () => unknown, code: string, pattern: RegExp): void {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof TrackingError, String(e));
    assert.equal(e.code, code);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('TrackingStore.importRun (for importers)', () => {
  it('creates a run with the id, name, user, status, times and artifact URI it had elsewhere', async () => {
    const backend = await StoreBackend.inMemory();
    try {
      const run = backend.tracking.importRun({
        run_id: RUN_ID, experiment_id: '0', run_name: 'trial-7', user_id: 'ana', status: 'FAILED',
        start_time: 1_600_000_000_000, end_time: 1_600_000_360_000, artifact_uri: 's3://bucket/0/x/artifacts',
        tags: [{ key: 'mlflow.parentRunId', value: 'fedcba9876543210fedcba9876543210' }, { key: 'team', value: 'ml' }],
      });
      assert.deepEqual(run.info, {
        run_id: RUN_ID, run_uuid: RUN_ID, run_name: 'trial-7', experiment_id: '0', status: 'FAILED',
        artifact_uri: 's3://bucket/0/x/artifacts', lifecycle_stage: 'active', user_id: 'ana',
        start_time: 1_600_000_000_000, end_time: 1_600_000_360_000,
      });
      assert.deepEqual(run.data.tags?.map((t) => t.key), ['mlflow.parentRunId', 'mlflow.runName', 'team']);
      assert.equal(backend.tracking.runs.row(RUN_ID).parent_run_uuid, 'fedcba9876543210fedcba9876543210');
      backend.tracking.deleteRun(RUN_ID, { deletedTime: 1_600_000_999_000 });
      assert.equal(backend.tracking.runs.row(RUN_ID).deleted_time, 1_600_000_999_000);
    } finally {
      await backend.close();
    }
  });

  it('refuses a used or invalid id, a missing experiment and a bad status as MLflow would', async () => {
    const backend = await StoreBackend.inMemory();
    try {
      backend.tracking.importRun({ run_id: RUN_ID, experiment_id: '0', artifact_uri: 'file:///tmp/a' });
      rejects(() => backend.tracking.importRun({ run_id: RUN_ID, experiment_id: '0', artifact_uri: 'x' }), 'RESOURCE_ALREADY_EXISTS', /Run with id=0123.* already exists/);
      rejects(() => backend.tracking.importRun({ run_id: '../etc', experiment_id: '0', artifact_uri: 'x' }), 'INVALID_PARAMETER_VALUE', /Invalid run ID/);
      rejects(() => backend.tracking.importRun({ run_id: 'a'.repeat(32), experiment_id: '9', artifact_uri: 'x' }), 'RESOURCE_DOES_NOT_EXIST', /No Experiment with id=9/);
      rejects(() => backend.tracking.importRun({ run_id: 'b'.repeat(32), experiment_id: '0', artifact_uri: 'x', status: 'DONE' }), 'INVALID_PARAMETER_VALUE', /run status/);
      rejects(() => backend.tracking.importRun({ run_id: 'c'.repeat(32), experiment_id: '0' }), 'INVALID_PARAMETER_VALUE', /artifact_uri/);
    } finally {
      await backend.close();
    }
  });

  it('is journaled: a store reopened without a checkpoint replays imported runs and their deletion time', async () => {
    const folder = tempFolder();
    try {
      const a = await StoreBackend.open(folder, { idleCheckpointMs: 0 });
      a.tracking.importRun({ run_id: RUN_ID, experiment_id: '0', run_name: 'kept', status: 'FINISHED', start_time: 5, end_time: 9, artifact_uri: 'file:///tmp/a' });
      a.tracking.logBatch({ run_id: RUN_ID, metrics: [{ key: 'loss', value: 'NaN', timestamp: 7, step: 3 }] });
      a.tracking.deleteRun(RUN_ID, { deletedTime: 11 });
      await a.close({ checkpoint: false });
      const b = await StoreBackend.open(folder, { idleCheckpointMs: 0 });
      try {
        const run = b.tracking.getRun({ run_id: RUN_ID });
        assert.deepEqual([run.info.run_name, run.info.status, run.info.start_time, run.info.end_time, run.info.lifecycle_stage], ['kept', 'FINISHED', 5, 9, 'deleted']);
        assert.equal(b.tracking.runs.row(RUN_ID).deleted_time, 11);
        assert.deepEqual(b.tracking.metrics.getHistory({ run_id: RUN_ID, metric_key: 'loss' }).metrics, [{ key: 'loss', value: 'NaN', timestamp: 7, step: 3 }]);
      } finally {
        await b.close();
      }
    } finally {
      removeFolder(folder);
    }
  });
});

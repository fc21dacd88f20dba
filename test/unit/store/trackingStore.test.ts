import assert from 'node:assert/strict';
import { StoreBackend } from '../../../src/core/store/storeBackend';
import { TrackingError } from '../../../src/core/store/trackingError';
import type { TrackingStore } from '../../../src/core/store/trackingStore';

function rejects(fn: () => unknown, code: string, pattern?: RegExp): void {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof TrackingError, String(e));
    assert.equal(e.code, code, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

describe('TrackingStore', () => {
  let backend: StoreBackend;
  let t: TrackingStore;
  beforeEach(async () => {
    backend = await StoreBackend.inMemory();
    t = backend.tracking;
  });
  afterEach(() => backend.close());

  describe('experiments', () => {
    it('has experiment 0 named Default with an mlflow-artifacts location', () => {
      const e = t.getExperiment('0');
      assert.deepEqual([e.experiment_id, e.name, e.artifact_location, e.lifecycle_stage], ['0', 'Default', 'mlflow-artifacts:/0', 'active']);
      rejects(() => t.deleteExperiment('0'), 'INVALID_PARAMETER_VALUE', /default experiment/);
    });

    it('creates, renames, tags, deletes and restores', () => {
      const { experiment_id } = t.createExperiment({ name: 'exp', tags: [{ key: 'team', value: 'ml' }] });
      assert.equal(experiment_id, '1');
      assert.deepEqual(t.getExperiment(experiment_id).tags, [{ key: 'team', value: 'ml' }]);
      t.updateExperiment({ experiment_id, new_name: 'renamed' });
      assert.equal(t.getExperimentByName('renamed').experiment_id, '1');
      t.setExperimentTag({ experiment_id, key: 'team', value: 'data' });
      assert.deepEqual(t.getExperiment(experiment_id).tags, [{ key: 'team', value: 'data' }]);
      t.deleteExperiment(experiment_id);
      assert.equal(t.getExperiment(experiment_id).lifecycle_stage, 'deleted');
      t.restoreExperiment(experiment_id);
      assert.equal(t.getExperiment(experiment_id).lifecycle_stage, 'active');
    });

    it('keeps names unique among active experiments', () => {
      t.createExperiment({ name: 'x' });
      rejects(() => t.createExperiment({ name: 'x' }), 'RESOURCE_ALREADY_EXISTS', /Experiment\(name=x\) already exists/);
      const { experiment_id } = t.createExperiment({ name: 'y' });
      t.deleteExperiment(experiment_id);
      t.createExperiment({ name: 'y' });
      rejects(() => t.restoreExperiment(experiment_id), 'RESOURCE_ALREADY_EXISTS');
    });

    it('answers missing and invalid experiments as MLflow does', () => {
      rejects(() => t.getExperiment('42'), 'RESOURCE_DOES_NOT_EXIST', /^No Experiment with id=42 exists$/);
      rejects(() => t.getExperimentByName('nope'), 'RESOURCE_DOES_NOT_EXIST', /Could not find experiment with name 'nope'/);
      rejects(() => t.createExperiment({ name: '' }), 'INVALID_PARAMETER_VALUE', /Invalid experiment name/);
      rejects(() => t.createExperiment({ name: 'n'.repeat(501) }), 'INVALID_PARAMETER_VALUE', /maximum length of 500/);
      rejects(() => t.createExperiment({ name: 'z', artifact_location: 'runs:/abc' }), 'INVALID_PARAMETER_VALUE', /runs:\/ URI/);
      rejects(() => t.getExperiment('!bad'), 'INVALID_PARAMETER_VALUE', /Invalid experiment ID/);
      rejects(() => t.setExperimentTag({ experiment_id: '0', key: 'k', value: 'v'.repeat(5001) }), 'INVALID_PARAMETER_VALUE', /exceeded length limit of 5000/);
    });
  });

  describe('runs', () => {
    it('creates a run with a 32-hex id, a generated name synced to mlflow.runName, and an artifact URI', () => {
      const run = t.createRun({ experiment_id: '0', start_time: 1234, tags: [{ key: 'mlflow.user', value: 'ada' }] });
      assert.match(run.info.run_id, /^[0-9a-f]{32}$/);
      assert.equal(run.info.run_uuid, run.info.run_id);
      assert.match(run.info.run_name, /^[a-z]+-[a-z]+-\d{1,3}$/);
      assert.deepEqual(run.data.tags?.find((x) => x.key === 'mlflow.runName'), { key: 'mlflow.runName', value: run.info.run_name });
      assert.equal(run.info.status, 'RUNNING');
      assert.equal(run.info.start_time, 1234);
      assert.equal(run.info.user_id, 'ada');
      assert.equal(run.info.artifact_uri, `mlflow-artifacts:/0/${run.info.run_id}/artifacts`);
      assert.equal(run.info.end_time, undefined, 'unset fields are omitted');
      assert.deepEqual(run.inputs, {});
    });

    it('keeps run_name and the mlflow.runName tag in sync on update and set-tag', () => {
      const run = t.createRun({ run_name: 'first' });
      t.updateRun({ run_id: run.info.run_id, run_name: 'second', status: 'FINISHED', end_time: 99 });
      let got = t.getRun({ run_id: run.info.run_id });
      assert.equal(got.info.run_name, 'second');
      assert.equal(got.info.status, 'FINISHED');
      assert.equal(got.info.end_time, 99);
      t.setTag({ run_uuid: run.info.run_id, key: 'mlflow.runName', value: 'third' });
      got = t.getRun({ run_uuid: run.info.run_id });
      assert.equal(got.info.run_name, 'third');
      rejects(
        () => t.createRun({ run_name: 'a', tags: [{ key: 'mlflow.runName', value: 'b' }] }),
        'INVALID_PARAMETER_VALUE',
        /Both 'run_name' argument and 'mlflow.runName' tag are specified/,
      );
      rejects(() => t.updateRun({ run_id: run.info.run_id, status: 'DONE' }), 'INVALID_PARAMETER_VALUE', /run status/);
    });

    it('makes params immutable but accepts the same value again', () => {
      const { info } = t.createRun({});
      t.logParam({ run_id: info.run_id, key: 'alpha', value: '0.5' });
      t.logParam({ run_id: info.run_id, key: 'alpha', value: '0.5' });
      rejects(
        () => t.logParam({ run_id: info.run_id, key: 'alpha', value: '0.6' }),
        'INVALID_PARAMETER_VALUE',
        /^Changing param values is not allowed\. Param with key='alpha' was already logged with value='0\.5'/,
      );
      t.logParam({ run_id: info.run_id, key: 'empty', value: '' });
      t.logParam({ run_id: info.run_id, key: 'long', value: 'x'.repeat(6001) });
      const params = t.getRun({ run_id: info.run_id }).data.params!;
      assert.equal(params.find((p) => p.key === 'long')!.value.length, 6000, 'over-long values are truncated as MLflow 2.12 does');
      assert.equal(params.find((p) => p.key === 'empty')!.value, '');
    });

    it('logs metrics with latest value, history, NaN and infinities as MLflow does', () => {
      const { info } = t.createRun({});
      const id = info.run_id;
      t.logMetric({ run_id: id, key: 'acc', value: 0.5, timestamp: 10, step: 2 });
      t.logMetric({ run_id: id, key: 'acc', value: 0.9, timestamp: 5, step: 1 });
      t.logMetric({ run_id: id, key: 'acc', value: '0.7', timestamp: '11', step: '2' });
      t.logMetric({ run_id: id, key: 'bad', value: 'NaN', timestamp: 1 });
      t.logMetric({ run_id: id, key: 'big', value: 'Infinity', timestamp: 1 });
      const metrics = t.getRun({ run_id: id }).data.metrics!;
      assert.deepEqual(metrics.find((m) => m.key === 'acc'), { key: 'acc', value: 0.7, timestamp: 11, step: 2 });
      assert.deepEqual(metrics.find((m) => m.key === 'bad'), { key: 'bad', value: 'NaN', timestamp: 1, step: 0 });
      assert.equal(metrics.find((m) => m.key === 'big')!.value, 1.7976931348623157e308);
      const history = t.metrics.getHistory({ run_id: id, metric_key: 'acc' }).metrics;
      assert.deepEqual(history.map((m) => [m.step, m.value]), [[1, 0.9], [2, 0.5], [2, 0.7]]);
      const summary = t.metrics.summaries([id])[id].find((s) => s.key === 'acc')!;
      assert.deepEqual([summary.count, summary.min, summary.max, summary.last], [3, 0.5, 0.9, 0.7]);
    });

    it('ignores exact duplicate points (a retried batch) but keeps distinct ones', () => {
      const { info } = t.createRun({});
      const batch = { run_id: info.run_id, metrics: [1, 2, 3].map((s) => ({ key: 'm', value: s, timestamp: 100 + s, step: s })) };
      t.logBatch(batch);
      t.logBatch(batch);
      t.logBatch({ run_id: info.run_id, metrics: [{ key: 'm', value: 2.5, timestamp: 102, step: 2 }] });
      assert.equal(t.metrics.getHistory({ run_id: info.run_id, metric_key: 'm' }).metrics.length, 4);
    });

    it('validates metrics with MLflow\'s messages', () => {
      const { info } = t.createRun({});
      const id = info.run_id;
      rejects(() => t.logMetric({ run_id: id, key: 'k', value: 'x', timestamp: 1 }), 'INVALID_PARAMETER_VALUE', /^Got invalid value x for metric 'k'/);
      rejects(() => t.logMetric({ run_id: id, key: 'k', value: true, timestamp: 1 }), 'INVALID_PARAMETER_VALUE', /Got invalid value true/);
      rejects(() => t.logMetric({ run_id: id, key: 'k', value: 1, timestamp: -1 }), 'INVALID_PARAMETER_VALUE', /Got invalid timestamp -1/);
      rejects(() => t.logMetric({ run_id: id, key: 'k', value: 1, timestamp: 1, step: 1.5 }), 'INVALID_PARAMETER_VALUE', /Got invalid step 1.5/);
      rejects(() => t.logMetric({ run_id: id, key: 'bad key!', value: 1, timestamp: 1 }), 'INVALID_PARAMETER_VALUE', /Invalid metric name: 'bad key!'/);
      rejects(() => t.logMetric({ run_id: id, key: 'k', value: 1 }), 'INVALID_PARAMETER_VALUE', /'timestamp'/);
      rejects(() => t.logMetric({ key: 'k', value: 1, timestamp: 1 }), 'INVALID_PARAMETER_VALUE', /Missing value for required parameter 'run_id'/);
      rejects(() => t.logMetric({ run_id: 'f'.repeat(32), key: 'k', value: 1, timestamp: 1 }), 'RESOURCE_DOES_NOT_EXIST', /^Run with id=f+ not found$/);
    });

    it('rejects duplicate param keys and over-limit batches, applying nothing', () => {
      const { info } = t.createRun({});
      rejects(
        () => t.logBatch({ run_id: info.run_id, params: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] }),
        'INVALID_PARAMETER_VALUE',
        /Duplicate parameter keys have been submitted: \['a'\]/,
      );
      rejects(
        () => t.logBatch({ run_id: info.run_id, metrics: Array.from({ length: 1001 }, (_, i) => ({ key: 'k', value: i, timestamp: 1, step: i })) }),
        'INVALID_PARAMETER_VALUE',
        /at most 1000 metrics/,
      );
      t.logParam({ run_id: info.run_id, key: 'p', value: 'old' });
      rejects(
        () => t.logBatch({ run_id: info.run_id, metrics: [{ key: 'z', value: 1, timestamp: 1 }], params: [{ key: 'p', value: 'new' }] }),
        'INVALID_PARAMETER_VALUE',
      );
      assert.equal(t.getRun({ run_id: info.run_id }).data.metrics, undefined, 'a refused batch writes nothing');
    });

    it('deletes and restores runs; deleted runs refuse writes', () => {
      const { info } = t.createRun({});
      t.deleteRun(info.run_id);
      assert.equal(t.getRun({ run_id: info.run_id }).info.lifecycle_stage, 'deleted');
      rejects(() => t.setTag({ run_id: info.run_id, key: 'a', value: 'b' }), 'INVALID_PARAMETER_VALUE', /must be in the 'active' state/);
      t.restoreRun(info.run_id);
      t.setTag({ run_id: info.run_id, key: 'a', value: 'b' });
      t.deleteTag({ run_id: info.run_id, key: 'a' });
      rejects(() => t.deleteTag({ run_id: info.run_id, key: 'a' }), 'RESOURCE_DOES_NOT_EXIST', /No tag with name: a/);
    });

    it('deleting an experiment deletes its runs; restoring brings them back', () => {
      const { experiment_id } = t.createExperiment({ name: 'e' });
      const { info } = t.createRun({ experiment_id });
      t.deleteExperiment(experiment_id);
      assert.equal(t.getRun({ run_id: info.run_id }).info.lifecycle_stage, 'deleted');
      rejects(() => t.createRun({ experiment_id }), 'INVALID_PARAMETER_VALUE', /must be in the 'active' state/);
      t.restoreExperiment(experiment_id);
      assert.equal(t.getRun({ run_id: info.run_id }).info.lifecycle_stage, 'active');
    });

    it('records nested runs and dataset inputs', () => {
      const parent = t.createRun({ run_name: 'parent' });
      const child = t.createRun({ tags: [{ key: 'mlflow.parentRunId', value: parent.info.run_id }] });
      const row = backend.store.db.get<{ parent_run_uuid: string }>('SELECT parent_run_uuid FROM runs WHERE run_uuid = ?', [child.info.run_id]);
      assert.equal(row?.parent_run_uuid, parent.info.run_id);
      const dataset = { name: 'train', digest: 'abc123', source_type: 'local', source: '/data/train.csv', schema: '{"a":1}' };
      t.logInputs({ run_id: child.info.run_id, datasets: [{ dataset, tags: [{ key: 'mlflow.data.context', value: 'training' }] }] });
      t.logInputs({ run_id: child.info.run_id, datasets: [{ dataset }] });
      assert.deepEqual(t.getRun({ run_id: child.info.run_id }).inputs, {
        dataset_inputs: [{ dataset, tags: [{ key: 'mlflow.data.context', value: 'training' }] }],
      });
      rejects(() => t.logInputs({ run_id: child.info.run_id, datasets: [{ dataset: { name: 'x' } }] }), 'INVALID_PARAMETER_VALUE', /Dataset digest cannot be None/);
    });

    it('purges deleted runs and experiments with gc', () => {
      const keep = t.createRun({});
      const gone = t.createRun({});
      t.logMetric({ run_id: gone.info.run_id, key: 'm', value: 1, timestamp: 1 });
      t.deleteRun(gone.info.run_id);
      const { experiment_id } = t.createExperiment({ name: 'old' });
      t.createRun({ experiment_id });
      t.deleteExperiment(experiment_id);
      const result = t.gc();
      assert.deepEqual(result, { runs: [gone.info.run_id], experiments: [experiment_id] });
      rejects(() => t.getRun({ run_id: gone.info.run_id }), 'RESOURCE_DOES_NOT_EXIST');
      rejects(() => t.getExperiment(experiment_id), 'RESOURCE_DOES_NOT_EXIST');
      assert.equal(t.getRun({ run_id: keep.info.run_id }).info.lifecycle_stage, 'active');
      assert.equal(Number(backend.store.db.scalar('SELECT COUNT(*) FROM metric_series')), 0);
      rejects(() => t.gc({ runIds: [keep.info.run_id] }), 'INVALID_PARAMETER_VALUE', /not in the deleted state/);
    });
  });
});

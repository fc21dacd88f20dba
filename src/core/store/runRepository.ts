import type { DatasetInput, Metric, Param, Run, RunInfo, RunStatus, RunTag } from '../../shared/entities';
import type { Database } from './database';
import type { MetricHistory, MetricPoint } from './metricHistory';
import type { Appliers, TrackingMutation } from './mutations';
import { TrackingError, invalidParameter, notFound } from './trackingError';

export interface RunRow {
  run_int: number;
  run_uuid: string;
  experiment_id: number;
  name: string;
  user_id: string;
  status: RunStatus;
  start_time: number | null;
  end_time: number | null;
  lifecycle_stage: 'active' | 'deleted';
  artifact_uri: string;
  deleted_time: number | null;
  parent_run_uuid: string | null;
}

type RunMutation = Exclude<
  TrackingMutation,
  { t: 'createExperiment' | 'renameExperiment' | 'deleteExperiment' | 'restoreExperiment' | 'setExperimentTag' }
>;

export const RUN_NAME_TAG = 'mlflow.runName';
export const PARENT_RUN_TAG = 'mlflow.parentRunId';
const IN_CHUNK = 500;

/** Runs, params, tags and dataset inputs: SQL reads and the appliers of run mutations. */
export class RunRepository {
  constructor(private readonly db: Database, private readonly history: MetricHistory) {}

  readonly appliers: Appliers<RunMutation> = {
    createRun: (m) => {
      const experiment = this.db.get<{ lifecycle_stage: string }>(
        'SELECT lifecycle_stage FROM experiments WHERE experiment_id = ?',
        [m.experimentId],
      );
      if (!experiment) throw notFound(`No Experiment with id=${m.experimentId} exists`);
      if (experiment.lifecycle_stage !== 'active') {
        throw invalidParameter(
          `The experiment ${m.experimentId} must be in the 'active' state. Current state is ${experiment.lifecycle_stage}.`,
        );
      }
      const parent = m.tags.find((t) => t.key === PARENT_RUN_TAG)?.value ?? null;
      this.db.run(
        `INSERT INTO runs(run_uuid, experiment_id, name, user_id, status, start_time, lifecycle_stage, artifact_uri, parent_run_uuid)
         VALUES (?, ?, ?, ?, 'RUNNING', ?, 'active', ?, ?)`,
        [m.runId, m.experimentId, m.name, m.userId, m.startTime, m.artifactUri, parent],
      );
      const runInt = this.db.lastInsertRowId();
      for (const tag of m.tags) this.writeTag(runInt, tag.key, tag.value);
    },
    importRun: (m) => {
      const experiment = this.db.get<{ lifecycle_stage: string }>(
        'SELECT lifecycle_stage FROM experiments WHERE experiment_id = ?',
        [m.experimentId],
      );
      if (!experiment) throw notFound(`No Experiment with id=${m.experimentId} exists`);
      if (experiment.lifecycle_stage !== 'active') {
        throw invalidParameter(
          `The experiment ${m.experimentId} must be in the 'active' state. Current state is ${experiment.lifecycle_stage}.`,
        );
      }
      if (this.db.scalar('SELECT 1 FROM runs WHERE run_uuid = ?', [m.runId])) {
        throw new TrackingError('RESOURCE_ALREADY_EXISTS', `Run with id=${m.runId} already exists.`);
      }
      const parent = m.tags.find((t) => t.key === PARENT_RUN_TAG)?.value ?? null;
      this.db.run(
        `INSERT INTO runs(run_uuid, experiment_id, name, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri, parent_run_uuid)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)`,
        [m.runId, m.experimentId, m.name, m.userId, m.status, m.startTime, m.endTime, m.artifactUri, parent],
      );
      const runInt = this.db.lastInsertRowId();
      for (const tag of m.tags) this.writeTag(runInt, tag.key, tag.value);
    },
    updateRun: (m) => {
      const row = this.activeRow(m.runId);
      if (m.status !== undefined) this.db.run('UPDATE runs SET status = ? WHERE run_int = ?', [m.status, row.run_int]);
      if (m.endTime !== undefined) this.db.run('UPDATE runs SET end_time = ? WHERE run_int = ?', [m.endTime, row.run_int]);
      if (m.name !== undefined) this.writeTag(row.run_int, RUN_NAME_TAG, m.name);
    },
    deleteRun: (m) => {
      const row = this.row(m.runId);
      this.db.run(`UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ? WHERE run_int = ?`, [
        row.deleted_time ?? m.now,
        row.run_int,
      ]);
    },
    restoreRun: (m) => {
      const row = this.row(m.runId);
      this.db.run(`UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE run_int = ?`, [row.run_int]);
    },
    logBatch: (m) => {
      const row = this.activeRow(m.runId);
      for (const param of m.params) {
        const existing = this.db.scalar<string>('SELECT value FROM params WHERE run_int = ? AND key = ?', [row.run_int, param.key]);
        if (existing === undefined) {
          this.db.run('INSERT INTO params(run_int, key, value) VALUES (?, ?, ?)', [row.run_int, param.key, param.value]);
        } else if (existing !== param.value) {
          throw invalidParameter(
            `Changing param values is not allowed. Param with key='${param.key}' was already logged with ` +
              `value='${existing}' for run ID='${m.runId}'. Attempted logging new value '${param.value}'.`,
          );
        }
      }
      for (const tag of m.tags) this.writeTag(row.run_int, tag.key, tag.value);
      if (m.metrics.length > 0) {
        const points: MetricPoint[] = m.metrics.map(([key, value, timestamp, step]) => ({
          key,
          value: value === null ? NaN : value,
          timestamp,
          step,
        }));
        this.history.append(row.run_int, points);
      }
    },
    deleteTag: (m) => {
      const row = this.activeRow(m.runId);
      const removed = this.db.run('DELETE FROM tags WHERE run_int = ? AND key = ?', [row.run_int, m.key]);
      if (removed === 0) throw notFound(`No tag with name: ${m.key} in run with id ${m.runId}`);
      if (m.key === PARENT_RUN_TAG) this.db.run('UPDATE runs SET parent_run_uuid = NULL WHERE run_int = ?', [row.run_int]);
    },
    logInputs: (m) => {
      const row = this.activeRow(m.runId);
      for (const input of m.datasets) {
        this.db.run(
          `INSERT OR IGNORE INTO datasets(experiment_id, name, digest, source_type, source, schema, profile)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
          [row.experiment_id, input.name, input.digest, input.sourceType, input.source, input.schema ?? null, input.profile ?? null],
        );
        const datasetId = Number(
          this.db.scalar('SELECT dataset_id FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?', [
            row.experiment_id,
            input.name,
            input.digest,
          ]),
        );
        this.db.run('INSERT OR IGNORE INTO run_inputs(run_int, dataset_id) VALUES (?, ?)', [row.run_int, datasetId]);
        for (const tag of input.tags) {
          this.db.run('INSERT OR REPLACE INTO run_input_tags(run_int, dataset_id, key, value) VALUES (?, ?, ?, ?)', [
            row.run_int,
            datasetId,
            tag.key,
            tag.value,
          ]);
        }
      }
    },
    purge: (m) => {
      const runInts = m.runIds.map((id) => this.row(id).run_int);
      for (const experimentId of m.experimentIds) {
        for (const [runInt] of this.db.values('SELECT run_int FROM runs WHERE experiment_id = ?', [experimentId])) {
          runInts.push(runInt as number);
        }
      }
      this.history.purgeRuns(runInts);
      for (const runInt of runInts) {
        for (const table of ['params', 'tags', 'run_inputs', 'run_input_tags', 'runs']) {
          this.db.run(`DELETE FROM ${table} WHERE run_int = ?`, [runInt]);
        }
      }
      for (const experimentId of m.experimentIds) {
        this.db.run('DELETE FROM experiment_tags WHERE experiment_id = ?', [experimentId]);
        this.db.run('DELETE FROM datasets WHERE experiment_id = ?', [experimentId]);
        this.db.run('DELETE FROM experiments WHERE experiment_id = ?', [experimentId]);
      }
    },
  };

  /** The run row; RESOURCE_DOES_NOT_EXIST with MLflow's message when absent. */
  row(runId: string): RunRow {
    const row = this.db.get<RunRow>('SELECT * FROM runs WHERE run_uuid = ?', [runId]);
    if (!row) throw notFound(`Run with id=${runId} not found`);
    return row;
  }

  /** The run row, refusing a deleted run as MLflow does for every write. */
  activeRow(runId: string): RunRow {
    const row = this.row(runId);
    if (row.lifecycle_stage !== 'active') {
      throw invalidParameter(`The run ${runId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`);
    }
    return row;
  }

  getRun(runId: string): Run {
    return this.runsByInts([this.row(runId).run_int])[0];
  }

  /** Full runs (info, latest metrics, params, tags, inputs) for these integer ids, in that order. */
  runsByInts(runInts: number[]): Run[] {
    if (runInts.length === 0) return [];
    const rows = new Map<number, RunRow>();
    const metrics = new Map<number, Metric[]>();
    const params = new Map<number, Param[]>();
    const tags = new Map<number, RunTag[]>();
    const inputs = new Map<number, DatasetInput[]>();
    const push = <T>(map: Map<number, T[]>, key: number, value: T): void => {
      const list = map.get(key);
      if (list) list.push(value);
      else map.set(key, [value]);
    };
    for (let i = 0; i < runInts.length; i += IN_CHUNK) {
      const chunk = runInts.slice(i, i + IN_CHUNK);
      const marks = chunk.map(() => '?').join(',');
      for (const row of this.db.all<RunRow>(`SELECT * FROM runs WHERE run_int IN (${marks})`, chunk)) rows.set(row.run_int, row);
      this.db.each(
        `SELECT s.run_int, k.key, s.last_value, s.last_is_nan, s.last_timestamp, s.last_step
           FROM metric_series s JOIN metric_keys k ON k.key_id = s.key_id
          WHERE s.run_int IN (${marks}) AND s.count > 0 ORDER BY k.key`,
        chunk,
        (r) =>
          push(metrics, r[0] as number, {
            key: r[1] as string,
            value: r[3] ? 'NaN' : (r[2] as number),
            timestamp: r[4] as number,
            step: r[5] as number,
          }),
      );
      this.db.each(`SELECT run_int, key, value FROM params WHERE run_int IN (${marks}) ORDER BY key`, chunk, (r) =>
        push(params, r[0] as number, { key: r[1] as string, value: r[2] as string }),
      );
      this.db.each(`SELECT run_int, key, value FROM tags WHERE run_int IN (${marks}) ORDER BY key`, chunk, (r) =>
        push(tags, r[0] as number, { key: r[1] as string, value: r[2] as string }),
      );
      this.db.each(
        `SELECT i.run_int, d.dataset_id, d.name, d.digest, d.source_type, d.source, d.schema, d.profile
           FROM run_inputs i JOIN datasets d ON d.dataset_id = i.dataset_id
          WHERE i.run_int IN (${marks}) ORDER BY d.dataset_id`,
        chunk,
        (r) => {
          const input: DatasetInput = {
            dataset: { name: r[2] as string, digest: r[3] as string, source_type: r[4] as string, source: r[5] as string },
          };
          if (r[6] !== null) input.dataset.schema = r[6] as string;
          if (r[7] !== null) input.dataset.profile = r[7] as string;
          const inputTags = this.db.all<RunTag>(
            'SELECT key, value FROM run_input_tags WHERE run_int = ? AND dataset_id = ? ORDER BY key',
            [r[0], r[1]],
          );
          if (inputTags.length > 0) input.tags = inputTags;
          push(inputs, r[0] as number, input);
        },
      );
    }
    return runInts.flatMap((runInt) => {
      const row = rows.get(runInt);
      if (!row) return [];
      const data: Run['data'] = {};
      if (metrics.has(runInt)) data.metrics = metrics.get(runInt);
      if (params.has(runInt)) data.params = params.get(runInt);
      if (tags.has(runInt)) data.tags = tags.get(runInt);
      const runInputs: Run['inputs'] = inputs.has(runInt) ? { dataset_inputs: inputs.get(runInt) } : {};
      return [{ info: toRunInfo(row), data, inputs: runInputs }];
    });
  }

  private writeTag(runInt: number, key: string, value: string): void {
    this.db.run('INSERT OR REPLACE INTO tags(run_int, key, value) VALUES (?, ?, ?)', [runInt, key, value]);
    if (key === RUN_NAME_TAG) this.db.run('UPDATE runs SET name = ? WHERE run_int = ?', [value, runInt]);
    if (key === PARENT_RUN_TAG) this.db.run('UPDATE runs SET parent_run_uuid = ? WHERE run_int = ?', [value, runInt]);
  }
}

export function toRunInfo(row: RunRow): RunInfo {
  const info: RunInfo = {
    run_id: row.run_uuid,
    run_uuid: row.run_uuid,
    run_name: row.name,
    experiment_id: String(row.experiment_id),
    status: row.status,
    artifact_uri: row.artifact_uri,
    lifecycle_stage: row.lifecycle_stage,
  };
  if (row.user_id) info.user_id = row.user_id;
  if (row.start_time !== null) info.start_time = row.start_time;
  if (row.end_time !== null) info.end_time = row.end_time;
  return info;
}

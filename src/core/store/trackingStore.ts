import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Experiment, Run, RunInfo, RunStatus } from '../../shared/entities';
import { RUN_STATUSES } from '../../shared/entities';
import { buildExperimentSearchSql } from '../search/experimentSearchSql';
import { decodePageToken, encodePageToken } from '../search/pageToken';
import { buildRunSearchSql } from '../search/runSearchSql';
import { ExperimentRepository } from './experimentRepository';
import { MetricQueries } from './metricQueries';
import type { ResolvedDatasetInput, TrackingMutation } from './mutations';
import { PARENT_RUN_TAG, RUN_NAME_TAG, RunRepository } from './runRepository';
import { generateRunId, generateRunName } from './runNames';
import { runsTableJson } from './runsTableQuery';
import type { Store } from './store';
import { TrackingError, invalidParameter, notFound } from './trackingError';
import {
  listOf,
  optionalTime,
  runIdOf,
  stringList,
  validateBatch,
  validateExperimentTag,
  validateParam,
  validateRunTag,
  type KeyValueInput,
  type MetricInput,
} from './trackingRequests';
import {
  LIMITS,
  optionalString,
  parseViewType,
  requirePresent,
  requireString,
  validateExperimentId,
  validateExperimentName,
  validateMaxResults,
  validateRunId,
} from './validation';

export const DEFAULT_EXPERIMENT_ID = 0;
export const ARTIFACTS_FOLDER = 'artifacts';

function parseStatus(value: unknown): RunStatus | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const status = typeof value === 'number' ? RUN_STATUSES[value - 1] : (RUN_STATUSES.find((s) => s === String(value).toUpperCase()));
  if (!status) throw invalidParameter(`Invalid value '${String(value)}' for run status: expected one of ${RUN_STATUSES.join(', ')}.`);
  return status;
}

/**
 * MLflow's tracking service over one store: experiments, runs, params, metrics, tags, inputs,
 * search and garbage collection. Every entry point (REST, CLI, extension) goes through here, so
 * every one gets MLflow's validation rules and messages.
 */
export class TrackingStore {
  readonly experiments: ExperimentRepository;
  readonly runs: RunRepository;
  readonly metrics: MetricQueries;

  constructor(private readonly store: Store) {
    this.experiments = new ExperimentRepository(store.db);
    this.runs = new RunRepository(store.db, store.history);
    this.metrics = new MetricQueries(store.db, store.history, this.runs);
    const appliers = { ...this.experiments.appliers, ...this.runs.appliers } as Record<string, (m: TrackingMutation) => void>;
    store.addApplier((m) => appliers[m.t]?.(m as TrackingMutation));
  }

  /** Creates experiment "0" (Default) in a new store. */
  ensureDefaultExperiment(): void {
    if (this.store.db.scalar('SELECT 1 FROM experiments WHERE experiment_id = ?', [DEFAULT_EXPERIMENT_ID])) return;
    this.store.commit({
      t: 'createExperiment', id: DEFAULT_EXPERIMENT_ID, name: 'Default', artifactLocation: `mlflow-artifacts:/${DEFAULT_EXPERIMENT_ID}`,
      tags: [], now: Date.now(),
    });
  }

  /** Where `mlflow-artifacts:/…` URIs live on disk (undefined for an in-memory store). */
  get artifactsRoot(): string | undefined {
    return this.store.folder ? path.join(this.store.folder, ARTIFACTS_FOLDER) : undefined;
  }

  // ---- experiments -------------------------------------------------------------------------

  createExperiment(req: { name?: unknown; artifact_location?: unknown; tags?: unknown }): { experiment_id: string } {
    requirePresent(req.name, 'name');
    const name = validateExperimentName(req.name);
    const artifactLocation = optionalString(req.artifact_location, 'artifact_location');
    if (artifactLocation?.startsWith('runs:')) {
      throw invalidParameter(`Artifact location cannot be a runs:/ URI. Given: '${artifactLocation}'`);
    }
    const tags = listOf<KeyValueInput>(req.tags, 'tags').map(validateExperimentTag);
    const id = this.experiments.nextId();
    this.store.commit({
      t: 'createExperiment', id, name, artifactLocation: artifactLocation || `mlflow-artifacts:/${id}`, tags, now: Date.now(),
    });
    return { experiment_id: String(id) };
  }

  getExperiment(experimentId: unknown): Experiment {
    return this.experiments.get(this.experimentInt(experimentId));
  }

  getExperimentByName(name: unknown): Experiment {
    const experimentName = requireString(name, 'experiment_name');
    const experiment = this.experiments.findByName(experimentName);
    if (!experiment) throw notFound(`Could not find experiment with name '${experimentName}'`);
    return experiment;
  }

  searchExperiments(req: { max_results?: unknown; page_token?: unknown; filter?: unknown; order_by?: unknown; view_type?: unknown }): {
    experiments: Experiment[];
    next_page_token?: string;
  } {
    const limit = validateMaxResults(req.max_results, 1000, LIMITS.experimentsMaxResults);
    const offset = decodePageToken(optionalString(req.page_token, 'page_token'));
    const { sql, params } = buildExperimentSearchSql({
      filter: optionalString(req.filter, 'filter'),
      viewType: parseViewType(req.view_type),
      orderBy: stringList(req.order_by, 'order_by'),
      limit: limit + 1,
      offset,
    });
    const ids = this.store.db.values(sql, params).map((row) => Number(row[0]));
    const page = ids.slice(0, limit);
    const result: { experiments: Experiment[]; next_page_token?: string } = { experiments: this.experiments.byIds(page) };
    if (ids.length > limit) result.next_page_token = encodePageToken(offset + limit);
    return result;
  }

  updateExperiment(req: { experiment_id?: unknown; new_name?: unknown }): void {
    const id = this.experimentInt(req.experiment_id);
    requirePresent(req.new_name, 'new_name');
    const name = validateExperimentName(req.new_name);
    this.experiments.row(id);
    this.store.commit({ t: 'renameExperiment', id, name, now: Date.now() });
  }

  deleteExperiment(experimentId: unknown): void {
    const id = this.experimentInt(experimentId);
    if (id === DEFAULT_EXPERIMENT_ID) {
      throw invalidParameter(`Cannot delete the default experiment '${DEFAULT_EXPERIMENT_ID}'. This is an internally reserved experiment.`);
    }
    this.experiments.row(id);
    this.store.commit({ t: 'deleteExperiment', id, now: Date.now() });
  }

  restoreExperiment(experimentId: unknown): void {
    const id = this.experimentInt(experimentId);
    this.experiments.row(id);
    this.store.commit({ t: 'restoreExperiment', id, now: Date.now() });
  }

  setExperimentTag(req: { experiment_id?: unknown; key?: unknown; value?: unknown }): void {
    const id = this.experimentInt(req.experiment_id);
    requirePresent(req.key, 'key');
    const tag = validateExperimentTag(req);
    this.store.commit({ t: 'setExperimentTag', id, key: tag.key, value: tag.value, now: Date.now() });
  }

  // ---- runs --------------------------------------------------------------------------------

  createRun(req: { experiment_id?: unknown; user_id?: unknown; run_name?: unknown; start_time?: unknown; tags?: unknown }): Run {
    const experimentId = req.experiment_id === undefined || req.experiment_id === '' ? DEFAULT_EXPERIMENT_ID : this.experimentInt(req.experiment_id);
    const experiment = this.experiments.get(experimentId);
    const tags = listOf<KeyValueInput>(req.tags, 'tags').map(validateRunTag);
    const tagName = tags.find((t) => t.key === RUN_NAME_TAG)?.value;
    const runName = optionalString(req.run_name, 'run_name') || undefined;
    if (runName && tagName && runName !== tagName) {
      throw invalidParameter(
        `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values ` +
          `(run_name='${runName}', mlflow.runName='${tagName}').`,
      );
    }
    const name = runName ?? tagName ?? generateRunName();
    const withName = tags.filter((t) => t.key !== RUN_NAME_TAG).concat({ key: RUN_NAME_TAG, value: name });
    const parent = tags.find((t) => t.key === PARENT_RUN_TAG)?.value;
    if (parent) validateRunId(parent);
    const runId = generateRunId();
    const userId = optionalString(req.user_id, 'user_id') || tags.find((t) => t.key === 'mlflow.user')?.value || '';
    this.store.commit({
      t: 'createRun', runId, experimentId, name, userId,
      startTime: optionalTime(req.start_time, 'start_time') ?? Date.now(),
      artifactUri: `${experiment.artifact_location.replace(/\/+$/, '')}/${runId}/artifacts`,
      tags: withName,
    });
    return this.runs.getRun(runId);
  }

  /**
   * Trackside extra for importers (`importMlflow`): creates a run with the id, name, user, status,
   * start/end times and artifact URI it had in another MLflow store. Validated as createRun is;
   * the id must be a valid run id not used yet. Log its data afterwards, then `deleteRun` it with
   * its `deletedTime` if it was deleted there.
   */
  importRun(req: {
    run_id?: unknown; experiment_id?: unknown; run_name?: unknown; user_id?: unknown; status?: unknown;
    start_time?: unknown; end_time?: unknown; artifact_uri?: unknown; tags?: unknown;
  }): Run {
    const runId = validateRunId(requireString(req.run_id, 'run_id'));
    const experimentId = this.experimentInt(req.experiment_id);
    this.experiments.row(experimentId);
    if (this.store.db.scalar('SELECT 1 FROM runs WHERE run_uuid = ?', [runId])) {
      throw new TrackingError('RESOURCE_ALREADY_EXISTS', `Run with id=${runId} already exists.`);
    }
    const tags = listOf<KeyValueInput>(req.tags, 'tags').map(validateRunTag);
    const name = optionalString(req.run_name, 'run_name') || tags.find((t) => t.key === RUN_NAME_TAG)?.value || '';
    const parent = tags.find((t) => t.key === PARENT_RUN_TAG)?.value;
    if (parent) validateRunId(parent);
    this.store.commit({
      t: 'importRun', runId, experimentId, name,
      userId: optionalString(req.user_id, 'user_id') ?? '',
      status: parseStatus(req.status) ?? 'RUNNING',
      startTime: optionalTime(req.start_time, 'start_time') ?? null,
      endTime: optionalTime(req.end_time, 'end_time') ?? null,
      artifactUri: requireString(req.artifact_uri, 'artifact_uri'),
      tags: name ? tags.filter((t) => t.key !== RUN_NAME_TAG).concat({ key: RUN_NAME_TAG, value: name }) : tags,
    });
    return this.runs.getRun(runId);
  }

  getRun(req: { run_id?: unknown; run_uuid?: unknown }): Run {
    return this.runs.getRun(runIdOf(req));
  }

  updateRun(req: { run_id?: unknown; run_uuid?: unknown; status?: unknown; end_time?: unknown; run_name?: unknown }): RunInfo {
    const runId = runIdOf(req);
    this.runs.activeRow(runId);
    const name = optionalString(req.run_name, 'run_name') || undefined;
    this.store.commit({
      t: 'updateRun', runId, status: parseStatus(req.status), endTime: optionalTime(req.end_time, 'end_time'), name,
    });
    return this.runs.getRun(runId).info;
  }

  /** `deletedTime` (importers only) keeps the time a run was deleted in the store it came from. */
  deleteRun(runId: unknown, options: { deletedTime?: unknown } = {}): void {
    const id = requireString(runId, 'run_id');
    const deletedTime = optionalTime(options.deletedTime, 'deleted_time');
    this.runs.row(id);
    this.store.commit({ t: 'deleteRun', runId: id, now: deletedTime ?? Date.now() });
  }

  restoreRun(runId: unknown): void {
    const id = requireString(runId, 'run_id');
    this.runs.row(id);
    this.store.commit({ t: 'restoreRun', runId: id });
  }

  logMetric(req: MetricInput & { run_id?: unknown; run_uuid?: unknown }): void {
    const runId = runIdOf(req);
    requirePresent(req.key, 'key');
    requirePresent(req.value, 'value');
    this.commitBatch(validateBatch(runId, { metrics: [req] }));
  }

  logParam(req: KeyValueInput & { run_id?: unknown; run_uuid?: unknown }): void {
    const runId = runIdOf(req);
    requirePresent(req.key, 'key');
    this.commitBatch({ t: 'logBatch', runId, metrics: [], params: [validateParam(req)], tags: [] });
  }

  setTag(req: KeyValueInput & { run_id?: unknown; run_uuid?: unknown }): void {
    const runId = runIdOf(req);
    requirePresent(req.key, 'key');
    this.commitBatch({ t: 'logBatch', runId, metrics: [], params: [], tags: [validateRunTag(req)] });
  }

  deleteTag(req: { run_id?: unknown; key?: unknown }): void {
    const runId = requireString(req.run_id, 'run_id');
    const key = requireString(req.key, 'key');
    this.runs.activeRow(runId);
    this.store.commit({ t: 'deleteTag', runId, key });
  }

  logBatch(req: { run_id?: unknown; run_uuid?: unknown; metrics?: unknown; params?: unknown; tags?: unknown }): void {
    this.commitBatch(validateBatch(runIdOf(req), req));
  }

  logInputs(req: { run_id?: unknown; datasets?: unknown }): void {
    const runId = requireString(req.run_id, 'run_id');
    const datasets = listOf<{ dataset?: Record<string, unknown>; tags?: unknown }>(req.datasets, 'datasets').map(validateDatasetInput);
    this.runs.activeRow(runId);
    if (datasets.length > 0) this.store.commit({ t: 'logInputs', runId, datasets });
  }

  searchRuns(req: {
    experiment_ids?: unknown; filter?: unknown; run_view_type?: unknown; max_results?: unknown; order_by?: unknown; page_token?: unknown;
  }): { runs: Run[]; next_page_token?: string } {
    const experimentIds = listOf<unknown>(typeof req.experiment_ids === 'string' ? [req.experiment_ids] : req.experiment_ids, 'experiment_ids')
      .map((id) => Number(validateExperimentId(id)))
      .filter((id) => Number.isInteger(id));
    const limit = validateMaxResults(req.max_results, LIMITS.searchRunsDefault, LIMITS.searchRunsMaxResults);
    const offset = decodePageToken(optionalString(req.page_token, 'page_token'));
    const { sql, params } = buildRunSearchSql({
      experimentIds,
      filter: optionalString(req.filter, 'filter'),
      viewType: parseViewType(req.run_view_type),
      orderBy: stringList(req.order_by, 'order_by'),
      limit: limit + 1,
      offset,
    });
    const runInts = this.store.db.values(sql, params).map((row) => Number(row[0]));
    const result: { runs: Run[]; next_page_token?: string } = { runs: this.runs.runsByInts(runInts.slice(0, limit)) };
    if (runInts.length > limit) result.next_page_token = encodePageToken(offset + limit);
    return result;
  }

  /** Trackside extra: the runs table of experiments as SQL-built JSON (see runsTableQuery). */
  runsTable(req: Parameters<typeof runsTableJson>[1]): string {
    return runsTableJson(this.store.db, req);
  }

  /**
   * Permanently deletes runs and experiments in the deleted state (all of them, those older than
   * `olderThanMs`, or the given ids) with their metrics and local artifacts — `mlflow gc`.
   */
  gc(options: { olderThanMs?: number; runIds?: string[]; experimentIds?: string[] } = {}): { runs: string[]; experiments: string[] } {
    const cutoff = options.olderThanMs === undefined ? Infinity : Date.now() - options.olderThanMs;
    const db = this.store.db;
    const deletedExperiments = db
      .values(`SELECT experiment_id, deleted_time FROM experiments WHERE lifecycle_stage = 'deleted'`)
      .filter((r) => (r[1] as number | null ?? 0) <= cutoff)
      .map((r) => Number(r[0]));
    const experimentIds = options.experimentIds
      ? options.experimentIds.map((id) => {
          const n = this.experimentInt(id);
          if (!deletedExperiments.includes(n) && this.experiments.row(n).lifecycle_stage !== 'deleted') {
            throw invalidParameter(`Experiment ${id} is not in the deleted state; delete it before purging it.`);
          }
          return n;
        })
      : options.runIds ? [] : deletedExperiments;
    const candidates = db
      .values(`SELECT run_uuid, deleted_time, experiment_id FROM runs WHERE lifecycle_stage = 'deleted'`)
      .filter((r) => !experimentIds.includes(Number(r[2])));
    const runIds = options.runIds
      ? options.runIds.map((id) => {
          if (this.runs.row(id).lifecycle_stage !== 'deleted') throw invalidParameter(`Run ${id} is not in the deleted state; delete it before purging it.`);
          return id;
        })
      : options.experimentIds ? [] : candidates.filter((r) => (r[1] as number | null ?? 0) <= cutoff).map((r) => r[0] as string);
    const artifactDirs = [
      ...runIds.map((id) => this.runs.row(id).artifact_uri),
      ...experimentIds.map((id) => this.experiments.row(id).artifact_location),
    ];
    if (runIds.length === 0 && experimentIds.length === 0) return { runs: [], experiments: [] };
    this.store.commit({ t: 'purge', runIds, experimentIds });
    for (const uri of artifactDirs) this.removeLocalArtifacts(uri);
    return { runs: runIds, experiments: experimentIds.map(String) };
  }

  /** The local folder an `mlflow-artifacts:/…` or `file:` URI names, or undefined. */
  localArtifactPath(uri: string): string | undefined {
    if (uri.startsWith('mlflow-artifacts:') && this.artifactsRoot) {
      const rel = uri.slice('mlflow-artifacts:'.length).replace(/^\/+/, '');
      const resolved = path.resolve(this.artifactsRoot, rel);
      return resolved.startsWith(this.artifactsRoot + path.sep) || resolved === this.artifactsRoot ? resolved : undefined;
    }
    if (uri.startsWith('file://')) return decodeURIComponent(new URL(uri).pathname);
    if (path.isAbsolute(uri)) return uri;
    return undefined;
  }

  private removeLocalArtifacts(uri: string): void {
    const local = uri.startsWith('mlflow-artifacts:') ? this.localArtifactPath(uri) : undefined;
    if (!local || local === this.artifactsRoot) return;
    // A run's folder is <exp>/<run>/artifacts: remove <exp>/<run>.
    const target = path.basename(local) === 'artifacts' ? path.dirname(local) : local;
    fs.rmSync(target, { recursive: true, force: true });
  }

  private commitBatch(m: Extract<TrackingMutation, { t: 'logBatch' }>): void {
    this.runs.activeRow(m.runId);
    this.store.commit(m);
  }

  private experimentInt(value: unknown): number {
    const id = validateExperimentId(value === undefined || value === null || value === '' ? requireString(value, 'experiment_id') : value);
    const n = Number(id);
    if (!Number.isSafeInteger(n)) throw notFound(`No Experiment with id=${id} exists`);
    return n;
  }
}

function validateDatasetInput(input: { dataset?: Record<string, unknown>; tags?: unknown }): ResolvedDatasetInput {
  const d = input?.dataset;
  if (!d || typeof d !== 'object') throw invalidParameter('Dataset cannot be None');
  const field = (name: string, limit: number, label: string, required: boolean): string | undefined => {
    const value = d[name];
    if (value === undefined || value === null) {
      if (required) throw invalidParameter(`Dataset ${name} cannot be None`);
      return undefined;
    }
    if (typeof value !== 'string') throw invalidParameter(`Dataset ${name} must be a string`);
    if (value.length > limit) throw invalidParameter(`${label} exceeds the maximum length of ${limit}`);
    return value;
  };
  const tags = listOf<KeyValueInput>(input.tags, 'tags').map((tag) => {
    if (tag?.key === undefined || tag.key === null) throw invalidParameter('InputTag key cannot be None');
    if (tag.value === undefined || tag.value === null) throw invalidParameter('InputTag value cannot be None');
    const key = String(tag.key);
    const value = String(tag.value);
    if (key.length > LIMITS.inputTagKey) throw invalidParameter(`InputTag key exceeds the maximum length of ${LIMITS.inputTagKey}`);
    if (value.length > LIMITS.inputTagValue) throw invalidParameter(`InputTag value exceeds the maximum length of ${LIMITS.inputTagValue}`);
    return { key, value };
  });
  return {
    name: field('name', LIMITS.datasetName, 'Dataset name', true)!,
    digest: field('digest', LIMITS.datasetDigest, 'Dataset digest', true)!,
    sourceType: field('source_type', Infinity, 'Dataset source_type', true)!,
    source: field('source', LIMITS.datasetSource, 'Dataset source', true)!,
    schema: field('schema', LIMITS.datasetSchema, 'Dataset schema', false),
    profile: field('profile', LIMITS.datasetProfile, 'Dataset profile', false),
    tags,
  };
}

/** The user MLflow records for runs created without one. */
export function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

import fs from 'node:fs';
import type { KeyValue, Run } from '../../shared/entities';
import type { StoreBackend } from '../store/storeBackend';
import { TrackingError } from '../store/trackingError';
import { validateParam, validateRunTag } from '../store/trackingRequests';
import { LIMITS, validateKey } from '../store/validation';
import type { ImportSummary } from './importSummary';
import type { MlflowSource, SourceMetricPoint, SourceRun } from './mlflowSource';

/** Run tag naming the source a run was imported from; written last, so a run without it is partial. */
export const IMPORT_SOURCE_TAG = 'trackside.import.source';

const METRIC_PAGE = 1000;
const PARAM_BATCH = 100;
const SYNC_EVERY_PAGES = 50;

/** What one import shares between its phases. */
export interface ImportContext {
  source: MlflowSource;
  backend: StoreBackend;
  /** `sqlite:<path>` or `file:<path>`: what IMPORT_SOURCE_TAG and the experiment tags record. */
  sourceKey: string;
  artifacts: 'copy' | 'reference';
  summary: ImportSummary;
  signal?: AbortSignal;
  /** Run id → the artifact URI it had and the one it has here (model version sources follow). */
  artifactMoves: Map<string, { from: string; to: string }>;
  /** Local artifact folders that did not exist (reported together at the end). */
  missingArtifacts: string[];
  /** Runs skipped because this source's import already holds them. */
  alreadyImported: number;
  /** Called after each page of metric points with the points written so far in this run. */
  onPoints?: (runPoints: number) => void;
}

/** Gives other work (progress, abort, the journal's writes) a turn. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Imports one run with its id, times, status, user, params, tags, full metric history and dataset
 * inputs into `experimentId`, then marks it with IMPORT_SOURCE_TAG and deletes it if it was
 * deleted in the source. A run this source already imported is skipped; a partial one (an import
 * stopped half way) is removed and imported again. Any failure or abort half way removes the run.
 */
export async function importRun(ctx: ImportContext, run: SourceRun, experimentId: number): Promise<'imported' | 'skipped'> {
  const tracking = ctx.backend.tracking;
  const existing = findRun(ctx, run.runId);
  if (existing) {
    const marker = existing.data.tags?.find((t) => t.key === IMPORT_SOURCE_TAG)?.value;
    if (marker === undefined && existing.info.experiment_id === String(experimentId)) {
      purge(ctx, run.runId); // left half-imported by an import that stopped
    } else {
      ctx.summary.runs.skipped++;
      if (marker === ctx.sourceKey) {
        ctx.alreadyImported++;
        if (run.artifactUri && existing.info.artifact_uri !== run.artifactUri) {
          ctx.artifactMoves.set(run.runId, { from: run.artifactUri, to: existing.info.artifact_uri });
        }
      } else {
        const why = marker
          ? `already imported from ${marker.replace(/^\w+:/, '')}`
          : `a run with this id already exists in experiment ${existing.info.experiment_id}`;
        ctx.summary.skipped.push({ what: `run ${run.runId} (${run.name || 'unnamed'})`, why });
      }
      return 'skipped';
    }
  }

  const summary = ctx.summary;
  const before = { metrics: summary.metrics, params: summary.params, tags: summary.tags, inputs: summary.inputs, skipped: summary.skipped.length };
  const artifacts = planArtifacts(ctx, run, experimentId);
  let created = false;
  try {
    tracking.importRun({
      run_id: run.runId,
      experiment_id: String(experimentId),
      run_name: run.name,
      user_id: run.userId,
      status: run.status,
      start_time: run.startTime ?? undefined,
      end_time: run.endTime ?? undefined,
      artifact_uri: artifacts.uri,
      tags: acceptedTags(ctx, run),
    });
    created = true;
    await writeRunData(ctx, run);
    if (artifacts.copyFrom && artifacts.copyTo) {
      await fs.promises.cp(artifacts.copyFrom, artifacts.copyTo, { recursive: true, force: false, errorOnExist: false });
      ctx.artifactMoves.set(run.runId, { from: run.artifactUri ?? '', to: artifacts.uri });
    }
    tracking.setTag({ run_id: run.runId, key: IMPORT_SOURCE_TAG, value: ctx.sourceKey });
    if (run.lifecycleStage === 'deleted') tracking.deleteRun(run.runId, { deletedTime: run.deletedTime ?? undefined });
  } catch (e) {
    Object.assign(summary, { metrics: before.metrics, params: before.params, tags: before.tags, inputs: before.inputs });
    summary.skipped.length = before.skipped;
    if (created) {
      try {
        purge(ctx, run.runId);
      } catch {
        // The original error says more than a failed clean-up.
      }
    }
    throw e;
  }
  summary.artifacts[artifacts.outcome]++;
  if (artifacts.outcome === 'missing') {
    ctx.missingArtifacts.push(artifacts.copyFrom!);
    ctx.artifactMoves.set(run.runId, { from: run.artifactUri ?? '', to: artifacts.uri });
  }
  if (artifacts.note) summary.skipped.push({ what: `artifacts of run ${run.runId}`, why: artifacts.note });
  ctx.summary.runs.imported++;
  return 'imported';
}

async function writeRunData(ctx: ImportContext, run: SourceRun): Promise<void> {
  const tracking = ctx.backend.tracking;
  const params: KeyValue[] = [];
  for (const param of ctx.source.params(run.runId)) {
    const valid = accept(ctx, run, 'param', param, () => validateParam(param), LIMITS.paramValue);
    if (valid) params.push(valid);
  }
  for (let i = 0; i < params.length; i += PARAM_BATCH) {
    tracking.logBatch({ run_id: run.runId, params: params.slice(i, i + PARAM_BATCH) });
  }
  ctx.summary.params += params.length;

  const keyProblems = new Map<string, string | null>();
  let invalidPoints = 0;
  let written = 0;
  let pages = 0;
  for (const page of ctx.source.metricPages(run.runId, METRIC_PAGE)) {
    const points: SourceMetricPoint[] = [];
    for (const p of page) {
      let problem = keyProblems.get(p.key);
      if (problem === undefined) {
        problem = keyProblem(p.key);
        keyProblems.set(p.key, problem);
        if (problem) ctx.summary.skipped.push({ what: `run ${run.runId} metric '${p.key}'`, why: problem });
      }
      if (problem) continue;
      if (!(p.timestamp >= 0) || !Number.isSafeInteger(p.timestamp) || !Number.isSafeInteger(p.step)) {
        invalidPoints++;
        continue;
      }
      points.push(p);
    }
    if (points.length > 0) tracking.logBatch({ run_id: run.runId, metrics: points });
    written += points.length;
    ctx.summary.metrics += points.length;
    ctx.onPoints?.(written);
    if (++pages % SYNC_EVERY_PAGES === 0) await ctx.backend.store.synced();
    await yieldToEventLoop();
    ctx.signal?.throwIfAborted();
  }
  if (invalidPoints > 0) {
    ctx.summary.skipped.push({
      what: `run ${run.runId}: ${invalidPoints} metric point(s)`,
      why: 'their timestamp is negative or their step or timestamp is not a whole number, which MLflow no longer accepts',
    });
  }

  for (const input of ctx.source.inputs(run.runId)) {
    const dataset: Record<string, string> = { name: input.name, digest: input.digest, source_type: input.sourceType, source: input.source };
    if (input.schema !== null) dataset.schema = input.schema;
    if (input.profile !== null) dataset.profile = input.profile;
    try {
      tracking.logInputs({ run_id: run.runId, datasets: [{ dataset, tags: input.tags }] });
      ctx.summary.inputs++;
    } catch (e) {
      if (!(e instanceof TrackingError)) throw e;
      ctx.summary.skipped.push({ what: `run ${run.runId} dataset input '${input.name}' (${input.digest})`, why: e.message });
    }
  }
}

/** The run's tags as Trackside accepts them; refused ones are reported, long values truncated. */
function acceptedTags(ctx: ImportContext, run: SourceRun): KeyValue[] {
  const tags: KeyValue[] = [];
  for (const tag of ctx.source.tags(run.runId)) {
    if (tag.key === IMPORT_SOURCE_TAG) continue;
    const valid = accept(ctx, run, 'tag', tag, () => validateRunTag(tag), LIMITS.tagValue);
    if (valid) tags.push(valid);
  }
  ctx.summary.tags += tags.length;
  return tags;
}

function accept(
  ctx: ImportContext,
  run: SourceRun,
  kind: 'param' | 'tag',
  item: KeyValue,
  validate: () => KeyValue,
  limit: number,
): KeyValue | undefined {
  try {
    const valid = validate();
    if (item.value.length > limit) {
      ctx.summary.skipped.push({
        what: `run ${run.runId} ${kind} '${item.key}'`,
        why: `its value has ${item.value.length} characters; Trackside keeps the first ${limit}, as MLflow's server does`,
      });
    }
    return valid;
  } catch (e) {
    if (!(e instanceof TrackingError)) throw e;
    ctx.summary.skipped.push({ what: `run ${run.runId} ${kind} '${item.key}'`, why: e.message });
    return undefined;
  }
}

function keyProblem(key: string): string | null {
  try {
    validateKey('metric', key, 'Metric name');
    return null;
  } catch (e) {
    if (e instanceof TrackingError) return e.message;
    throw e;
  }
}

interface ArtifactPlan {
  /** The artifact URI the run gets here. */
  uri: string;
  outcome: 'copied' | 'referenced' | 'missing';
  copyFrom?: string;
  copyTo?: string;
  note?: string;
}

/** Where the run's artifacts will be: copied into this store, or the source's URI kept. */
function planArtifacts(ctx: ImportContext, run: SourceRun, experimentId: number): ArtifactPlan {
  const tracking = ctx.backend.tracking;
  const original = run.artifactUri ?? '';
  const experiment = tracking.getExperiment(String(experimentId));
  const own = `${experiment.artifact_location.replace(/\/+$/, '')}/${run.runId}/artifacts`;
  if (ctx.artifacts === 'reference') return { uri: original || own, outcome: 'referenced' };
  const local = original ? ctx.source.localArtifactFolder(original) : undefined;
  const target = tracking.localArtifactPath(own);
  if (!local || !target) {
    const note = !original
      ? undefined
      : !local
        ? `${original} is not on this machine; the run keeps that URI`
        : 'this store keeps no artifact files (it is in memory); the run keeps its original URI';
    return { uri: original || own, outcome: 'referenced', note };
  }
  if (!isFolder(local)) return { uri: own, outcome: 'missing', copyFrom: local };
  return { uri: own, outcome: 'copied', copyFrom: local, copyTo: target };
}

function findRun(ctx: ImportContext, runId: string): Run | undefined {
  try {
    return ctx.backend.tracking.getRun({ run_id: runId });
  } catch (e) {
    if (e instanceof TrackingError && e.code === 'RESOURCE_DOES_NOT_EXIST') return undefined;
    throw e;
  }
}

/** Removes a run this import created (with any artifacts it copied), as `mlflow gc` would. */
function purge(ctx: ImportContext, runId: string): void {
  const tracking = ctx.backend.tracking;
  if (tracking.runs.row(runId).lifecycle_stage !== 'deleted') tracking.deleteRun(runId);
  tracking.gc({ runIds: [runId] });
}

function isFolder(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

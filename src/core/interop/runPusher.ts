import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { splitBatch, type WireMetric } from '../client/batchSplitter';
import { artifactLocation, confinedJoin } from '../client/artifactLocation';
import { wireDouble, type MetricInput } from '../client/clientTypes';
import { TrackingClientError } from '../client/trackingClientError';
import type { DatasetInput, KeyValue, Metric, MetricSummary, Run } from '../../shared/entities';
import { PUSH_TAGS } from './pushSummary';
import { changedTags, isMissing, parentOf, pushableTags, recordedRemoteRun, tagValue, targetWrite, type PushContext } from './pushContext';

/** Dataset inputs per `log-inputs` request. */
const INPUTS_PER_REQUEST = 100;

export type RunOutcome = 'created' | 'updated' | 'unchanged';

/**
 * Pushes one local run into `experimentId` on the target. A run pushed before (found by the
 * `trackside.source_run_id` tag on the target, or by the target run id recorded on the local run)
 * gets only what it lacks: params and tags it does not have, metric points it does not have (its
 * histories are compared only where the latest value or the point count differ), dataset inputs,
 * artifact files missing or of another size, then status, end time, name and lifecycle. A new run
 * is created with its name, start time, user and tags, and the target's id is recorded on the
 * local run at once, so an interrupted push resumes instead of duplicating.
 */
export async function pushRun(ctx: PushContext, local: Run, experimentId: string, known: Map<string, Run[]>): Promise<RunOutcome> {
  const localId = local.info.run_id;
  let remote = await findRemote(ctx, local, known);
  const created = remote === undefined;
  const parent = remoteParent(ctx, local);
  if (!remote) {
    const tags: KeyValue[] = [{ key: PUSH_TAGS.sourceRunId, value: localId }];
    if (parent) tags.push({ key: 'mlflow.parentRunId', value: parent });
    const made = await targetWrite(ctx, () =>
      ctx.target.runs.create({ experimentId, runName: local.info.run_name, startTime: local.info.start_time, userId: local.info.user_id, tags }),
    );
    remote = { ...made, data: { ...made.data, metrics: [], params: [] }, inputs: {} };
  }
  const remoteId = remote.info.run_id;
  ctx.remoteRunIds.set(localId, remoteId);
  // A deleted run takes no tags (MLflow's rule): it is found again by the target's source tag.
  if (local.info.lifecycle_stage === 'active' && recordedRemoteRun(ctx, local) !== remoteId) {
    await ctx.source.runs.setTag(localId, PUSH_TAGS.runId(ctx.targetKey), remoteId);
  }

  let changed = false;
  const params = missingParams(ctx, local, remote);
  const tags = changedTags(wantedTags(local, parent), remote.data.tags);
  const metrics = await newMetricPoints(ctx, local, remote, created);
  if (params.length + tags.length + metrics.length > 0) {
    await sendBatches(ctx, remoteId, params, tags, metrics);
    ctx.summary.params += params.length;
    ctx.summary.tags += tags.length;
    ctx.summary.metrics += metrics.length;
    changed = true;
  }
  if (await pushInputs(ctx, local, remote)) changed = true;
  if (await pushArtifacts(ctx, local, remote, created)) changed = true;
  if (await finishRun(ctx, local, remote)) changed = true;
  return created ? 'created' : changed ? 'updated' : 'unchanged';
}

/**
 * The target's copy of a local run: the run recorded here when the target still has it, else a
 * run of the target experiment carrying this run's id in `trackside.source_run_id` (a push that
 * stopped between creating the run and recording it, or another store holding the same run).
 */
async function findRemote(ctx: PushContext, local: Run, known: Map<string, Run[]>): Promise<Run | undefined> {
  const candidates = known.get(local.info.run_id) ?? [];
  const recorded = recordedRemoteRun(ctx, local);
  const found = candidates.find((run) => run.info.run_id === recorded) ?? (recorded ? undefined : candidates[0]);
  if (found) return found;
  if (!recorded) return undefined;
  try {
    const run = await ctx.target.runs.get(recorded);
    const source = tagValue(run.data.tags, PUSH_TAGS.sourceRunId);
    if (source === undefined || source === local.info.run_id) return run;
  } catch (e) {
    if (!isMissing(e)) throw e;
  }
  return candidates[0];
}

/** The target's id of the run's parent, when the parent has been pushed. */
function remoteParent(ctx: PushContext, local: Run): string | undefined {
  const parent = parentOf(local);
  if (!parent) return undefined;
  const remote = ctx.remoteRunIds.get(parent);
  if (!remote) {
    ctx.summary.skipped.push({
      what: `the parent link of run ${local.info.run_id} (${local.info.run_name})`,
      why: `its parent run ${parent} was not pushed to this target; push it too to keep the nesting`,
    });
  }
  return remote;
}

/** The tags the target's run should have: the local ones, the parent link mapped, the source id. */
function wantedTags(local: Run, remoteParentId: string | undefined): KeyValue[] {
  const tags = pushableTags(local.data.tags).filter((t) => t.key !== 'mlflow.parentRunId');
  if (remoteParentId) tags.push({ key: 'mlflow.parentRunId', value: remoteParentId });
  tags.push({ key: PUSH_TAGS.sourceRunId, value: local.info.run_id });
  return tags;
}

function missingParams(ctx: PushContext, local: Run, remote: Run): KeyValue[] {
  const have = new Map((remote.data.params ?? []).map((p) => [p.key, p.value]));
  const missing: KeyValue[] = [];
  for (const param of local.data.params ?? []) {
    const value = have.get(param.key);
    if (value === undefined) missing.push(param);
    else if (value !== param.value) {
      ctx.summary.skipped.push({
        what: `param '${param.key}' of run ${local.info.run_id}`,
        why: `the target's run ${remote.info.run_id} has it as '${value.slice(0, 80)}', and MLflow never changes a logged param`,
      });
    }
  }
  return missing;
}

const pointId = (m: Metric): string => `${m.step}:${m.timestamp}:${m.value}`;

const sameLatest = (a: Metric, b: Metric): boolean => a.step === b.step && a.timestamp === b.timestamp && String(a.value) === String(b.value);

/**
 * The local points the target's run lacks. Per key: all of them when the target has none; none
 * when the latest point (and, where both servers count, the number of points) agree; otherwise
 * the histories are compared point by point (a multiset: MLflow keeps repeated equal points once).
 */
async function newMetricPoints(ctx: PushContext, local: Run, remote: Run, created: boolean): Promise<MetricInput[]> {
  const localLatest = local.data.metrics ?? [];
  if (localLatest.length === 0) return [];
  const counts = ctx.countsKnown && !created ? await summariesOf(ctx, local.info.run_id, remote.info.run_id) : undefined;
  const remoteLatest = new Map((remote.data.metrics ?? []).map((m) => [m.key, m]));
  const points: MetricInput[] = [];
  for (const latest of localLatest) {
    const there = created ? undefined : remoteLatest.get(latest.key);
    if (there && sameLatest(latest, there)) {
      const localCount = counts?.local.get(latest.key)?.count;
      const remoteCount = counts?.remote.get(latest.key)?.count;
      if (!counts || localCount === remoteCount) continue;
    }
    const history = await ctx.source.metrics.getHistory(local.info.run_id, latest.key);
    let wanted = history;
    if (there) {
      const remaining = new Map<string, number>();
      for (const m of await ctx.target.metrics.getHistory(remote.info.run_id, latest.key)) remaining.set(pointId(m), (remaining.get(pointId(m)) ?? 0) + 1);
      wanted = history.filter((m) => {
        const left = remaining.get(pointId(m)) ?? 0;
        if (left > 0) remaining.set(pointId(m), left - 1);
        return left === 0;
      });
    }
    for (const m of wanted) points.push({ key: m.key, value: typeof m.value === 'number' ? m.value : Number(m.value), timestamp: m.timestamp, step: m.step });
  }
  return points;
}

async function summariesOf(ctx: PushContext, localId: string, remoteId: string): Promise<{ local: Map<string, MetricSummary>; remote: Map<string, MetricSummary> }> {
  const [local, remote] = await Promise.all([ctx.source.metricSummaries([localId]), ctx.target.metricSummaries([remoteId])]);
  const byKey = (list: MetricSummary[] | undefined): Map<string, MetricSummary> => new Map((list ?? []).map((s) => [s.key, s]));
  return { local: byKey(local[localId]), remote: byKey(remote[remoteId]) };
}

/** Sends params, tags and points in `log-batch` requests within MLflow's limits, one at a time. */
async function sendBatches(ctx: PushContext, remoteId: string, params: KeyValue[], tags: KeyValue[], metrics: MetricInput[]): Promise<void> {
  const wire: WireMetric[] = metrics.map((m) => ({ key: m.key, value: wireDouble(m.value), timestamp: m.timestamp ?? 0, step: m.step ?? 0 }));
  for (const chunk of splitBatch({ params, tags, metrics: wire })) {
    const points = chunk.metrics.map((m) => ({ key: m.key, value: typeof m.value === 'number' ? m.value : Number(m.value), timestamp: m.timestamp, step: m.step }));
    await targetWrite(ctx, () => ctx.target.runs.logBatch(remoteId, { params: chunk.params, tags: chunk.tags, metrics: points }));
  }
}

const inputId = (input: DatasetInput): string => `${input.dataset.name}\u0000${input.dataset.digest}`;

async function pushInputs(ctx: PushContext, local: Run, remote: Run): Promise<boolean> {
  const have = new Set((remote.inputs?.dataset_inputs ?? []).map(inputId));
  const missing = (local.inputs?.dataset_inputs ?? []).filter((input) => !have.has(inputId(input)));
  for (let i = 0; i < missing.length; i += INPUTS_PER_REQUEST) {
    try {
      await targetWrite(ctx, () => ctx.target.runs.logInputs(remote.info.run_id, missing.slice(i, i + INPUTS_PER_REQUEST)));
    } catch (e) {
      if (!(e instanceof TrackingClientError && e.errorCode === 'ENDPOINT_NOT_FOUND')) throw e;
      ctx.summary.skipped.push({
        what: `${missing.length} dataset input(s) of run ${local.info.run_id}`,
        why: 'the target has no runs/log-inputs endpoint (MLflow before 2.4)',
      });
      return false;
    }
  }
  ctx.summary.inputs += missing.length;
  return missing.length > 0;
}

/**
 * Copies artifact files the target's run lacks (or holds with another size) through its artifact
 * proxy. A target keeping the run's artifacts anywhere else (s3://, a folder of its own) cannot be
 * written over HTTP: that is reported, once per run that has files.
 */
async function pushArtifacts(ctx: PushContext, local: Run, remote: Run, created: boolean): Promise<boolean> {
  const localId = local.info.run_id;
  const files: { path: string; size?: number }[] = [];
  try {
    for await (const file of ctx.source.artifacts.walk(localId)) files.push({ path: file.path, size: file.file_size });
  } catch (e) {
    if (isMissing(e) || (e as { status?: number }).status === 400) {
      ctx.summary.skipped.push({ what: `artifacts of run ${localId}`, why: `they cannot be read from the local store: ${(e as Error).message}` });
      return false;
    }
    throw e;
  }
  if (files.length === 0) return false;
  const location = artifactLocation(remote.info.artifact_uri);
  if (location.kind !== 'proxy') {
    ctx.summary.artifacts.unreachable++;
    ctx.summary.skipped.push({
      what: `${files.length} artifact file(s) of run ${localId}`,
      why: `artifact store not reachable over HTTP: the target keeps this run's artifacts at ${remote.info.artifact_uri}, not behind its mlflow-artifacts proxy`,
    });
    return false;
  }
  const there = new Map<string, number | undefined>();
  if (!created) for await (const file of ctx.target.artifacts.walk(remote.info.run_id)) there.set(file.path, file.file_size);
  const missing = files.filter((f) => !there.has(f.path) || there.get(f.path) !== f.size);
  if (missing.length === 0) return false;
  const folder = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'trackside-push-'));
  try {
    for (const file of missing) {
      const localFile = confinedJoin(folder, file.path);
      await ctx.source.artifacts.downloadFile(localId, file.path, localFile);
      const size = (await fs.promises.stat(localFile)).size;
      const folderPath = file.path.split('/').slice(0, -1).join('/');
      await targetWrite(ctx, () => ctx.target.artifacts.upload(remote.info.run_id, localFile, folderPath || undefined));
      ctx.summary.artifacts.uploaded++;
      ctx.summary.artifacts.bytes += size;
      await fs.promises.rm(localFile, { force: true });
    }
  } finally {
    await fs.promises.rm(folder, { recursive: true, force: true });
  }
  return true;
}

/** Brings status, end time, name and lifecycle level with the local run. */
async function finishRun(ctx: PushContext, local: Run, remote: Run): Promise<boolean> {
  const remoteId = remote.info.run_id;
  let changed = false;
  const info = local.info;
  if (info.status !== remote.info.status || info.end_time !== remote.info.end_time || info.run_name !== remote.info.run_name) {
    await targetWrite(ctx, () =>
      ctx.target.runs.update(remoteId, {
        status: info.status,
        endTime: info.end_time,
        runName: info.run_name !== remote.info.run_name ? info.run_name : undefined,
      }),
    );
    changed = true;
  }
  if (info.lifecycle_stage !== remote.info.lifecycle_stage) {
    await targetWrite(ctx, () => (info.lifecycle_stage === 'deleted' ? ctx.target.runs.delete(remoteId) : ctx.target.runs.restore(remoteId)));
    changed = true;
  }
  return changed;
}

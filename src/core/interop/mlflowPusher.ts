import type { TrackingClient } from '../client/trackingClient';
import { TrackingClientError } from '../client/trackingClientError';
import type { Experiment, Run } from '../../shared/entities';
import { changedTags, isMissing, isRefusal, parentOf, pushableTags, tagValue, targetWrite, type PushContext } from './pushContext';
import { pushModels } from './modelPusher';
import { PUSH_TAGS, PushAbortedError, emptyPushSummary, targetKeyOf, type PushProgress, type PushSummary } from './pushSummary';
import { pushRun } from './runPusher';

export interface PushOptions {
  /** The local store's server (a Trackside engine; any MLflow server works, with less exact change detection). */
  source: TrackingClient;
  /** The MLflow tracking server to copy to. */
  target: TrackingClient;
  /** Experiments to push, by name (all their runs). */
  experimentNames?: readonly string[];
  /** Runs to push, by id (their parents come along, so nesting survives). */
  runIds?: readonly string[];
  /** Registered models to push, by name (all their versions). */
  models?: readonly string[];
  /** Also push deleted experiments and runs (deleted on the target too). Default: only active ones. */
  includeDeleted?: boolean;
  onProgress?(progress: PushProgress): void;
  /** Stops before the next write to the target; what was sent stays and a new push continues. */
  signal?: AbortSignal;
}

interface PlannedExperiment {
  local: Experiment;
  runs: Run[];
  /** The target's experiment id, once found or created (undefined: skipped). */
  remoteId?: string;
}

/**
 * Copies experiments, runs (params, tags, full metric histories, dataset inputs, artifacts, status)
 * and registered models with their versions, stages and aliases to an MLflow tracking server
 * through its REST API. With no selection, everything active is pushed (every model too); with
 * `experimentNames` / `runIds` / `models`, those.
 *
 * Resumable and idempotent: the target's run id is recorded on each local run as the tag
 * `trackside.push.<target key>.run_id` (and the local id on the target's run as
 * `trackside.source_run_id`) the moment the run is created there, and every later step sends only
 * what the target lacks — a second push of unchanged data writes nothing to the target. Throws
 * PushAbortedError (with the summary so far) when `signal` fires.
 */
export async function pushToMlflow(options: PushOptions): Promise<PushSummary> {
  const { source, target } = options;
  if (source.trackingUri === target.trackingUri) {
    throw new TrackingClientError(0, 'INVALID_PARAMETER_VALUE', `The target ${target.trackingUri} is the store being pushed: choose another server.`);
  }
  const targetKey = targetKeyOf(target.trackingUri);
  const summary = emptyPushSummary(target.trackingUri, targetKey);
  const progress = (p: PushProgress): void => options.onProgress?.(p);
  const [sourceCounts, targetCounts] = await Promise.all([source.hasExtra('metric-summaries'), target.hasExtra('metric-summaries')]);
  const ctx: PushContext = {
    source, target, targetKey, summary, signal: options.signal, progress, remoteRunIds: new Map(), countsKnown: sourceCounts && targetCounts,
  };
  if (!ctx.countsKnown) {
    summary.notes.push('The target does not count metric points per series: runs pushed before are checked by their latest metric values only.');
  }
  try {
    progress({ phase: 'planning', done: 0, total: 1, message: `Reading what to push to ${target.trackingUri}` });
    const plan = await planExperiments(options);
    const models = await planModels(options);
    await mapExperiments(ctx, plan);
    await pushRuns(ctx, plan);
    for (const experiment of plan) await finishExperiment(ctx, experiment);
    await pushModels(ctx, models);
  } catch (e) {
    if (options.signal?.aborted && (e === options.signal.reason || (e as Error)?.name === 'AbortError')) throw new PushAbortedError(summary);
    throw e;
  }
  const { runs } = summary;
  progress({
    phase: 'done',
    done: 1,
    total: 1,
    message: `Pushed to ${target.trackingUri}: ${runs.created} run(s) created, ${runs.updated} updated, ${runs.unchanged} unchanged`,
  });
  return summary;
}

/** The experiments to push and their runs, from the selection. */
async function planExperiments(options: PushOptions): Promise<PlannedExperiment[]> {
  const { source } = options;
  const view = options.includeDeleted ? 'ALL' : 'ACTIVE_ONLY';
  const everything = !options.experimentNames?.length && !options.runIds?.length && !options.models?.length;
  const plan = new Map<string, PlannedExperiment>();
  const whole = async (experiment: Experiment): Promise<void> => {
    const runs = await source.runs.searchAll({ experimentIds: [experiment.experiment_id], runViewType: view });
    plan.set(experiment.experiment_id, { local: experiment, runs: runs.sort((a, b) => (a.info.start_time ?? 0) - (b.info.start_time ?? 0)) });
  };
  if (everything) {
    for (const experiment of await source.experiments.searchAll({ viewType: view })) await whole(experiment);
  }
  for (const name of options.experimentNames ?? []) {
    const experiment = await source.experiments.getByName(name);
    if (!experiment) throw new TrackingClientError(0, 'RESOURCE_DOES_NOT_EXIST', `There is no experiment named '${name}' in ${source.trackingUri}.`);
    if (!plan.has(experiment.experiment_id)) await whole(experiment);
  }
  const wanted = [...(options.runIds ?? [])];
  const seen = new Set<string>();
  while (wanted.length > 0) {
    const runId = wanted.shift()!;
    if (seen.has(runId)) continue;
    seen.add(runId);
    const run = await source.runs.get(runId);
    let entry = plan.get(run.info.experiment_id);
    if (!entry) {
      entry = { local: await source.experiments.get(run.info.experiment_id), runs: [] };
      plan.set(run.info.experiment_id, entry);
    }
    if (!entry.runs.some((r) => r.info.run_id === runId)) entry.runs.push(run);
    const parent = parentOf(run);
    if (parent) wanted.push(parent);
  }
  return [...plan.values()];
}

async function planModels(options: PushOptions): Promise<string[]> {
  if (options.models?.length) return [...new Set(options.models)];
  if (options.experimentNames?.length || options.runIds?.length) return [];
  return (await options.source.registeredModels.searchAll()).map((m) => m.name).sort();
}

/** Finds or creates each experiment on the target by name, and brings its tags level. */
async function mapExperiments(ctx: PushContext, plan: PlannedExperiment[]): Promise<void> {
  for (let i = 0; i < plan.length; i++) {
    const entry = plan[i];
    const { name } = entry.local;
    ctx.progress({ phase: 'experiments', done: i, total: plan.length, message: `Experiment ${name}` });
    const remote = await ctx.target.experiments.getByName(name);
    const tags = pushableTags(entry.local.tags);
    if (!remote) {
      const id = await targetWrite(ctx, () => ctx.target.experiments.create(name, { tags }));
      ctx.summary.experiments.created++;
      entry.remoteId = id;
      continue;
    }
    if (remote.lifecycle_stage === 'deleted' && entry.local.lifecycle_stage === 'active') {
      ctx.summary.skipped.push({
        what: `experiment '${name}' and its ${entry.runs.length} run(s)`,
        why: 'an experiment of that name is deleted on the target; restore it there (or rename this one) and push again',
      });
      continue;
    }
    ctx.summary.experiments.existing++;
    const remoteId = remote.experiment_id;
    entry.remoteId = remoteId;
    for (const tag of changedTags(tags, remote.tags)) await targetWrite(ctx, () => ctx.target.experiments.setTag(remoteId, tag.key, tag.value));
  }
}

/** Parents before their children, then by start time. */
function pushOrder(plan: PlannedExperiment[]): { run: Run; entry: PlannedExperiment }[] {
  const all = plan.flatMap((entry) => entry.runs.map((run) => ({ run, entry })));
  const byId = new Map(all.map((item) => [item.run.info.run_id, item]));
  const ordered: typeof all = [];
  const placed = new Set<string>();
  const place = (item: (typeof all)[number], depth: number): void => {
    if (placed.has(item.run.info.run_id)) return;
    const parent = parentOf(item.run);
    const parentItem = parent ? byId.get(parent) : undefined;
    if (parentItem && depth < 100) place(parentItem, depth + 1);
    placed.add(item.run.info.run_id);
    ordered.push(item);
  };
  for (const item of all) place(item, 0);
  return ordered;
}

async function pushRuns(ctx: PushContext, plan: PlannedExperiment[]): Promise<void> {
  const known = new Map<string, Run[]>();
  for (const entry of plan) {
    if (!entry.remoteId) continue;
    const pushed = await ctx.target.runs.searchAll({
      experimentIds: [entry.remoteId],
      filter: `tags.\`${PUSH_TAGS.sourceRunId}\` LIKE '%'`,
      runViewType: 'ALL',
    });
    for (const run of pushed) {
      const sourceId = tagValue(run.data.tags, PUSH_TAGS.sourceRunId);
      if (sourceId) known.set(sourceId, [...(known.get(sourceId) ?? []), run]);
    }
  }
  const order = pushOrder(plan).filter((item) => item.entry.remoteId !== undefined);
  const { runs } = ctx.summary;
  for (let i = 0; i < order.length; i++) {
    const { run, entry } = order[i];
    ctx.progress({ phase: 'runs', done: i, total: order.length, message: `Run ${i + 1} of ${order.length}: ${run.info.run_name || run.info.run_id}` });
    try {
      runs[await pushRun(ctx, run, entry.remoteId!, known)]++;
    } catch (e) {
      if (!isRefusal(e)) throw e;
      runs.failed++;
      ctx.summary.skipped.push({
        what: `run ${run.info.run_id} (${run.info.run_name || 'unnamed'})`,
        why: `the target refused part of it: ${e.message}. What was sent stays; pushing again retries the rest`,
      });
    }
  }
  ctx.progress({ phase: 'runs', done: order.length, total: order.length, message: `${order.length} run(s) pushed` });
}

/** A deleted local experiment (pushed with includeDeleted) is deleted on the target once its runs are there. */
async function finishExperiment(ctx: PushContext, entry: PlannedExperiment): Promise<void> {
  if (!entry.remoteId || entry.local.lifecycle_stage !== 'deleted') return;
  try {
    const remote = await ctx.target.experiments.get(entry.remoteId);
    if (remote.lifecycle_stage === 'active') await targetWrite(ctx, () => ctx.target.experiments.delete(entry.remoteId!));
  } catch (e) {
    if (!isMissing(e)) throw e;
  }
}

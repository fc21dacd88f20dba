import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KeyValue } from '../../shared/entities';
import type { StoreBackend } from '../store/storeBackend';
import { TrackingError } from '../store/trackingError';
import { validateExperimentTag } from '../store/trackingRequests';
import { DEFAULT_EXPERIMENT_ID } from '../store/trackingStore';
import { ImportAbortedError, emptySummary, type ImportProgress, type ImportSummary } from './importSummary';
import { MlflowFileStoreReader } from './mlflowFileStoreReader';
import { MlflowImportError, type MlflowSource, type SourceExperiment } from './mlflowSource';
import { MlflowSqliteReader } from './mlflowSqliteReader';
import { importRegistry } from './registryImporter';
import { asRegistryTarget, type RegistryTarget } from './registryTarget';
import { importRun, yieldToEventLoop, type ImportContext } from './runImporter';

/** Experiment tags recording where an imported experiment came from. */
export const IMPORT_TAGS = {
  source: 'trackside.import.source',
  experimentId: 'trackside.import.source_experiment_id',
  experimentName: 'trackside.import.source_experiment_name',
} as const;

export interface ImportOptions {
  /** `copy`: local artifact folders are copied into this store; `reference`: runs keep their URIs. */
  artifacts: 'copy' | 'reference';
  onProgress?(progress: ImportProgress): void;
  /** Stops between pages of metric points; the run in progress is removed, finished ones stay. */
  signal?: AbortSignal;
  /** Where registered models go; by default `backend.registry` when it has RegistryTarget's methods. */
  registry?: RegistryTarget;
}

/**
 * Opens an MLflow store for reading: an `mlflow.db` file, an `sqlite:///path` URI, an `mlruns`
 * folder (or a `file:` URI of one), or a project folder holding `mlruns/` or `mlflow.db`.
 * Throws MlflowImportError saying what was found when it is none of these.
 */
export async function openMlflowSource(source: string): Promise<MlflowSource> {
  const location = sourcePath(source);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(location);
  } catch {
    throw new MlflowImportError(`${location} does not exist. Give the path of an mlflow.db file or an mlruns folder.`);
  }
  if (stat.isFile()) return MlflowSqliteReader.open(location);
  if (MlflowFileStoreReader.looksLikeFileStore(location)) return new MlflowFileStoreReader(location);
  const mlruns = path.join(location, 'mlruns');
  if (MlflowFileStoreReader.looksLikeFileStore(mlruns)) return new MlflowFileStoreReader(mlruns);
  const database = path.join(location, 'mlflow.db');
  if (fs.existsSync(database)) return MlflowSqliteReader.open(database);
  throw new MlflowImportError(
    `No MLflow data in ${location}: expected an mlruns folder (with <experiment id>/meta.yaml files) or an mlflow.db file.`,
  );
}

/** The file or folder a source string names (`sqlite:///rel.db`, `sqlite:////abs.db`, `file:///…`, a path). */
export function sourcePath(source: string): string {
  const text = source.trim();
  if (/^sqlite:/i.test(text)) {
    const rest = text.replace(/^sqlite:(\/\/)?/i, '').replace(/\?.*$/, '');
    return path.resolve(decodeURIComponent(rest.startsWith('/') ? rest.slice(1) : rest));
  }
  if (/^file:/i.test(text)) return fileURLToPath(text.replace(/^file:(?!\/\/)/i, 'file://'));
  return path.resolve(text);
}

/**
 * Imports an MLflow store into `backend`: experiments (new ids here; the original id and name in
 * IMPORT_TAGS), runs with their own ids, times, status, user and lifecycle, full metric histories,
 * params, tags, dataset inputs, artifacts (copied or referenced), then registered models with
 * their version numbers, stages, aliases and tags. Idempotent: what an earlier import of the same
 * source brought in is skipped. Throws MlflowImportError when the source is not an MLflow store,
 * ImportAbortedError (with the summary so far) when `signal` fires.
 */
export async function importMlflow(source: string, backend: StoreBackend, options: ImportOptions): Promise<ImportSummary> {
  const progress = (p: ImportProgress): void => options.onProgress?.(p);
  progress({ phase: 'reading', done: 0, total: 1, message: `Reading ${sourcePath(source)}` });
  const reader = await openMlflowSource(source);
  const summary = emptySummary({ kind: reader.kind, location: reader.location, description: reader.description });
  const ctx: ImportContext = {
    source: reader,
    backend,
    sourceKey: `${reader.kind}:${reader.location}`,
    artifacts: options.artifacts,
    summary,
    signal: options.signal,
    artifactMoves: new Map(),
    missingArtifacts: [],
    alreadyImported: 0,
  };
  try {
    options.signal?.throwIfAborted();
    const experiments = reader.experiments();
    const targets = mapExperiments(ctx, experiments, progress);
    await importRuns(ctx, experiments, targets, progress);
    await importModels(ctx, options, progress);
    summary.notes.push(...reader.notes);
    await backend.store.synced();
  } catch (e) {
    if (options.signal?.aborted && (e === options.signal.reason || (e as Error)?.name === 'AbortError')) {
      await backend.store.synced().catch(() => undefined);
      throw new ImportAbortedError(summary);
    }
    throw e;
  } finally {
    reader.close();
  }
  progress({
    phase: 'done',
    done: 1,
    total: 1,
    message: `Imported ${summary.runs.imported} run(s) in ${summary.experiments.imported} new experiment(s); ${summary.runs.skipped} run(s) skipped`,
  });
  return summary;
}

interface ExperimentTarget {
  id: number;
  /** Delete it once its runs are in (it is deleted in the source and was brought in by an import). */
  deleteAfterRuns: boolean;
}

/** Finds or creates the experiment each source experiment's runs go to. */
function mapExperiments(
  ctx: ImportContext,
  experiments: SourceExperiment[],
  progress: (p: ImportProgress) => void,
): Map<string, ExperimentTarget> {
  const tracking = ctx.backend.tracking;
  const known = listExperiments(ctx);
  const sourceIds = new Set(experiments.map((e) => e.id));
  const targets = new Map<string, ExperimentTarget>();
  experiments.forEach((experiment, i) => {
    progress({ phase: 'experiments', done: i, total: experiments.length, message: `Experiment ${experiment.name}` });
    if (experiment.id === String(DEFAULT_EXPERIMENT_ID) && experiment.name === 'Default' && (experiment.workspace ?? 'default') === 'default') {
      targets.set(experiment.id, { id: DEFAULT_EXPERIMENT_ID, deleteAfterRuns: false });
      ctx.summary.experiments.skipped++;
      return;
    }
    const sameSource = known.bySource.get(experiment.id);
    const sameName = known.active.get(experiment.name);
    // An experiment of this source's earlier import with the same name, unless it stands for another of its experiments.
    const nameReusable = sameName && sameName.source === ctx.sourceKey && !(sameName.sourceId !== undefined && sourceIds.has(sameName.sourceId));
    const reuse = sameSource ?? (nameReusable ? sameName : undefined);
    if (reuse) {
      ctx.summary.experiments.skipped++;
      targets.set(experiment.id, { id: reuse.id, deleteAfterRuns: experiment.lifecycleStage === 'deleted' && reuse.active });
      return;
    }
    const name = freeName(experiment.name, known.active);
    if (name !== experiment.name) {
      ctx.summary.notes.push(
        `MLflow experiment '${experiment.name}' (id ${experiment.id}) was imported as '${name}': an experiment named '${experiment.name}' exists here already.`,
      );
    }
    const tags: KeyValue[] = [];
    for (const tag of experiment.tags) {
      if (Object.values(IMPORT_TAGS).includes(tag.key as never)) continue;
      try {
        tags.push(validateExperimentTag(tag));
      } catch (e) {
        if (!(e instanceof TrackingError)) throw e;
        ctx.summary.skipped.push({ what: `experiment '${experiment.name}' tag '${tag.key}'`, why: e.message });
      }
    }
    tags.push(
      { key: IMPORT_TAGS.source, value: ctx.sourceKey },
      { key: IMPORT_TAGS.experimentId, value: experiment.id },
      { key: IMPORT_TAGS.experimentName, value: experiment.name },
    );
    const id = Number(tracking.createExperiment({ name, tags }).experiment_id);
    known.active.set(name, { id, source: ctx.sourceKey, sourceId: experiment.id, active: true });
    ctx.summary.experiments.imported++;
    targets.set(experiment.id, { id, deleteAfterRuns: experiment.lifecycleStage === 'deleted' });
  });
  progress({ phase: 'experiments', done: experiments.length, total: experiments.length, message: 'Experiments mapped' });
  return targets;
}

interface KnownExperiment {
  id: number;
  source: string | undefined;
  /** The source experiment id it was imported from. */
  sourceId: string | undefined;
  active: boolean;
}

/** This store's experiments by name (active ones) and by source experiment id (this source's). */
function listExperiments(ctx: ImportContext): { active: Map<string, KnownExperiment>; bySource: Map<string, KnownExperiment> } {
  const active = new Map<string, KnownExperiment>();
  const bySource = new Map<string, KnownExperiment>();
  let pageToken: string | undefined;
  do {
    const page = ctx.backend.tracking.searchExperiments({ view_type: 'ALL', max_results: 1000, page_token: pageToken });
    for (const e of page.experiments) {
      const tag = (key: string): string | undefined => e.tags?.find((t) => t.key === key)?.value;
      const sourceId = tag(IMPORT_TAGS.experimentId);
      const known: KnownExperiment = { id: Number(e.experiment_id), source: tag(IMPORT_TAGS.source), sourceId, active: e.lifecycle_stage === 'active' };
      if (known.active) active.set(e.name, known);
      if (known.source === ctx.sourceKey && sourceId !== undefined && (known.active || !bySource.has(sourceId))) bySource.set(sourceId, known);
    }
    pageToken = page.next_page_token;
  } while (pageToken);
  return { active, bySource };
}

function freeName(name: string, taken: Map<string, unknown>): string {
  if (!taken.has(name)) return name;
  for (let i = 1; ; i++) {
    const candidate = `${name.slice(0, 480)} (imported${i === 1 ? '' : ` ${i}`})`;
    if (!taken.has(candidate)) return candidate;
  }
}

async function importRuns(
  ctx: ImportContext,
  experiments: SourceExperiment[],
  targets: Map<string, ExperimentTarget>,
  progress: (p: ImportProgress) => void,
): Promise<void> {
  const { source, summary, backend } = ctx;
  const plan = experiments.map((experiment) => ({ experiment, runs: source.runs(experiment.id) }));
  const total = plan.reduce((n, p) => n + p.runs.length, 0);
  let done = 0;
  for (const { experiment, runs } of plan) {
    const target = targets.get(experiment.id)!;
    for (const run of runs) {
      ctx.signal?.throwIfAborted();
      const label = `Run ${done + 1} of ${total}: ${run.name || run.runId}`;
      const points = source.metricCount(run.runId);
      progress({ phase: 'runs', done, total, message: `${label} (${points.toLocaleString('en-US')} metric points)` });
      ctx.onPoints = points > 50_000
        ? (written) => progress({ phase: 'runs', done, total, message: `${label}: ${written.toLocaleString('en-US')} of ${points.toLocaleString('en-US')} metric points` })
        : undefined;
      try {
        await importRun(ctx, run, target.id);
      } catch (e) {
        if (!(e instanceof TrackingError)) throw e;
        summary.runs.skipped++;
        summary.skipped.push({ what: `run ${run.runId} (${run.name || 'unnamed'}) of experiment '${experiment.name}'`, why: e.message });
      }
      done++;
      await backend.store.synced();
      await yieldToEventLoop();
    }
    if (target.deleteAfterRuns && backend.tracking.getExperiment(String(target.id)).lifecycle_stage === 'active') {
      backend.tracking.deleteExperiment(String(target.id));
    }
  }
  progress({ phase: 'runs', done: total, total, message: `${total} run(s) read` });
  if (ctx.alreadyImported > 0) summary.skipped.push({ what: `${ctx.alreadyImported} run(s)`, why: 'already imported from this source' });
  if (ctx.missingArtifacts.length > 0) {
    summary.skipped.push({
      what: `artifacts of ${ctx.missingArtifacts.length} run(s)`,
      why: `no artifact folder was found (for example ${ctx.missingArtifacts[0]}); those runs may have logged no artifacts`,
    });
  }
}

async function importModels(ctx: ImportContext, options: ImportOptions, progress: (p: ImportProgress) => void): Promise<void> {
  const candidate: unknown = options.registry ?? ctx.backend.registry;
  const found = asRegistryTarget(candidate);
  if ('target' in found) {
    await importRegistry(ctx, found.target, progress);
    return;
  }
  const models = ctx.source.registeredModels();
  if (models.length === 0) return;
  ctx.summary.models.skipped += models.length;
  const why =
    candidate === undefined
      ? 'this Trackside store has no model registry yet'
      : `this Trackside registry lacks ${found.missing.join(', ')}`;
  ctx.summary.skipped.push({ what: `${models.length} registered model(s) (${models.map((m) => m.name).slice(0, 5).join(', ')})`, why });
}

import type { ChangeEvent } from '../../shared/changeEvents';
import type { Run } from '../../shared/entities';
import type { EventStreamOptions } from './eventStream';
import type { ExperimentsClient } from './experimentsClient';
import type { RegisteredModelsClient } from './registeredModelsClient';
import type { RunsClient } from './runsClient';
import { TrackingClientError } from './trackingClientError';

/** How often the polling fallback of `events()` asks a plain MLflow server what changed. */
export const DEFAULT_POLL_INTERVAL_MS = 5000;
/** Per poll, the most recently started runs compared (per group of 100 experiments). */
const POLLED_RUNS = 1000;

export interface PollOptions extends EventStreamOptions {
  /** Time between polls (default 5 s). */
  pollIntervalMs?: number;
  /** Watch only these experiments' runs (default: every active experiment's). */
  experimentIds?: readonly string[];
}

interface RunState {
  experimentId: string;
  signature: string;
  metrics: Map<string, string>;
}

/** What one poll saw: experiment and run signatures, latest metric points, model update times. */
export interface PollSnapshot {
  experiments: Map<string, string>;
  runs: Map<string, RunState>;
  models: Map<string, number> | undefined;
}

function runState(run: Run): RunState {
  const info = run.info;
  const signature = JSON.stringify([
    info.status, info.end_time, info.lifecycle_stage, info.run_name, run.data.params ?? [], run.data.tags ?? [], run.inputs?.dataset_inputs?.length ?? 0,
  ]);
  const metrics = new Map((run.data.metrics ?? []).map((m) => [m.key, `${m.step}|${m.timestamp}|${m.value}`]));
  return { experimentId: info.experiment_id, signature, metrics };
}

/**
 * The events of `TrackingClient.events()` for a server without Trackside's stream: every
 * `pollIntervalMs` it searches experiments (all of them), the 1000 most recent runs of the watched
 * experiments, and registered models, and reports what differs from the previous poll in the same
 * `ChangeEvent` shapes. The first poll only takes the baseline. A run that changes while older than
 * the 1000 most recent is not seen.
 */
export async function pollChanges(
  sources: { experiments: ExperimentsClient; runs: RunsClient; registeredModels: RegisteredModelsClient },
  onEvent: (event: ChangeEvent) => void,
  signal: AbortSignal,
  options: PollOptions = {},
): Promise<void> {
  let previous: PollSnapshot | undefined;
  let registryAvailable = true;
  let failing = false;
  const take = async (): Promise<PollSnapshot> => {
    const experiments = await sources.experiments.searchAll({ viewType: 'ALL' });
    const watched = options.experimentIds ?? experiments.filter((e) => e.lifecycle_stage === 'active').map((e) => e.experiment_id);
    const runs = new Map<string, RunState>();
    for (let i = 0; i < watched.length; i += 100) {
      const page = await sources.runs.search({
        experimentIds: watched.slice(i, i + 100), runViewType: 'ALL', maxResults: POLLED_RUNS, orderBy: ['attributes.start_time DESC'],
      });
      for (const run of page.runs) runs.set(run.info.run_id, runState(run));
    }
    let models: Map<string, number> | undefined;
    if (registryAvailable) {
      try {
        models = new Map((await sources.registeredModels.searchAll()).map((m) => [m.name, m.last_updated_timestamp]));
      } catch (e) {
        if (!(e instanceof TrackingClientError) || e.status !== 404) throw e;
        registryAvailable = false;
      }
    }
    const signatures = new Map(experiments.map((e) => [e.experiment_id, JSON.stringify([e.name, e.lifecycle_stage, e.last_update_time, e.tags ?? []])]));
    return { experiments: signatures, runs, models };
  };
  while (!signal.aborted) {
    try {
      const next = await take();
      if (failing || !previous) options.onStatus?.('connected');
      failing = false;
      if (previous) for (const event of differences(previous, next)) safely(onEvent, event);
      previous = next;
    } catch (e) {
      if (signal.aborted) return;
      if (e instanceof TrackingClientError && e.status >= 400 && e.status < 500 && e.status !== 429) throw e;
      failing = true;
      options.onStatus?.('reconnecting', e instanceof TrackingClientError ? e : undefined);
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

function safely(onEvent: (event: ChangeEvent) => void, event: ChangeEvent): void {
  try {
    onEvent(event);
  } catch {
    /* a listener's failure must not stop polling */
  }
}

/** The change events that turn snapshot `before` into `after`. */
export function differences(before: PollSnapshot, after: PollSnapshot): ChangeEvent[] {
  const events: ChangeEvent[] = [];
  const experimentIds = new Set<string>();
  for (const [id, signature] of after.experiments) if (before.experiments.get(id) !== signature) experimentIds.add(id);
  for (const id of before.experiments.keys()) if (!after.experiments.has(id)) experimentIds.add(id);
  const runIds: string[] = [];
  const runExperiments = new Set<string>();
  const metrics: Record<string, string[]> = {};
  for (const [runId, state] of after.runs) {
    const old = before.runs.get(runId);
    if (!old) experimentIds.add(state.experimentId);
    if (!old || old.signature !== state.signature) {
      runIds.push(runId);
      runExperiments.add(state.experimentId);
    }
    const keys = [...state.metrics].filter(([key, value]) => old?.metrics.get(key) !== value).map(([key]) => key);
    if (keys.length > 0) metrics[runId] = keys;
  }
  if (experimentIds.size > 0) events.push({ type: 'experiments', experimentIds: [...experimentIds] });
  if (runIds.length > 0) events.push({ type: 'runs', runIds, experimentIds: [...runExperiments] });
  if (Object.keys(metrics).length > 0) events.push({ type: 'metrics', runs: metrics });
  if (before.models && after.models) {
    const names = new Set<string>();
    for (const [name, updated] of after.models) if (before.models.get(name) !== updated) names.add(name);
    for (const name of before.models.keys()) if (!after.models.has(name)) names.add(name);
    if (names.size > 0) events.push({ type: 'models', names: [...names] });
  }
  return events;
}

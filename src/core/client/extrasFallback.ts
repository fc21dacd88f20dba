import type { Metric, MetricSummary, Run, SampledSeries } from '../../shared/entities';
import type { RunsTable, RunsTableRequest, RunsTableRow, SampledHistoryRequest } from './clientTypes';
import { pointBucket, sampleHistory } from './historySampling';
import type { MetricsClient } from './metricsClient';
import type { RunsClient } from './runsClient';
import { TrackingClientError } from './trackingClientError';

/** MLflow's cap on get-history-bulk-interval's `max_results`. */
const BULK_MAX_RESULTS = 2500;
/** MLflow's bulk-interval steps are int32. */
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const PARALLEL_REQUESTS = 6;

/** Runs `work` over `items`, at most `parallel` at a time, keeping the order of the results. */
export async function mapLimited<T, R>(items: readonly T[], parallel: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  return results;
}

function isMissingEndpoint(e: unknown): boolean {
  return e instanceof TrackingClientError && (e.errorCode === 'ENDPOINT_NOT_FOUND' || (e.status === 404 && e.errorCode !== 'RESOURCE_DOES_NOT_EXIST'));
}

/**
 * Downsampled history on a server without Trackside's `metrics/sampled`: MLflow's
 * `get-history-bulk-interval` (evenly chosen steps, so a spike between two of them is not seen;
 * `exact` when fewer steps exist than were asked for), or, where the server lacks that endpoint
 * too (before 2.11), the full `get-history` of each series bucketed here like Trackside does.
 * `state.bulk` remembers a server without bulk-interval.
 */
export async function sampledHistoryFallback(
  metrics: MetricsClient,
  request: SampledHistoryRequest,
  state: { bulk: boolean },
): Promise<SampledSeries[]> {
  const maxBuckets = request.maxBuckets ?? 1000;
  const ranged = request.startStep !== undefined || request.endStep !== undefined;
  const series: SampledSeries[] = [];
  for (const key of request.keys) {
    if (state.bulk) {
      try {
        const asked = Math.min(maxBuckets, BULK_MAX_RESULTS);
        const points = await metrics.getHistoryBulkInterval({
          runIds: request.runIds,
          key,
          startStep: ranged ? Math.max(INT32_MIN, request.startStep ?? INT32_MIN) : undefined,
          endStep: ranged ? Math.min(INT32_MAX, request.endStep ?? INT32_MAX) : undefined,
          maxResults: asked,
        });
        const exact = new Set(points.map((p) => p.step)).size < asked;
        for (const runId of request.runIds) {
          const own = points.filter((p) => p.run_id === runId).sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
          const entry: SampledSeries = { runId, key, buckets: own.map(pointBucket), exact };
          if (!ranged && own.length > 0) {
            entry.minStep = own[0].step;
            entry.maxStep = own[own.length - 1].step;
          }
          series.push(entry);
        }
        continue;
      } catch (e) {
        if (!isMissingEndpoint(e)) throw e;
        state.bulk = false;
      }
    }
    const histories = await mapLimited(request.runIds, PARALLEL_REQUESTS, (runId) => metrics.getHistory(runId, key));
    request.runIds.forEach((runId, i) => {
      const sampled = sampleHistory(histories[i] as Metric[], maxBuckets, request.startStep, request.endStep);
      series.push({ runId, key, ...sampled });
    });
  }
  return series;
}

/** The runs table from `runs/search` (plain MLflow keeps only each metric's last value: min, max and count are null). */
export async function runsTableFallback(runs: RunsClient, request: RunsTableRequest): Promise<RunsTable> {
  const params = new Set<string>();
  const metrics = new Set<string>();
  const tags = new Set<string>();
  const rows: RunsTableRow[] = [];
  for await (const run of runs.iterate({
    experimentIds: request.experimentIds,
    filter: request.filter,
    runViewType: request.viewType,
    orderBy: request.orderBy,
    maxResults: request.maxResults,
  })) {
    const row = tableRow(run);
    Object.keys(row.params).forEach((k) => params.add(k));
    Object.keys(row.metrics).forEach((k) => metrics.add(k));
    Object.keys(row.tags).forEach((k) => tags.add(k));
    rows.push(row);
  }
  const sorted = (keys: Set<string>): string[] => [...keys].sort();
  return { columns: { params: sorted(params), metrics: sorted(metrics), tags: sorted(tags) }, runs: rows };
}

function tableRow(run: Run): RunsTableRow {
  const tags = Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
  return {
    run_id: run.info.run_id,
    run_name: run.info.run_name,
    experiment_id: run.info.experiment_id,
    status: run.info.status,
    start_time: run.info.start_time ?? null,
    end_time: run.info.end_time ?? null,
    user_id: run.info.user_id ?? null,
    lifecycle_stage: run.info.lifecycle_stage,
    parent_run_id: tags['mlflow.parentRunId'] ?? null,
    params: Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value])),
    tags,
    metrics: Object.fromEntries((run.data.metrics ?? []).map((m) => [m.key, [m.value, null, null, null, m.step]])),
  };
}

/**
 * Metric summaries from `runs/get` (one request per run, a few at a time). Plain MLflow keeps only
 * the last value: `min` and `max` are absent and `count` is 0, meaning unknown.
 */
export async function metricSummariesFallback(runs: RunsClient, runIds: readonly string[]): Promise<Record<string, MetricSummary[]>> {
  const fetched = await mapLimited(runIds, PARALLEL_REQUESTS, (runId) => runs.get(runId));
  const out: Record<string, MetricSummary[]> = {};
  runIds.forEach((runId, i) => {
    out[runId] = (fetched[i].data.metrics ?? [])
      .map((m) => ({ key: m.key, last: m.value, step: m.step, timestamp: m.timestamp, count: 0 }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  });
  return out;
}

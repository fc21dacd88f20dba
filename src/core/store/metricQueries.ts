import { SAMPLED_PACKED_COLUMNS, type Metric, type MetricSummary, type MetricWithRunId, type SampledColumnsSeries, type SampledPackedSeries, type SampledSeries } from '../../shared/entities';
import type { Bucket } from './metricBuckets';
import { decodePageToken, encodePageToken } from '../search/pageToken';
import type { Database } from './database';
import type { MetricHistory } from './metricHistory';
import type { RunRepository } from './runRepository';
import { invalidParameter } from './trackingError';
import { runIdOf } from './trackingRequests';
import { LIMITS, optionalInt64, optionalString, requireString, validateMaxResults } from './validation';

const BULK_MAX_RUNS = 100;
const BULK_MAX_RESULTS = 2500;
const SAMPLED_MAX_SERIES = 500;
const SAMPLED_MAX_BUCKETS = 20_000;

const wireValue = (v: number): number | 'NaN' => (Number.isNaN(v) ? 'NaN' : v);

/** Metric history reads: MLflow's get-history (paged), get-history-bulk-interval, and Trackside's downsampled series. */
export class MetricQueries {
  constructor(
    private readonly db: Database,
    private readonly history: MetricHistory,
    private readonly runs: RunRepository,
  ) {}

  getHistory(req: { run_id?: unknown; run_uuid?: unknown; metric_key?: unknown; page_token?: unknown; max_results?: unknown }): {
    metrics: Metric[];
    next_page_token?: string;
  } {
    const runId = runIdOf(req);
    const key = requireString(req.metric_key, 'metric_key');
    const run = this.runs.row(runId);
    const limit = req.max_results === undefined ? Infinity : validateMaxResults(req.max_results, LIMITS.historyMaxResults, LIMITS.historyMaxResults);
    const offset = decodePageToken(optionalString(req.page_token, 'page_token'));
    const points = this.history.points(run.run_int, key);
    const end = Math.min(points.steps.length, offset + limit);
    const metrics: Metric[] = [];
    for (let i = offset; i < end; i++) {
      metrics.push({ key, value: wireValue(points.values[i]), timestamp: points.timestamps[i], step: points.steps[i] });
    }
    const result: { metrics: Metric[]; next_page_token?: string } = { metrics };
    if (end < points.steps.length) result.next_page_token = encodePageToken(end);
    return result;
  }

  /**
   * MLflow's get-history-bulk-interval: up to `max_results` steps chosen evenly (first and last
   * included) among the steps any of the runs logged in [start_step, end_step], with every
   * run's points at those steps.
   */
  getHistoryBulkInterval(req: { run_ids?: unknown; metric_key?: unknown; start_step?: unknown; end_step?: unknown; max_results?: unknown }): {
    metrics: MetricWithRunId[];
  } {
    const runIds = (Array.isArray(req.run_ids) ? req.run_ids : req.run_ids === undefined ? [] : [req.run_ids]).map(String);
    if (runIds.length === 0) throw invalidParameter("Missing value for required parameter 'run_ids'. Specify at least one run_id.");
    if (runIds.length > BULK_MAX_RUNS) {
      throw invalidParameter(
        `GetMetricHistoryBulkInterval request cannot specify more than ${BULK_MAX_RUNS} run_ids. Received ${runIds.length} run_ids.`,
      );
    }
    if (req.metric_key === undefined || req.metric_key === null || req.metric_key === '') {
      throw invalidParameter("Missing value for required parameter 'metric_key'.");
    }
    const key = String(req.metric_key);
    const requested = optionalInt64(req.max_results, 'max_results');
    if (requested !== undefined && requested <= 0) throw invalidParameter(`max_results must be a positive integer, got ${requested}.`);
    const maxResults = Math.min(requested ?? BULK_MAX_RESULTS, BULK_MAX_RESULTS);
    const start = optionalInt64(req.start_step, 'start_step');
    const end = optionalInt64(req.end_step, 'end_step');
    if ((start === undefined) !== (end === undefined)) {
      throw invalidParameter('If either start step or end step are specified, both must be specified.');
    }
    if (start !== undefined && end !== undefined && start > end) throw invalidParameter('end_step must be greater than start_step. ');
    const series = runIds.map((runId) => ({ runId, points: this.history.points(this.runs.row(runId).run_int, key, start, end) }));
    const steps = [...new Set(series.flatMap((s) => s.points.steps))].sort((a, b) => a - b);
    const chosen = new Set<number>();
    if (steps.length <= maxResults) steps.forEach((s) => chosen.add(s));
    else {
      for (let i = 0; i < maxResults; i++) chosen.add(steps[Math.round((i * (steps.length - 1)) / (maxResults - 1 || 1))]);
    }
    const metrics: MetricWithRunId[] = [];
    for (const { runId, points } of [...series].sort((a, b) => a.runId.localeCompare(b.runId))) {
      for (let i = 0; i < points.steps.length; i++) {
        if (!chosen.has(points.steps[i])) continue;
        metrics.push({ key, value: wireValue(points.values[i]), timestamp: points.timestamps[i], step: points.steps[i], run_id: runId });
      }
    }
    return { metrics };
  }

  /**
   * Trackside extra: many runs × keys at once, each downsampled to about `max_buckets` buckets over
   * the step range, with min/max/last per bucket so a spike is never lost. `format: "columns"`
   * answers each series column by column (`SampledColumnsSeries`) instead of a list of buckets,
   * `format: "packed"` as float64 columns in base64 (`SampledPackedSeries`).
   */
  sampled(req: { run_ids?: unknown; keys?: unknown; start_step?: unknown; end_step?: unknown; max_buckets?: unknown; format?: unknown }): {
    series: (SampledSeries | SampledColumnsSeries | SampledPackedSeries)[];
  } {
    const format = optionalString(req.format, 'format') ?? 'buckets';
    if (format !== 'buckets' && format !== 'columns' && format !== 'packed') {
      throw invalidParameter(`format must be "buckets", "columns" or "packed", got "${format}".`);
    }
    const runIds = (Array.isArray(req.run_ids) ? req.run_ids : req.run_ids === undefined ? [] : [req.run_ids]).map(String);
    const keys = (Array.isArray(req.keys) ? req.keys : req.keys === undefined ? [] : [req.keys]).map(String);
    if (runIds.length === 0 || keys.length === 0) throw invalidParameter('Specify at least one run_ids and one keys value.');
    if (runIds.length * keys.length > SAMPLED_MAX_SERIES) {
      throw invalidParameter(`At most ${SAMPLED_MAX_SERIES} series (run_ids × keys) per request; got ${runIds.length * keys.length}.`);
    }
    const maxBuckets = optionalInt64(req.max_buckets, 'max_buckets') ?? 1000;
    if (maxBuckets < 1 || maxBuckets > SAMPLED_MAX_BUCKETS) throw invalidParameter(`max_buckets must be between 1 and ${SAMPLED_MAX_BUCKETS}.`);
    const start = optionalInt64(req.start_step, 'start_step') ?? -Number.MAX_SAFE_INTEGER;
    const end = optionalInt64(req.end_step, 'end_step') ?? Number.MAX_SAFE_INTEGER;
    const series: (SampledSeries | SampledColumnsSeries | SampledPackedSeries)[] = [];
    for (const runId of runIds) {
      const run = this.runs.row(runId);
      for (const key of keys) {
        const { buckets, exact, minStep, maxStep } = this.history.downsample(run.run_int, key, start, end, maxBuckets);
        const entry: SampledSeries | SampledColumnsSeries | SampledPackedSeries =
          format === 'packed'
            ? { runId, key, exact, length: buckets.length, packed: packBuckets(buckets) }
            : format === 'columns'
            ? {
                runId,
                key,
                exact,
                columns: {
                  steps: buckets.map((b) => b.step),
                  timestamps: buckets.map((b) => b.timestamp),
                  last: buckets.map((b) => wireValue(b.last)),
                  min: buckets.map((b) => (Number.isNaN(b.min) ? null : b.min)),
                  max: buckets.map((b) => (Number.isNaN(b.max) ? null : b.max)),
                  counts: buckets.map((b) => b.count),
                },
              }
            : { runId, key, exact, buckets: buckets.map((b) => ({ ...b, last: wireValue(b.last), min: b.min, max: b.max })) };
        if (minStep !== undefined) entry.minStep = minStep;
        if (maxStep !== undefined) entry.maxStep = maxStep;
        series.push(entry);
      }
    }
    return { series };
  }

  /** Last/min/max/count per metric key for each run (what MLflow's runs table cannot show). */
  summaries(runIds: string[]): Record<string, MetricSummary[]> {
    const out: Record<string, MetricSummary[]> = {};
    for (const runId of runIds) {
      const run = this.runs.row(runId);
      out[runId] = this.db
        .all<{ key: string; count: number; min_value: number | null; max_value: number | null; last_value: number; last_is_nan: number; last_step: number; last_timestamp: number }>(
          `SELECT k.key, s.count, s.min_value, s.max_value, s.last_value, s.last_is_nan, s.last_step, s.last_timestamp
             FROM metric_series s JOIN metric_keys k ON k.key_id = s.key_id WHERE s.run_int = ? AND s.count > 0 ORDER BY k.key`,
          [run.run_int],
        )
        .map((r) => {
          const summary: MetricSummary = {
            key: r.key, last: r.last_is_nan ? 'NaN' : r.last_value, step: r.last_step, timestamp: r.last_timestamp, count: r.count,
          };
          if (r.min_value !== null) summary.min = r.min_value;
          if (r.max_value !== null) summary.max = r.max_value;
          return summary;
        });
    }
    return out;
  }
}

/** Buckets as `SampledPackedSeries.packed`: float64 columns in SAMPLED_PACKED_COLUMNS order, base64. */
function packBuckets(buckets: readonly Bucket[]): string {
  const n = buckets.length;
  const out = new Float64Array(n * SAMPLED_PACKED_COLUMNS.length);
  for (let i = 0; i < n; i++) {
    const b = buckets[i];
    out[i] = b.step;
    out[n + i] = b.timestamp;
    out[2 * n + i] = b.last;
    out[3 * n + i] = b.min;
    out[4 * n + i] = b.max;
    out[5 * n + i] = b.count;
  }
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength).toString('base64');
}

import type { DatasetInput, KeyValue, Run, RunInfo } from '../../shared/entities';
import { splitBatch, type WireMetric } from './batchSplitter';
import {
  tagList,
  wireDouble,
  type MetricInput,
  type RunCreateOptions,
  type RunSearchOptions,
  type RunUpdateOptions,
  type TagsInput,
} from './clientTypes';
import type { HttpTransport } from './httpTransport';

const API = '/api/2.0/mlflow/runs';
/** Page size of the all-pages helpers (MLflow's default and a comfortable response size). */
const PAGE_SIZE = 1000;

export interface SearchRunsResponse {
  runs: Run[];
  next_page_token?: string;
}

export interface BatchInput {
  metrics?: readonly MetricInput[];
  params?: readonly KeyValue[] | Readonly<Record<string, string>>;
  tags?: TagsInput;
}

function toWireMetric(metric: MetricInput, now: number): WireMetric {
  return { key: metric.key, value: wireDouble(metric.value), timestamp: metric.timestamp ?? now, step: metric.step ?? 0 };
}

/** MLflow's run endpoints (`/api/2.0/mlflow/runs/*`). */
export class RunsClient {
  constructor(private readonly http: HttpTransport) {}

  async create(options: RunCreateOptions): Promise<Run> {
    const answer = await this.http.json<{ run: Run }>('POST', `${API}/create`, {
      json: {
        experiment_id: options.experimentId,
        run_name: options.runName,
        start_time: options.startTime ?? Date.now(),
        user_id: options.userId,
        tags: tagList(options.tags),
      },
    });
    return answer.run;
  }

  async get(runId: string): Promise<Run> {
    return (await this.http.json<{ run: Run }>('GET', `${API}/get`, { query: { run_id: runId, run_uuid: runId } })).run;
  }

  /** Sets status, end time or name; returns the updated `RunInfo`. */
  async update(runId: string, changes: RunUpdateOptions): Promise<RunInfo> {
    const answer = await this.http.json<{ run_info: RunInfo }>('POST', `${API}/update`, {
      json: { run_id: runId, run_uuid: runId, status: changes.status, end_time: changes.endTime, run_name: changes.runName },
    });
    return answer.run_info;
  }

  async delete(runId: string): Promise<void> {
    await this.http.json('POST', `${API}/delete`, { json: { run_id: runId } });
  }

  async restore(runId: string): Promise<void> {
    await this.http.json('POST', `${API}/restore`, { json: { run_id: runId } });
  }

  /** Logs one metric point (retried on connection errors: the server de-duplicates a repeated point). */
  async logMetric(runId: string, key: string, value: number, options: { timestamp?: number; step?: number } = {}): Promise<void> {
    await this.http.json('POST', `${API}/log-metric`, {
      json: { run_id: runId, run_uuid: runId, ...toWireMetric({ key, value, ...options }, Date.now()) },
      idempotent: true,
    });
  }

  /** Logs a param (retried: re-logging the same value is accepted). */
  async logParam(runId: string, key: string, value: string): Promise<void> {
    await this.http.json('POST', `${API}/log-parameter`, { json: { run_id: runId, run_uuid: runId, key, value: String(value) }, idempotent: true });
  }

  async setTag(runId: string, key: string, value: string): Promise<void> {
    await this.http.json('POST', `${API}/set-tag`, { json: { run_id: runId, run_uuid: runId, key, value: String(value) }, idempotent: true });
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    await this.http.json('POST', `${API}/delete-tag`, { json: { run_id: runId, key } });
  }

  /**
   * Logs metrics, params and tags, split into as many `log-batch` requests as MLflow's limits need
   * (1000 metrics, 100 params, 100 tags, 1000 entities, ~1 MB a request), sent in order.
   * Returns the number of requests sent.
   */
  async logBatch(runId: string, batch: BatchInput): Promise<number> {
    const now = Date.now();
    const chunks = splitBatch({
      metrics: (batch.metrics ?? []).map((m) => toWireMetric(m, now)),
      params: tagList(batch.params) ?? [],
      tags: tagList(batch.tags) ?? [],
    });
    for (const chunk of chunks) {
      await this.http.json('POST', `${API}/log-batch`, {
        json: {
          run_id: runId,
          metrics: chunk.metrics.length ? chunk.metrics : undefined,
          params: chunk.params.length ? chunk.params : undefined,
          tags: chunk.tags.length ? chunk.tags : undefined,
        },
        idempotent: true,
      });
    }
    return chunks.length;
  }

  async logInputs(runId: string, datasets: readonly DatasetInput[]): Promise<void> {
    await this.http.json('POST', `${API}/log-inputs`, { json: { run_id: runId, datasets } });
  }

  /** Records a logged model in the run (MLflow's `runs/log-model`; `model` is the MLmodel as JSON). */
  async logModel(runId: string, model: object | string): Promise<void> {
    const modelJson = typeof model === 'string' ? model : JSON.stringify(model);
    await this.http.json('POST', `${API}/log-model`, { json: { run_id: runId, model_json: modelJson } });
  }

  /** One page of `runs/search` (the server's JSON, with `runs` always present). */
  async search(options: RunSearchOptions): Promise<SearchRunsResponse> {
    const answer = await this.http.json<Partial<SearchRunsResponse>>('POST', `${API}/search`, {
      json: {
        experiment_ids: options.experimentIds,
        filter: options.filter,
        run_view_type: options.runViewType,
        max_results: options.maxResults,
        order_by: options.orderBy,
        page_token: options.pageToken,
      },
      idempotent: true,
    });
    return { ...answer, runs: answer.runs ?? [] };
  }

  /** Every matching run, page after page (`maxResults` caps the total). */
  async *iterate(options: RunSearchOptions): AsyncGenerator<Run> {
    let remaining = options.maxResults ?? Infinity;
    let pageToken = options.pageToken;
    while (remaining > 0) {
      const page = await this.search({ ...options, pageToken, maxResults: Math.min(options.pageSize ?? PAGE_SIZE, remaining) });
      for (const run of page.runs.slice(0, remaining)) yield run;
      remaining -= page.runs.length;
      pageToken = page.next_page_token;
      if (!pageToken || page.runs.length === 0) return;
    }
  }

  /** All matching runs in one list (see `iterate`). */
  async searchAll(options: RunSearchOptions): Promise<Run[]> {
    const out: Run[] = [];
    for await (const run of this.iterate(options)) out.push(run);
    return out;
  }
}

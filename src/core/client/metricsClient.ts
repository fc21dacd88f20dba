import type { Metric, MetricWithRunId } from '../../shared/entities';
import type { HttpTransport } from './httpTransport';

const API = '/api/2.0/mlflow/metrics';
/** Page size for `getHistory` (MLflow's maximum for get-history). */
const HISTORY_PAGE_SIZE = 25_000;
/** MLflow answers get-history-bulk-interval for at most 100 runs at a time. */
const BULK_MAX_RUNS = 100;

export interface GetHistoryResponse {
  metrics: Metric[];
  next_page_token?: string;
}

export interface BulkIntervalRequest {
  runIds: readonly string[];
  key: string;
  startStep?: number;
  endStep?: number;
  /** Steps to sample evenly over the range (MLflow caps it at 2500). */
  maxResults?: number;
}

/** MLflow's metric history endpoints (`/api/2.0/mlflow/metrics/*`). */
export class MetricsClient {
  constructor(private readonly http: HttpTransport) {}

  /** One page of a metric's history (the server's JSON, with `metrics` always present). */
  async getHistoryPage(runId: string, key: string, options: { pageToken?: string; maxResults?: number } = {}): Promise<GetHistoryResponse> {
    const answer = await this.http.json<Partial<GetHistoryResponse>>('GET', `${API}/get-history`, {
      query: { run_id: runId, run_uuid: runId, metric_key: key, page_token: options.pageToken, max_results: options.maxResults },
    });
    return { ...answer, metrics: answer.metrics ?? [] };
  }

  /** A metric's whole history, every page (`pageSize` points a request, default 25000). */
  async getHistory(runId: string, key: string, options: { pageSize?: number } = {}): Promise<Metric[]> {
    const out: Metric[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.getHistoryPage(runId, key, { pageToken, maxResults: options.pageSize ?? HISTORY_PAGE_SIZE });
      out.push(...page.metrics);
      pageToken = page.metrics.length > 0 ? page.next_page_token : undefined;
    } while (pageToken);
    return out;
  }

  /**
   * MLflow's `get-history-bulk-interval`: up to `maxResults` evenly chosen steps of one key across
   * runs, with each run's points at those steps. More than 100 runs are asked in groups of 100.
   */
  async getHistoryBulkInterval(request: BulkIntervalRequest): Promise<MetricWithRunId[]> {
    const out: MetricWithRunId[] = [];
    for (let i = 0; i < request.runIds.length || i === 0; i += BULK_MAX_RUNS) {
      const answer = await this.http.json<{ metrics?: MetricWithRunId[] }>('GET', `${API}/get-history-bulk-interval`, {
        query: {
          run_ids: request.runIds.slice(i, i + BULK_MAX_RUNS),
          metric_key: request.key,
          start_step: request.startStep,
          end_step: request.endStep,
          max_results: request.maxResults,
        },
      });
      out.push(...(answer.metrics ?? []));
    }
    return out;
  }
}

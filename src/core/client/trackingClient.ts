import type { ChangeEvent, ServerVersion } from '../../shared/changeEvents';
import { columnsFromPacked, columnsFromSampled, columnsFromWire, type SeriesColumns } from '../../shared/charts/seriesColumns';
import type { MetricSummary, RegistryEvent, RunTreePage, SampledColumnsSeries, SampledPackedSeries, SampledSeries, ViewType } from '../../shared/entities';
import { ArtifactsClient } from './artifactsClient';
import type { RunChildrenRequest, RunsTable, RunsTableRequest, SampledHistoryRequest, ServerCapabilities } from './clientTypes';
import { pollChanges, type PollOptions } from './eventPoller';
import { readEventStream } from './eventStream';
import { ExperimentsClient } from './experimentsClient';
import { metricSummariesFallback, runsTableFallback, sampledHistoryFallback } from './extrasFallback';
import { HttpTransport, type TransportOptions } from './httpTransport';
import { MetricsClient } from './metricsClient';
import { ModelVersionsClient } from './modelVersionsClient';
import { RegisteredModelsClient } from './registeredModelsClient';
import { RunsClient } from './runsClient';
import { TrackingClientError } from './trackingClientError';

export type TrackingClientOptions = TransportOptions;

const EXTRAS = '/api/2.0/trackside';
/** Trackside's server answers at most this many series (run × key) per `metrics/sampled` request. */
const SAMPLED_MAX_SERIES = 500;

/** The environment variables MLflow's clients read, as client options (undefined without a URI). */
export function environmentOptions(env: NodeJS.ProcessEnv = process.env): TrackingClientOptions | undefined {
  const trackingUri = env.MLFLOW_TRACKING_URI?.trim();
  if (!trackingUri) return undefined;
  const seconds = Number(env.MLFLOW_HTTP_REQUEST_TIMEOUT);
  const retries = Number(env.MLFLOW_HTTP_REQUEST_MAX_RETRIES);
  return {
    trackingUri,
    token: env.MLFLOW_TRACKING_TOKEN || undefined,
    username: env.MLFLOW_TRACKING_USERNAME || undefined,
    password: env.MLFLOW_TRACKING_PASSWORD || undefined,
    timeoutMs: env.MLFLOW_HTTP_REQUEST_TIMEOUT && seconds > 0 ? seconds * 1000 : undefined,
    maxRetries: env.MLFLOW_HTTP_REQUEST_MAX_RETRIES && Number.isInteger(retries) && retries >= 0 ? retries : undefined,
  };
}

/** Little-endian float64s from base64 (copied into an aligned buffer of their own). */
function float64FromBase64(text: string): Float64Array {
  const bytes = Buffer.from(text, 'base64');
  const out = new Float64Array(bytes.length >> 3);
  new Uint8Array(out.buffer).set(bytes.subarray(0, out.length * 8));
  return out;
}

function isMissingEndpoint(e: unknown): boolean {
  return e instanceof TrackingClientError && (e.errorCode === 'ENDPOINT_NOT_FOUND' || (e.status === 404 && e.errorCode !== 'RESOURCE_DOES_NOT_EXIST'));
}

/**
 * A typed client of MLflow's REST API 2.0 — a Trackside engine or any MLflow tracking server — with
 * Trackside's extras when the server announces them in `/version`, and fallbacks on the standard
 * API when it does not. Resources hang off it: `experiments`, `runs`, `metrics`, `artifacts`,
 * `registeredModels`, `modelVersions`.
 */
export class TrackingClient {
  readonly experiments: ExperimentsClient;
  readonly runs: RunsClient;
  readonly metrics: MetricsClient;
  readonly artifacts: ArtifactsClient;
  readonly registeredModels: RegisteredModelsClient;
  readonly modelVersions: ModelVersionsClient;
  private readonly http: HttpTransport;
  private cachedCapabilities: Promise<ServerCapabilities> | undefined;
  private readonly fallbackState = { bulk: true };

  constructor(private readonly options: TrackingClientOptions) {
    this.http = new HttpTransport({ ...options, userAgent: options.userAgent ?? 'trackside-client' });
    this.experiments = new ExperimentsClient(this.http);
    this.runs = new RunsClient(this.http);
    this.metrics = new MetricsClient(this.http);
    this.artifacts = new ArtifactsClient(this.http, (runId) => this.runs.get(runId));
    this.registeredModels = new RegisteredModelsClient(this.http);
    this.modelVersions = new ModelVersionsClient(this.http);
  }

  /**
   * A client for `MLFLOW_TRACKING_URI`, with `MLFLOW_TRACKING_TOKEN` (or `MLFLOW_TRACKING_USERNAME` /
   * `MLFLOW_TRACKING_PASSWORD`), `MLFLOW_HTTP_REQUEST_TIMEOUT` (s) and `MLFLOW_HTTP_REQUEST_MAX_RETRIES`.
   */
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env, overrides: Partial<TrackingClientOptions> = {}): TrackingClient {
    const options = environmentOptions(env);
    if (!options && !overrides.trackingUri) {
      throw new TrackingClientError(0, 'INVALID_PARAMETER_VALUE', 'MLFLOW_TRACKING_URI is not set: point it at a tracking server (http://host:port).');
    }
    const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
    return new TrackingClient({ ...(options as TrackingClientOptions), ...defined });
  }

  /** The server's base URI (no trailing slash, no credentials). */
  get trackingUri(): string {
    return this.http.baseUri;
  }

  /** The bearer token sent (for handing to child processes as `MLFLOW_TRACKING_TOKEN`). */
  get token(): string | undefined {
    return this.options.token;
  }

  /**
   * Checks `GET /health` (one attempt, no retries): resolves when the server answers OK within
   * `timeoutMs`, rejects with a `TrackingClientError` otherwise.
   */
  async health(timeoutMs = 5000): Promise<void> {
    const answer = await this.http.request('GET', '/health', { headers: { Accept: 'text/plain' }, idempotent: false, timeoutMs });
    const text = answer.body.toString('utf8').trim();
    if (text !== 'OK') {
      throw new TrackingClientError(answer.status, 'INVALID_RESPONSE', `The server at ${this.trackingUri} answered /health with '${text.slice(0, 100)}', not OK.`);
    }
  }

  /**
   * What the server is and offers, from `GET /version` (asked for JSON: Trackside answers
   * `{mlflow, trackside, extras}`, MLflow its version as text). Cached; `refresh` asks again.
   */
  capabilities(refresh = false): Promise<ServerCapabilities> {
    if (!this.cachedCapabilities || refresh) {
      const asking = this.askCapabilities();
      asking.catch(() => {
        if (this.cachedCapabilities === asking) this.cachedCapabilities = undefined;
      });
      this.cachedCapabilities = asking;
    }
    return this.cachedCapabilities;
  }

  async hasExtra(name: string): Promise<boolean> {
    return (await this.capabilities()).extras.includes(name);
  }

  /**
   * Calls `onEvent` with each change on the server until `signal` aborts (then resolves). With
   * Trackside's `events` extra it reads the server-sent-event stream (coalesced, ≤ 10 events a
   * second; reconnects with backoff from 1 s up to 30 s); against plain MLflow it polls every
   * `pollIntervalMs` (default 5 s, see `pollChanges`). `onStatus('connected')` follows each
   * (re)connection: events may have been missed before it, so re-read what is shown. Rejects on
   * 401/403 and other answers that retrying cannot fix.
   */
  async events(onEvent: (event: ChangeEvent) => void, signal: AbortSignal, options: PollOptions = {}): Promise<void> {
    if (await this.hasExtra('events')) {
      try {
        return await readEventStream(this.http, `${EXTRAS}/events`, onEvent, signal, options);
      } catch (e) {
        if (!isMissingEndpoint(e)) throw e; // announced but not routed (a proxy in between): poll instead
      }
    }
    return pollChanges(this, onEvent, signal, options);
  }

  /**
   * Each (run, key) series downsampled to about `maxBuckets` buckets (min/max/last each) over the
   * step range. Trackside's `metrics/sampled` (asked ≤ 500 series at a time); elsewhere
   * `get-history-bulk-interval` or `get-history` (see `sampledHistoryFallback`). Series come run by
   * run within each key group, in the order asked.
   */
  async sampledHistory(request: SampledHistoryRequest): Promise<SampledSeries[]> {
    if (request.runIds.length === 0 || request.keys.length === 0) return [];
    const answered = await this.sampledExtra<SampledSeries>(request, 'buckets');
    return answered ?? sampledHistoryFallback(this.metrics, request, this.fallbackState);
  }

  /**
   * `sampledHistory` as chart columns (typed arrays). Trackside answers them packed (float64
   * columns in base64: no number goes through JSON) or, before `sampled-packed`, column by column;
   * plain MLflow goes through buckets.
   */
  async sampledColumns(request: SampledHistoryRequest): Promise<SeriesColumns[]> {
    if (request.runIds.length === 0 || request.keys.length === 0) return [];
    const format = (await this.hasExtra('sampled-packed')) ? 'packed' : 'columns';
    const answered = await this.sampledExtra<SampledSeries | SampledColumnsSeries | SampledPackedSeries>(request, format);
    if (answered) {
      return answered.map((s) => ('packed' in s ? columnsFromPacked(s, float64FromBase64(s.packed)) : 'columns' in s ? columnsFromWire(s) : columnsFromSampled(s)));
    }
    return (await sampledHistoryFallback(this.metrics, request, this.fallbackState)).map(columnsFromSampled);
  }

  /** Trackside's `metrics/sampled`, ≤ 500 series a request; undefined where the server lacks it. */
  private async sampledExtra<T>(request: SampledHistoryRequest, format: 'buckets' | 'columns' | 'packed'): Promise<T[] | undefined> {
    if (!(await this.hasExtra('sampled-history'))) return undefined;
    try {
      const series: T[] = [];
      for (let k = 0; k < request.keys.length; k += SAMPLED_MAX_SERIES) {
        const keys = request.keys.slice(k, k + SAMPLED_MAX_SERIES);
        const runsPerRequest = Math.max(1, Math.floor(SAMPLED_MAX_SERIES / keys.length));
        for (let r = 0; r < request.runIds.length; r += runsPerRequest) {
          const answer = await this.http.json<{ series?: T[] }>('POST', `${EXTRAS}/metrics/sampled`, {
            json: {
              run_ids: request.runIds.slice(r, r + runsPerRequest),
              keys,
              start_step: request.startStep,
              end_step: request.endStep,
              max_buckets: request.maxBuckets,
              ...(format === 'buckets' ? {} : { format }),
            },
            idempotent: true,
          });
          series.push(...(answer.series ?? []));
        }
      }
      return series;
    } catch (e) {
      if (!isMissingEndpoint(e)) throw e;
      return undefined;
    }
  }

  /** The runs table of experiments in one call: Trackside's `runs/table`, else built from `runs/search`. */
  async runsTable(request: RunsTableRequest): Promise<RunsTable> {
    if (await this.hasExtra('runs-table')) {
      try {
        return await this.http.json<RunsTable>('POST', `${EXTRAS}/runs/table`, {
          json: {
            experiment_ids: request.experimentIds,
            filter: request.filter,
            view_type: request.viewType,
            order_by: request.orderBy,
            max_results: request.maxResults,
          },
          idempotent: true,
        });
      } catch (e) {
        if (!isMissingEndpoint(e)) throw e;
      }
    }
    return runsTableFallback(this.runs, request);
  }

  /** Last, min, max and count per metric key of each run: Trackside's `metrics/summaries`, else `runs/get` (last value only). */
  async metricSummaries(runIds: readonly string[]): Promise<Record<string, MetricSummary[]>> {
    if (runIds.length === 0) return {};
    if (await this.hasExtra('metric-summaries')) {
      try {
        const answer = await this.http.json<{ summaries?: Record<string, MetricSummary[]> }>('POST', `${EXTRAS}/metrics/summaries`, {
          json: { run_ids: runIds },
          idempotent: true,
        });
        return answer.summaries ?? {};
      } catch (e) {
        if (!isMissingEndpoint(e)) throw e;
      }
    }
    return metricSummariesFallback(this.runs, runIds);
  }

  /**
   * One page of an experiment's runs at one nesting level (top-level runs, or one run's children),
   * as the Experiments tree shows them (Trackside's `run-tree` extra; no fallback: callers page
   * `runs/search` themselves against plain MLflow).
   */
  async runChildren(request: RunChildrenRequest): Promise<RunTreePage> {
    await this.requireExtra('run-tree');
    const answer = await this.http.json<Partial<RunTreePage>>('POST', `${EXTRAS}/runs/children`, {
      json: {
        experiment_id: request.experimentId,
        parent_run_id: request.parentRunId,
        filter: request.filter,
        key_metric: request.keyMetric,
        view_type: request.viewType,
        max_results: request.maxResults,
        page_token: request.pageToken,
      },
      idempotent: true,
    });
    return { ...answer, runs: answer.runs ?? [] } as RunTreePage;
  }

  /** Runs per experiment id (Trackside's `run-tree` extra; no fallback). */
  async runCounts(viewType: ViewType = 'ACTIVE_ONLY'): Promise<Record<string, number>> {
    await this.requireExtra('run-tree');
    const answer = await this.http.json<{ counts?: Record<string, number> }>('GET', `${EXTRAS}/experiments/run-counts`, { query: { view_type: viewType } });
    return answer.counts ?? {};
  }

  /**
   * A registered model's stage and alias history (Trackside's `registry-history` extra; MLflow keeps
   * none, so against plain MLflow this rejects with `NOT_IMPLEMENTED`).
   */
  async registryHistory(name: string): Promise<RegistryEvent[]> {
    await this.requireExtra('registry-history');
    const answer = await this.http.json<{ events?: RegistryEvent[] }>('GET', `${EXTRAS}/registered-models/history`, { query: { name } });
    return answer.events ?? [];
  }

  /**
   * Which versions of `name` were in `stage` at `time` (ms or ISO date), and `version`, the highest:
   * what `models:/<name>/<stage>` designated then (Trackside's `registry-history` extra).
   */
  async stageAt(name: string, stage: string, time: number | string): Promise<{ version?: string; versions: string[] }> {
    await this.requireExtra('registry-history');
    const answer = await this.http.json<{ version?: string; versions?: string[] }>('GET', `${EXTRAS}/registered-models/stage-at`, {
      query: { name, stage, time: String(time) },
    });
    return { ...answer, versions: answer.versions ?? [] };
  }

  /** The version `alias` pointed to at `time` (ms or ISO date); `{}` when it pointed nowhere. */
  async aliasAt(name: string, alias: string, time: number | string): Promise<{ version?: string }> {
    await this.requireExtra('registry-history');
    return this.http.json<{ version?: string }>('GET', `${EXTRAS}/registered-models/alias-at`, { query: { name, alias, time: String(time) } });
  }

  /** Closes idle connections (the client stays usable; new requests open new ones). */
  close(): void {
    this.http.close();
  }

  /** The same as `close()`, so the client can sit in a list of disposables. */
  dispose(): void {
    this.close();
  }

  private async requireExtra(name: string): Promise<void> {
    if (!(await this.hasExtra(name))) {
      throw new TrackingClientError(0, 'NOT_IMPLEMENTED', `The server at ${this.trackingUri} does not offer Trackside's '${name}' extra.`);
    }
  }

  private async askCapabilities(): Promise<ServerCapabilities> {
    let answer;
    try {
      answer = await this.http.request('GET', '/version', { headers: { Accept: 'application/json, text/plain;q=0.5' } });
    } catch (e) {
      if (e instanceof TrackingClientError && e.status === 404) return { mlflowVersion: 'unknown', extras: [] };
      throw e;
    }
    const text = answer.body.toString('utf8').trim();
    if ((answer.headers['content-type'] ?? '').includes('application/json')) {
      try {
        const version = JSON.parse(text) as Partial<ServerVersion>;
        if (version && typeof version.mlflow === 'string') {
          return {
            mlflowVersion: version.mlflow,
            tracksideVersion: typeof version.trackside === 'string' ? version.trackside : undefined,
            extras: Array.isArray(version.extras) ? version.extras.map(String) : [],
          };
        }
      } catch {
        /* fall through to the plain answer */
      }
    }
    const header = (name: string): string | undefined => {
      const value = answer.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const extras = header('x-trackside-extras');
    return {
      mlflowVersion: text.replace(/^"|"$/g, ''),
      tracksideVersion: header('x-trackside-version'),
      extras: extras ? extras.split(',').map((x) => x.trim()).filter(Boolean) : [],
    };
  }
}

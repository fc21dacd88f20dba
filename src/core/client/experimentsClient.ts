import type { Experiment } from '../../shared/entities';
import { tagList, type ExperimentSearchOptions, type TagsInput } from './clientTypes';
import type { HttpTransport } from './httpTransport';
import { TrackingClientError } from './trackingClientError';

const API = '/api/2.0/mlflow/experiments';
/** Page size of the all-pages helpers (MLflow's maximum is 50000; pages this size stay small). */
const PAGE_SIZE = 1000;

export interface SearchExperimentsResponse {
  experiments: Experiment[];
  next_page_token?: string;
}

/** MLflow's experiment endpoints (`/api/2.0/mlflow/experiments/*`). */
export class ExperimentsClient {
  constructor(private readonly http: HttpTransport) {}

  /** Creates an experiment and returns its id. */
  async create(name: string, options: { artifactLocation?: string; tags?: TagsInput } = {}): Promise<string> {
    const answer = await this.http.json<{ experiment_id: string }>('POST', `${API}/create`, {
      json: { name, artifact_location: options.artifactLocation, tags: tagList(options.tags) },
    });
    return answer.experiment_id;
  }

  async get(experimentId: string): Promise<Experiment> {
    return (await this.http.json<{ experiment: Experiment }>('GET', `${API}/get`, { query: { experiment_id: experimentId } })).experiment;
  }

  /** The experiment of that name, or undefined when there is none (as MLflow's Python client answers None). */
  async getByName(name: string): Promise<Experiment | undefined> {
    try {
      return (await this.http.json<{ experiment: Experiment }>('GET', `${API}/get-by-name`, { query: { experiment_name: name } })).experiment;
    } catch (e) {
      if (e instanceof TrackingClientError && e.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw e;
    }
  }

  /** One page of `experiments/search` (the server's JSON, with `experiments` always present). */
  async search(options: ExperimentSearchOptions = {}): Promise<SearchExperimentsResponse> {
    const answer = await this.http.json<Partial<SearchExperimentsResponse>>('POST', `${API}/search`, {
      json: {
        max_results: options.maxResults,
        page_token: options.pageToken,
        filter: options.filter,
        order_by: options.orderBy,
        view_type: options.viewType,
      },
      idempotent: true,
    });
    return { ...answer, experiments: answer.experiments ?? [] };
  }

  /** Every matching experiment, page after page (`maxResults` caps the total). */
  async *iterate(options: ExperimentSearchOptions = {}): AsyncGenerator<Experiment> {
    let remaining = options.maxResults ?? Infinity;
    let pageToken = options.pageToken;
    while (remaining > 0) {
      const page = await this.search({ ...options, pageToken, maxResults: Math.min(options.pageSize ?? PAGE_SIZE, remaining) });
      for (const experiment of page.experiments.slice(0, remaining)) yield experiment;
      remaining -= page.experiments.length;
      pageToken = page.next_page_token;
      if (!pageToken || page.experiments.length === 0) return;
    }
  }

  /** All matching experiments in one list (see `iterate`). */
  async searchAll(options: ExperimentSearchOptions = {}): Promise<Experiment[]> {
    const out: Experiment[] = [];
    for await (const experiment of this.iterate(options)) out.push(experiment);
    return out;
  }

  /** Renames an experiment (MLflow's `experiments/update`). */
  async update(experimentId: string, changes: { newName: string }): Promise<void> {
    await this.http.json('POST', `${API}/update`, { json: { experiment_id: experimentId, new_name: changes.newName } });
  }

  async delete(experimentId: string): Promise<void> {
    await this.http.json('POST', `${API}/delete`, { json: { experiment_id: experimentId } });
  }

  async restore(experimentId: string): Promise<void> {
    await this.http.json('POST', `${API}/restore`, { json: { experiment_id: experimentId } });
  }

  /** Sets a tag (retried on connection errors: setting the same value again changes nothing). */
  async setTag(experimentId: string, key: string, value: string): Promise<void> {
    await this.http.json('POST', `${API}/set-experiment-tag`, { json: { experiment_id: experimentId, key, value }, idempotent: true });
  }
}

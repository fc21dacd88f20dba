import type { ModelVersion, ModelVersionStage } from '../../shared/entities';
import { tagList, type RegistrySearchOptions, type TagsInput } from './clientTypes';
import type { HttpTransport } from './httpTransport';
import { filterString } from '../search/filterLiteral';

const API = '/api/2.0/mlflow/model-versions';
/** Page size of the all-pages helpers (MLflow allows up to 200000). */
const PAGE_SIZE = 10_000;

export interface SearchModelVersionsResponse {
  model_versions: ModelVersion[];
  next_page_token?: string;
}

export interface ModelVersionCreateOptions {
  runId?: string;
  runLink?: string;
  description?: string;
  tags?: TagsInput;
}

/** MLflow's model registry: versions of registered models (`/api/2.0/mlflow/model-versions/*`). */
export class ModelVersionsClient {
  constructor(private readonly http: HttpTransport) {}

  /** Registers `source` (e.g. `runs:/<run>/model` or the run's artifact URI + path) as a new version of `name`. */
  async create(name: string, source: string, options: ModelVersionCreateOptions = {}): Promise<ModelVersion> {
    const answer = await this.http.json<{ model_version: ModelVersion }>('POST', `${API}/create`, {
      json: {
        name,
        source,
        run_id: options.runId,
        run_link: options.runLink,
        description: options.description,
        tags: tagList(options.tags),
      },
    });
    return answer.model_version;
  }

  async get(name: string, version: string): Promise<ModelVersion> {
    return (await this.http.json<{ model_version: ModelVersion }>('GET', `${API}/get`, { query: { name, version: String(version) } }))
      .model_version;
  }

  /** Sets the description (MLflow's `PATCH model-versions/update`). */
  async update(name: string, version: string, changes: { description: string }): Promise<ModelVersion> {
    const answer = await this.http.json<{ model_version: ModelVersion }>('PATCH', `${API}/update`, {
      json: { name, version: String(version), description: changes.description },
    });
    return answer.model_version;
  }

  /** Moves a version to a stage (`None`, `Staging`, `Production`, `Archived`). */
  async transitionStage(name: string, version: string, stage: ModelVersionStage | string, archiveExistingVersions = false): Promise<ModelVersion> {
    const answer = await this.http.json<{ model_version: ModelVersion }>('POST', `${API}/transition-stage`, {
      json: { name, version: String(version), stage, archive_existing_versions: archiveExistingVersions },
    });
    return answer.model_version;
  }

  async delete(name: string, version: string): Promise<void> {
    await this.http.json('DELETE', `${API}/delete`, { json: { name, version: String(version) } });
  }

  /** One page of `model-versions/search` (with `model_versions` always present). */
  async search(options: RegistrySearchOptions = {}): Promise<SearchModelVersionsResponse> {
    const answer = await this.http.json<Partial<SearchModelVersionsResponse>>('GET', `${API}/search`, {
      query: { filter: options.filter, max_results: options.maxResults, order_by: options.orderBy, page_token: options.pageToken },
    });
    return { ...answer, model_versions: answer.model_versions ?? [] };
  }

  /** Every matching version, page after page (`maxResults` caps the total). */
  async *iterate(options: RegistrySearchOptions = {}): AsyncGenerator<ModelVersion> {
    let remaining = options.maxResults ?? Infinity;
    let pageToken = options.pageToken;
    while (remaining > 0) {
      const page = await this.search({ ...options, pageToken, maxResults: Math.min(options.pageSize ?? PAGE_SIZE, remaining) });
      for (const version of page.model_versions.slice(0, remaining)) yield version;
      remaining -= page.model_versions.length;
      pageToken = page.next_page_token;
      if (!pageToken || page.model_versions.length === 0) return;
    }
  }

  async searchAll(options: RegistrySearchOptions = {}): Promise<ModelVersion[]> {
    const out: ModelVersion[] = [];
    for await (const version of this.iterate(options)) out.push(version);
    return out;
  }

  /** Every version of one registered model, newest first. */
  async listForModel(name: string): Promise<ModelVersion[]> {
    return this.searchAll({ filter: `name = ${filterString(name)}`, orderBy: ['version_number DESC'] });
  }

  /** Where the version's files are (`artifact_uri`, e.g. `mlflow-artifacts:/2/<run>/artifacts/model`). */
  async getDownloadUri(name: string, version: string): Promise<string> {
    return (await this.http.json<{ artifact_uri: string }>('GET', `${API}/get-download-uri`, { query: { name, version: String(version) } }))
      .artifact_uri;
  }

  async setTag(name: string, version: string, key: string, value: string): Promise<void> {
    await this.http.json('POST', `${API}/set-tag`, { json: { name, version: String(version), key, value }, idempotent: true });
  }

  async deleteTag(name: string, version: string, key: string): Promise<void> {
    await this.http.json('DELETE', `${API}/delete-tag`, { json: { name, version: String(version), key } });
  }
}

import type { ModelVersion, RegisteredModel } from '../../shared/entities';
import { tagList, type RegistrySearchOptions, type TagsInput } from './clientTypes';
import type { HttpTransport } from './httpTransport';
import { TrackingClientError } from './trackingClientError';

const API = '/api/2.0/mlflow/registered-models';
/** MLflow's maximum page size for registered-models/search. */
const PAGE_SIZE = 1000;

export interface SearchRegisteredModelsResponse {
  registered_models: RegisteredModel[];
  next_page_token?: string;
}

/** MLflow's model registry: registered models, their tags and aliases (`/api/2.0/mlflow/registered-models/*`). */
export class RegisteredModelsClient {
  constructor(private readonly http: HttpTransport) {}

  async create(name: string, options: { description?: string; tags?: TagsInput } = {}): Promise<RegisteredModel> {
    const answer = await this.http.json<{ registered_model: RegisteredModel }>('POST', `${API}/create`, {
      json: { name, description: options.description, tags: tagList(options.tags) },
    });
    return answer.registered_model;
  }

  async get(name: string): Promise<RegisteredModel> {
    return (await this.http.json<{ registered_model: RegisteredModel }>('GET', `${API}/get`, { query: { name } })).registered_model;
  }

  async rename(name: string, newName: string): Promise<RegisteredModel> {
    return (await this.http.json<{ registered_model: RegisteredModel }>('POST', `${API}/rename`, { json: { name, new_name: newName } }))
      .registered_model;
  }

  /** Sets the description (MLflow's `PATCH registered-models/update`). */
  async update(name: string, changes: { description: string }): Promise<RegisteredModel> {
    return (
      await this.http.json<{ registered_model: RegisteredModel }>('PATCH', `${API}/update`, { json: { name, description: changes.description } })
    ).registered_model;
  }

  async delete(name: string): Promise<void> {
    await this.http.json('DELETE', `${API}/delete`, { json: { name } });
  }

  /** One page of `registered-models/search` (with `registered_models` always present). */
  async search(options: RegistrySearchOptions = {}): Promise<SearchRegisteredModelsResponse> {
    const answer = await this.http.json<Partial<SearchRegisteredModelsResponse>>('GET', `${API}/search`, {
      query: { filter: options.filter, max_results: options.maxResults, order_by: options.orderBy, page_token: options.pageToken },
    });
    return { ...answer, registered_models: answer.registered_models ?? [] };
  }

  /** Every matching registered model, page after page (`maxResults` caps the total). */
  async *iterate(options: RegistrySearchOptions = {}): AsyncGenerator<RegisteredModel> {
    let remaining = options.maxResults ?? Infinity;
    let pageToken = options.pageToken;
    while (remaining > 0) {
      const page = await this.search({ ...options, pageToken, maxResults: Math.min(options.pageSize ?? PAGE_SIZE, remaining) });
      for (const model of page.registered_models.slice(0, remaining)) yield model;
      remaining -= page.registered_models.length;
      pageToken = page.next_page_token;
      if (!pageToken || page.registered_models.length === 0) return;
    }
  }

  async searchAll(options: RegistrySearchOptions = {}): Promise<RegisteredModel[]> {
    const out: RegisteredModel[] = [];
    for await (const model of this.iterate(options)) out.push(model);
    return out;
  }

  /**
   * The latest version in each stage (or in the given stages). Sent as POST, then as GET when the
   * server has no POST route (`ENDPOINT_NOT_FOUND`), as MLflow's client does.
   */
  async getLatestVersions(name: string, stages?: readonly string[]): Promise<ModelVersion[]> {
    try {
      const answer = await this.http.json<{ model_versions?: ModelVersion[] }>('POST', `${API}/get-latest-versions`, {
        json: { name, stages },
        idempotent: true,
      });
      return answer.model_versions ?? [];
    } catch (e) {
      if (!(e instanceof TrackingClientError) || e.errorCode !== 'ENDPOINT_NOT_FOUND') throw e;
      const answer = await this.http.json<{ model_versions?: ModelVersion[] }>('GET', `${API}/get-latest-versions`, {
        query: { name, stages },
      });
      return answer.model_versions ?? [];
    }
  }

  async setTag(name: string, key: string, value: string): Promise<void> {
    await this.http.json('POST', `${API}/set-tag`, { json: { name, key, value }, idempotent: true });
  }

  async deleteTag(name: string, key: string): Promise<void> {
    await this.http.json('DELETE', `${API}/delete-tag`, { json: { name, key } });
  }

  /** Points `alias` at `version` (moving it when it pointed elsewhere). */
  async setAlias(name: string, alias: string, version: string): Promise<void> {
    await this.http.json('POST', `${API}/alias`, { json: { name, alias, version: String(version) }, idempotent: true });
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.http.json('DELETE', `${API}/alias`, { json: { name, alias } });
  }

  async getVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return (await this.http.json<{ model_version: ModelVersion }>('GET', `${API}/alias`, { query: { name, alias } })).model_version;
  }
}

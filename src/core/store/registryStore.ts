import type { ModelVersion, RegisteredModel, RegistryEvent } from '../../shared/entities';
import { joinArtifactUri, parseRunsUri, resolveModelUri, type ResolvedModelUri } from '../models/modelUri';
import { decodePageToken, encodePageToken } from '../search/pageToken';
import { buildModelVersionSearchSql, buildRegisteredModelSearchSql } from '../search/registrySearchSql';
import { ModelVersionRepository } from './modelVersionRepository';
import type { RegistryMutation } from './mutations';
import { modelExists, RegisteredModelRepository } from './registeredModelRepository';
import { RegistryHistory } from './registryHistory';
import { findModelRow, versionRow } from './registryRows';
import {
  ACTIVE_STAGES,
  assertNoRelativePaths,
  canonicalStage,
  parseFlag,
  parseModelVersion,
  parseTime,
  validateAlias,
  validateModelName,
  validateModelVersionTag,
  validateRegisteredModelTag,
  validateTagKey,
} from './registryValidation';
import type { Store } from './store';
import { TrackingError, invalidParameter } from './trackingError';
import { listOf, type KeyValueInput } from './trackingRequests';
import type { TrackingStore } from './trackingStore';
import { optionalString, requireString, validateMaxResults } from './validation';

export const REGISTERED_MODELS_MAX_RESULTS = { default: 100, maximum: 1000 } as const;
export const MODEL_VERSIONS_MAX_RESULTS = { default: 10_000, maximum: 200_000 } as const;

type SearchRequest = { filter?: unknown; max_results?: unknown; order_by?: unknown; page_token?: unknown };
type NameRequest = { name?: unknown };
type VersionRequest = { name?: unknown; version?: unknown };

/** A URI scheme of two or more characters (a single letter is a Windows drive). */
const URI_SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]+:/;
const WINDOWS_ABSOLUTE = /^([a-zA-Z]:[\\/]|\\\\)/;
/** MLflow's ModelVersionStatus names. */
const IMPORTABLE_STATUSES = ['READY', 'PENDING_REGISTRATION', 'FAILED_REGISTRATION'];

/**
 * MLflow's model registry over one store: registered models, versions, stages, tags and aliases,
 * plus a history of every stage and alias change (a Trackside extra). Requests are wire-shaped
 * (fields checked at run time); each write is validated, then committed as one resolved mutation.
 */
export class RegistryStore {
  readonly history: RegistryHistory;
  readonly versions: ModelVersionRepository;
  readonly models: RegisteredModelRepository;
  /** Where the times of changes come from (tests set it to replay a calendar). */
  clock: () => number = Date.now;

  constructor(private readonly store: Store, private readonly tracking: TrackingStore) {
    this.history = new RegistryHistory(store.db);
    this.versions = new ModelVersionRepository(store.db, this.history);
    this.models = new RegisteredModelRepository(store.db, this.history, this.versions);
    const appliers = { ...this.models.appliers, ...this.versions.appliers } as Record<string, (m: RegistryMutation) => void>;
    store.addApplier((m) => appliers[m.t]?.(m as RegistryMutation));
  }

  // ---- registered models -------------------------------------------------------------------

  createRegisteredModel(req: { name?: unknown; tags?: unknown; description?: unknown; user_id?: unknown }): RegisteredModel {
    const name = validateModelName(req.name);
    const tags = dedupe(listOf<KeyValueInput>(req.tags, 'tags').map(validateRegisteredModelTag));
    const description = optionalString(req.description, 'description') || undefined;
    if (findModelRow(this.store.db, name)) throw modelExists(name);
    this.store.commit({
      t: 'createRegisteredModel', modelId: this.models.nextId(), name, description, tags, userId: this.userOf(req), now: this.clock(),
    });
    return this.models.get(name);
  }

  renameRegisteredModel(req: { name?: unknown; new_name?: unknown }): RegisteredModel {
    const name = requireString(req.name, 'name');
    const newName = validateModelName(req.new_name, 'new_name');
    this.models.row(name);
    if (newName !== name && findModelRow(this.store.db, newName)) throw modelExists(newName);
    this.store.commit({ t: 'renameRegisteredModel', name, newName, now: this.clock() });
    return this.models.get(newName);
  }

  updateRegisteredModel(req: { name?: unknown; description?: unknown }): RegisteredModel {
    const name = requireString(req.name, 'name');
    const description = optionalString(req.description, 'description') || undefined;
    this.models.row(name);
    this.store.commit({ t: 'updateRegisteredModel', name, description, now: this.clock() });
    return this.models.get(name);
  }

  /** Deletes the model with its versions, tags, aliases and history. */
  deleteRegisteredModel(req: NameRequest): void {
    const name = requireString(req.name, 'name');
    this.models.row(name);
    this.store.commit({ t: 'deleteRegisteredModel', name });
  }

  getRegisteredModel(req: NameRequest): RegisteredModel {
    return this.models.get(requireString(req.name, 'name'));
  }

  searchRegisteredModels(req: SearchRequest): { registered_models: RegisteredModel[]; next_page_token?: string } {
    const limit = validateMaxResults(req.max_results, REGISTERED_MODELS_MAX_RESULTS.default, REGISTERED_MODELS_MAX_RESULTS.maximum);
    const offset = decodePageToken(optionalString(req.page_token, 'page_token'));
    const { sql, params } = buildRegisteredModelSearchSql({ filter: optionalString(req.filter, 'filter'), orderBy: orderByOf(req), limit: limit + 1, offset });
    const ids = this.store.db.values(sql, params).map((row) => Number(row[0]));
    const result: { registered_models: RegisteredModel[]; next_page_token?: string } = { registered_models: this.models.byIds(ids.slice(0, limit)) };
    if (ids.length > limit) result.next_page_token = encodePageToken(offset + limit);
    return result;
  }

  /** The highest version in each of `stages` (every stage when none is given), as MLflow answers. */
  getLatestVersions(req: { name?: unknown; stages?: unknown }): { model_versions: ModelVersion[] } {
    const name = requireString(req.name, 'name');
    const stages = listOf<unknown>(typeof req.stages === 'string' ? [req.stages] : req.stages, 'stages').map((s) => canonicalStage(s, 'stages'));
    const { model_id: modelId } = this.models.row(name);
    const latest = this.versions.latestPerStage([modelId]).get(modelId) ?? [];
    return { model_versions: stages.length === 0 ? latest : latest.filter((v) => stages.includes(v.current_stage)) };
  }

  setRegisteredModelTag(req: { name?: unknown; key?: unknown; value?: unknown }): void {
    const name = requireString(req.name, 'name');
    const tag = validateRegisteredModelTag(req);
    this.models.row(name);
    this.store.commit({ t: 'setRegisteredModelTag', name, key: tag.key, value: tag.value });
  }

  /** Removes a tag; an absent tag is not an error (MLflow). */
  deleteRegisteredModelTag(req: { name?: unknown; key?: unknown }): void {
    const name = requireString(req.name, 'name');
    const key = validateTagKey(req.key);
    this.models.row(name);
    this.store.commit({ t: 'deleteRegisteredModelTag', name, key });
  }

  // ---- model versions ----------------------------------------------------------------------

  /**
   * Registers a new version, numbered after every version the model ever had, in stage None and
   * status READY. The source must be `runs:/<run_id>/<path>` (of an existing run), `models:/…`
   * (resolving to an existing version), or an absolute location: `mlflow-artifacts:`, `file:`, an
   * absolute path, or another URI scheme (`s3://…`, as a run's artifact URI may be).
   */
  createModelVersion(req: {
    name?: unknown; source?: unknown; run_id?: unknown; tags?: unknown; run_link?: unknown; description?: unknown; user_id?: unknown;
  }): ModelVersion {
    const name = requireString(req.name, 'name');
    const source = requireString(req.source, 'source');
    const runId = optionalString(req.run_id, 'run_id') || undefined;
    const runLink = optionalString(req.run_link, 'run_link') || undefined;
    const description = optionalString(req.description, 'description') || undefined;
    const tags = dedupe(listOf<KeyValueInput>(req.tags, 'tags').map(validateModelVersionTag));
    const model = this.models.row(name);
    const storageLocation = this.resolveSource(source);
    this.store.commit({
      t: 'createModelVersion', name, version: model.next_version, source, storageLocation, runId, runLink, description, tags,
      userId: this.userOf(req), now: this.clock(),
    });
    return this.versions.get(name, model.next_version);
  }

  /**
   * Trackside extra for importers (`importMlflow`): creates a version with the number, times,
   * status and storage location it had in another MLflow registry; the model's next version
   * moves past it. Refuses a number already used (RESOURCE_ALREADY_EXISTS). Its stage and aliases
   * are set afterwards with the usual calls, so the history records them.
   */
  importModelVersion(req: {
    name?: unknown; version?: unknown; source?: unknown; run_id?: unknown; run_link?: unknown; description?: unknown; user_id?: unknown;
    status?: unknown; status_message?: unknown; storage_location?: unknown; creation_timestamp?: unknown; last_updated_timestamp?: unknown;
    tags?: unknown;
  }): ModelVersion {
    const name = requireString(req.name, 'name');
    const version = parseModelVersion(req.version);
    if (version < 1) throw invalidParameter(`Model version must be at least 1, got ${version}`);
    const source = requireString(req.source, 'source');
    const status = optionalString(req.status, 'status') || 'READY';
    if (!IMPORTABLE_STATUSES.includes(status)) {
      throw invalidParameter(`Invalid model version status '${status}': expected one of ${IMPORTABLE_STATUSES.join(', ')}.`);
    }
    const tags = dedupe(listOf<KeyValueInput>(req.tags, 'tags').map(validateModelVersionTag));
    this.models.row(name);
    const creationTime = req.creation_timestamp === undefined ? this.clock() : parseTime(req.creation_timestamp, 'creation_timestamp');
    const lastUpdatedTime = req.last_updated_timestamp === undefined ? creationTime : parseTime(req.last_updated_timestamp, 'last_updated_timestamp');
    this.store.commit({
      t: 'importModelVersion', name, version, source, storageLocation: optionalString(req.storage_location, 'storage_location') || this.importedLocation(source),
      runId: optionalString(req.run_id, 'run_id') || undefined, runLink: optionalString(req.run_link, 'run_link') || undefined,
      description: optionalString(req.description, 'description') || undefined, tags, userId: this.userOf(req), status,
      statusMessage: optionalString(req.status_message, 'status_message') || undefined, creationTime, lastUpdatedTime,
    });
    return this.versions.get(name, version);
  }

  /** Sets the description (clears it when absent, as MLflow does). */
  updateModelVersion(req: { name?: unknown; version?: unknown; description?: unknown }): ModelVersion {
    const { name, version } = this.existingVersion(req);
    const description = optionalString(req.description, 'description') || undefined;
    this.store.commit({ t: 'updateModelVersion', name, version, description, now: this.clock() });
    return this.versions.get(name, version);
  }

  /**
   * Moves a version to None, Staging, Production or Archived (any capitalisation). With
   * `archive_existing_versions` (Staging and Production only) the model's other versions in that
   * stage move to Archived. Every move is recorded in the history.
   */
  transitionModelVersionStage(req: {
    name?: unknown; version?: unknown; stage?: unknown; archive_existing_versions?: unknown; user_id?: unknown;
  }): ModelVersion {
    const name = requireString(req.name, 'name');
    const version = parseModelVersion(req.version);
    const stage = canonicalStage(req.stage);
    const archiveExisting = parseFlag(req.archive_existing_versions, 'archive_existing_versions');
    if (archiveExisting && !ACTIVE_STAGES.includes(stage)) {
      throw invalidParameter(
        `Model version transition cannot archive existing model versions because '${String(req.stage)}' is not an Active stage. ` +
          `Valid stages are [${ACTIVE_STAGES.map((s) => `'${s}'`).join(', ')}]`,
      );
    }
    versionRow(this.store.db, name, version);
    this.store.commit({ t: 'transitionStage', name, version, stage, archiveExisting, userId: this.userOf(req), now: this.clock() });
    return this.versions.get(name, version);
  }

  /** Deletes the version, its tags and the aliases pointing to it; its number is never reused. */
  deleteModelVersion(req: VersionRequest & { user_id?: unknown }): void {
    const { name, version } = this.existingVersion(req);
    this.store.commit({ t: 'deleteModelVersion', name, version, userId: this.userOf(req), now: this.clock() });
  }

  getModelVersion(req: VersionRequest): ModelVersion {
    const { name, version } = this.existingVersion(req);
    return this.versions.get(name, version);
  }

  searchModelVersions(req: SearchRequest): { model_versions: ModelVersion[]; next_page_token?: string } {
    const limit = validateMaxResults(req.max_results, MODEL_VERSIONS_MAX_RESULTS.default, MODEL_VERSIONS_MAX_RESULTS.maximum);
    const offset = decodePageToken(optionalString(req.page_token, 'page_token'));
    const { sql, params } = buildModelVersionSearchSql({ filter: optionalString(req.filter, 'filter'), orderBy: orderByOf(req), limit: limit + 1, offset });
    const keys = this.store.db.values(sql, params).map((row): [number, number] => [Number(row[0]), Number(row[1])]);
    const result: { model_versions: ModelVersion[]; next_page_token?: string } = { model_versions: this.versions.byKeys(keys.slice(0, limit)) };
    if (keys.length > limit) result.next_page_token = encodePageToken(offset + limit);
    return result;
  }

  /** Where the version's files are: a `runs:/` or `models:/` source as resolved at registration, else the source. */
  getModelVersionDownloadUri(req: VersionRequest): { artifact_uri: string } {
    const { name, version } = this.existingVersion(req);
    return { artifact_uri: this.versions.downloadUri(name, version) };
  }

  setModelVersionTag(req: { name?: unknown; version?: unknown; key?: unknown; value?: unknown }): void {
    const name = requireString(req.name, 'name');
    const version = parseModelVersion(req.version);
    const tag = validateModelVersionTag(req);
    versionRow(this.store.db, name, version);
    this.store.commit({ t: 'setModelVersionTag', name, version, key: tag.key, value: tag.value });
  }

  /** Removes a tag; an absent tag is not an error (MLflow). */
  deleteModelVersionTag(req: { name?: unknown; version?: unknown; key?: unknown }): void {
    const name = requireString(req.name, 'name');
    const version = parseModelVersion(req.version);
    const key = validateTagKey(req.key);
    versionRow(this.store.db, name, version);
    this.store.commit({ t: 'deleteModelVersionTag', name, version, key });
  }

  // ---- aliases -----------------------------------------------------------------------------

  /** Points `alias` at `version` (moving it if it pointed elsewhere); recorded in the history. */
  setRegisteredModelAlias(req: { name?: unknown; alias?: unknown; version?: unknown; user_id?: unknown }): void {
    const name = requireString(req.name, 'name');
    const alias = validateAlias(req.alias);
    const version = parseModelVersion(req.version);
    const { model_id: modelId } = versionRow(this.store.db, name, version);
    if (this.models.aliasVersion(modelId, alias) === version) return;
    this.store.commit({ t: 'setAlias', name, alias, version, userId: this.userOf(req), now: this.clock() });
  }

  /** Removes an alias; an absent alias is not an error (MLflow). */
  deleteRegisteredModelAlias(req: { name?: unknown; alias?: unknown; user_id?: unknown }): void {
    const name = requireString(req.name, 'name');
    const alias = validateAlias(req.alias);
    const { model_id: modelId } = this.models.row(name);
    if (this.models.aliasVersion(modelId, alias) === undefined) return;
    this.store.commit({ t: 'deleteAlias', name, alias, userId: this.userOf(req), now: this.clock() });
  }

  getModelVersionByAlias(req: { name?: unknown; alias?: unknown }): ModelVersion {
    const name = requireString(req.name, 'name');
    const alias = validateAlias(req.alias);
    const version = this.models.aliasVersion(this.models.row(name).model_id, alias);
    if (version === undefined) throw invalidParameter(`Registered model alias ${alias} not found.`);
    return this.versions.get(name, version);
  }

  // ---- history (Trackside extra) -----------------------------------------------------------

  /** Every version registered or deleted, stage transition and alias change of the model, oldest first. */
  getRegistryHistory(req: NameRequest): { events: RegistryEvent[] } {
    return { events: this.history.events(this.models.row(requireString(req.name, 'name')).model_id) };
  }

  /**
   * Which versions were in `stage` at `time` (ms or ISO date): all of them, lowest first, and
   * `version`, the highest — what `models:/<name>/<stage>` designated then.
   */
  stageAt(req: { name?: unknown; stage?: unknown; time?: unknown }): { version?: string; versions: string[] } {
    const { model_id: modelId } = this.models.row(requireString(req.name, 'name'));
    const versions = this.history.versionsInStageAt(modelId, canonicalStage(req.stage), parseTime(req.time)).map(String);
    return versions.length > 0 ? { version: versions[versions.length - 1], versions } : { versions };
  }

  /** The version `alias` pointed to at `time` (ms or ISO date); no `version` when it pointed nowhere. */
  aliasAt(req: { name?: unknown; alias?: unknown; time?: unknown }): { version?: string } {
    const { model_id: modelId } = this.models.row(requireString(req.name, 'name'));
    const version = this.history.aliasAt(modelId, validateAlias(req.alias), parseTime(req.time));
    return version === undefined ? {} : { version: String(version) };
  }

  /** Resolves `models:/…` and `runs:/…` URIs against this registry and its tracking store. */
  resolveModelUri(uri: unknown): ResolvedModelUri {
    return resolveModelUri(requireString(uri, 'uri'), { registry: this, tracking: this.tracking });
  }

  // ---- helpers -----------------------------------------------------------------------------

  private existingVersion(req: VersionRequest): { name: string; version: number } {
    const name = requireString(req.name, 'name');
    const version = parseModelVersion(req.version);
    versionRow(this.store.db, name, version);
    return { name, version };
  }

  /** Checks a version source and returns where it resolves to (MLflow's `storage_location`). */
  private resolveSource(source: string): string {
    assertNoRelativePaths(source);
    if (source.startsWith('runs:')) {
      const { runId, path } = parseRunsUri(source);
      return joinArtifactUri(this.tracking.runs.row(runId).artifact_uri, path);
    }
    if (source.startsWith('models:')) {
      try {
        return this.resolveModelUri(source).artifactUri;
      } catch (e) {
        if (!(e instanceof TrackingError)) throw e;
        throw new TrackingError(e.code, `Unable to fetch model from model URI source artifact location '${source}'. Error: ${e.message}`);
      }
    }
    if (source.startsWith('/') || WINDOWS_ABSOLUTE.test(source) || URI_SCHEME.test(source)) return source;
    throw invalidParameter(
      `Invalid model version source: '${source}'. Use runs:/<run_id>/<path>, models:/<name>/<version>, ` +
        'an mlflow-artifacts:/ or file: URI, or an absolute path.',
    );
  }

  /** An imported source's storage location: resolved as on creation, else the source as it was (its run may not be here). */
  private importedLocation(source: string): string {
    try {
      return this.resolveSource(source);
    } catch (e) {
      if (!(e instanceof TrackingError) || e.code === 'INVALID_PARAMETER_VALUE') throw e;
      return source;
    }
  }

  private userOf(req: { user_id?: unknown }): string | undefined {
    return optionalString(req.user_id, 'user_id') || undefined;
  }
}

function orderByOf(req: { order_by?: unknown }): string[] {
  return listOf<string>(typeof req.order_by === 'string' ? [req.order_by] : req.order_by, 'order_by');
}

/** Later tags win over earlier ones with the same key (MLflow builds a dict). */
function dedupe<T extends { key: string }>(tags: T[]): T[] {
  return [...new Map(tags.map((t) => [t.key, t])).values()];
}

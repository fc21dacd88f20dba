import type { ModelVersion } from '../../shared/entities';
import type { RegistryStore } from '../store/registryStore';
import { TrackingError, invalidParameter, notFound } from '../store/trackingError';
import type { TrackingStore } from '../store/trackingStore';

/**
 * `models:/` and `runs:/` URIs, MLflow's grammar (mlflow/store/artifact/utils/models.py and
 * runs_artifact_repo.py): parsing is pure; resolving asks a registry and a tracking store.
 *
 *   models:/<name>/<version>     a version number
 *   models:/<name>/<stage>       the highest version in that stage (any capitalisation)
 *   models:/<name>/latest        the highest version
 *   models:/<name>@<alias>       the version the alias points to
 *   runs:/<run_id>/<path>        a path inside a run's artifacts
 */
export type ParsedModelUri =
  | { kind: 'version'; name: string; version: string }
  | { kind: 'stage'; name: string; stage: string }
  | { kind: 'latest'; name: string }
  | { kind: 'alias'; name: string; alias: string }
  | { kind: 'run'; runId: string; path?: string };

export interface ResolvedModelUri {
  /** The registered model (models:/ URIs). */
  name?: string;
  /** The version the URI designates (models:/ URIs). */
  version?: string;
  /** The run that produced the model, when known. */
  runId?: string;
  /** Where the model's files are: the version's download URI, or the run's artifact URI + path. */
  artifactUri: string;
}

/** What resolving needs; a RegistryStore and a TrackingStore provide it. */
export interface ModelUriStores {
  registry: Pick<RegistryStore, 'getModelVersion' | 'getLatestVersions' | 'getModelVersionByAlias' | 'getModelVersionDownloadUri'>;
  tracking: Pick<TrackingStore, 'getRun'>;
}

const LATEST = 'latest';

function improperModelsUri(uri: string): TrackingError {
  return invalidParameter(
    `Not a proper models:/ URI: ${uri}. Models URIs must be of the form 'models:/model_name/suffix' or ` +
      `'models:/model_name@alias' where suffix is a model version, stage, or the string '${LATEST}' and where ` +
      'alias is a registered model alias. Only one of suffix or alias can be defined at a time.',
  );
}

function improperRunsUri(uri: string): TrackingError {
  return invalidParameter(
    `Not a proper runs:/ URI: ${uri}. Runs URIs must be of the form 'runs:/<run_id>/run-relative/path/to/artifact'`,
  );
}

/** The `runs:/` part of the grammar: a run id and an optional artifact path (no leading or trailing slash). */
export function parseRunsUri(uri: string): { runId: string; path?: string } {
  if (!uri.startsWith('runs:/') || uri.startsWith('runs://')) throw improperRunsUri(uri);
  const [runId, ...rest] = uri.slice('runs:/'.length).split('/');
  if (!runId) throw improperRunsUri(uri);
  const path = rest.join('/').replace(/^\/+|\/+$/g, '');
  return path ? { runId, path } : { runId };
}

/** Parses a `models:/` or `runs:/` URI; INVALID_PARAMETER_VALUE with MLflow's message when malformed. */
export function parseModelUri(uri: string): ParsedModelUri {
  if (typeof uri !== 'string') throw invalidParameter(`Not a model URI: ${JSON.stringify(uri)}`);
  if (uri.startsWith('runs:')) return { kind: 'run', ...parseRunsUri(uri) };
  if (!uri.startsWith('models:')) {
    throw invalidParameter(
      `Not a model URI: '${uri}'. Expected models:/<name>/<version>, models:/<name>/<stage>, models:/<name>/latest, ` +
        'models:/<name>@<alias> or runs:/<run_id>/<path>.',
    );
  }
  const rest = uri.slice('models:'.length);
  if (!rest.startsWith('/') || rest.startsWith('//') || rest.length <= 1) throw improperModelsUri(uri);
  const parts = rest.slice(1).split('/');
  if (parts.length > 2 || parts[0].trim() === '') throw improperModelsUri(uri);
  if (parts.length === 2) {
    const [name, suffix] = parts;
    if (suffix.trim() === '') throw improperModelsUri(uri);
    if (/^\d+$/.test(suffix)) return { kind: 'version', name, version: String(Number(suffix)) };
    if (suffix.toLowerCase() === LATEST) return { kind: 'latest', name };
    return { kind: 'stage', name, stage: suffix };
  }
  const at = parts[0].lastIndexOf('@');
  const name = at < 0 ? '' : parts[0].slice(0, at);
  const alias = at < 0 ? '' : parts[0].slice(at + 1);
  if (name.trim() === '' || alias.trim() === '') throw improperModelsUri(uri);
  return { kind: 'alias', name, alias };
}

/** `base` + `/path` without doubled slashes (the artifact URI of a path inside a run). */
export function joinArtifactUri(base: string, path?: string): string {
  const trimmed = path?.replace(/^\/+|\/+$/g, '');
  return trimmed ? `${base.replace(/\/+$/, '')}/${trimmed}` : base;
}

function highest(versions: ModelVersion[]): ModelVersion | undefined {
  return versions.reduce<ModelVersion | undefined>((best, v) => (!best || Number(v.version) > Number(best.version) ? v : best), undefined);
}

/**
 * What a URI designates: the model version (name, version, run) and where its files are. Errors are
 * the stores' own (RESOURCE_DOES_NOT_EXIST for a missing model, version, alias target or run).
 */
export function resolveModelUri(uri: string, stores: ModelUriStores): ResolvedModelUri {
  const parsed = parseModelUri(uri);
  if (parsed.kind === 'run') {
    const run = stores.tracking.getRun({ run_id: parsed.runId });
    return { runId: parsed.runId, artifactUri: joinArtifactUri(run.info.artifact_uri, parsed.path) };
  }
  const version = resolveVersion(parsed, stores.registry);
  const resolved: ResolvedModelUri = {
    name: version.name,
    version: version.version,
    artifactUri: stores.registry.getModelVersionDownloadUri({ name: version.name, version: version.version }).artifact_uri,
  };
  if (version.run_id) resolved.runId = version.run_id;
  return resolved;
}

function resolveVersion(parsed: Exclude<ParsedModelUri, { kind: 'run' }>, registry: ModelUriStores['registry']): ModelVersion {
  const { name } = parsed;
  switch (parsed.kind) {
    case 'version':
      return registry.getModelVersion({ name, version: parsed.version });
    case 'alias':
      return registry.getModelVersionByAlias({ name, alias: parsed.alias });
    case 'latest': {
      const latest = highest(registry.getLatestVersions({ name }).model_versions);
      if (!latest) throw notFound(`Registered model '${name}' has no versions, so models:/${name}/latest designates nothing.`);
      return latest;
    }
    case 'stage': {
      let versions: ModelVersion[];
      try {
        versions = registry.getLatestVersions({ name, stages: [parsed.stage] }).model_versions;
      } catch (e) {
        if (e instanceof TrackingError && /Invalid Model Version stage/.test(e.message)) {
          throw invalidParameter(`${e.message} To name an alias, write models:/${name}@${parsed.stage}.`);
        }
        throw e;
      }
      const found = highest(versions);
      if (!found) throw notFound(`No versions of model with name '${name}' and stage '${parsed.stage}' found`);
      return found;
    }
  }
}

import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { cleanArtifactPath } from '../client/artifactLocation';
import type { TrackingClient } from '../client/trackingClient';
import { TrackingClientError } from '../client/trackingClientError';
import type { ModelVersion } from '../../shared/entities';
import { joinArtifactUri, parseModelUri } from './modelUri';

/** Where a model URI's files are, as this client can fetch them. */
export interface ResolvedModel {
  uri: string;
  /** Registered model and version (models:/ URIs). */
  name?: string;
  version?: string;
  /** The run holding the files, and their path inside its artifacts (when they are run artifacts). */
  runId?: string;
  runArtifactPath?: string;
  /** The files are a folder on this machine (a version registered from a local path). */
  localFolder?: string;
  /** The version's download URI, or the run's artifact URI + path. */
  artifactUri: string;
}

function notFound(message: string): TrackingClientError {
  return new TrackingClientError(404, 'RESOURCE_DOES_NOT_EXIST', message);
}

function highest(versions: ModelVersion[]): ModelVersion | undefined {
  return versions.reduce<ModelVersion | undefined>((best, v) => (!best || Number(v.version) > Number(best.version) ? v : best), undefined);
}

/** The version a `models:/` URI designates, asked through MLflow's standard registry API. */
export async function resolveModelVersion(client: TrackingClient, uri: string): Promise<ModelVersion> {
  const parsed = parseModelUri(uri);
  switch (parsed.kind) {
    case 'version':
      return client.modelVersions.get(parsed.name, parsed.version);
    case 'alias':
      return client.registeredModels.getVersionByAlias(parsed.name, parsed.alias);
    case 'latest': {
      const latest = highest(await client.registeredModels.getLatestVersions(parsed.name));
      if (!latest) throw notFound(`Registered model '${parsed.name}' has no versions, so ${uri} designates nothing.`);
      return latest;
    }
    case 'stage': {
      const found = highest(await client.registeredModels.getLatestVersions(parsed.name, [parsed.stage]));
      if (!found) throw notFound(`No versions of model '${parsed.name}' are in stage '${parsed.stage}' (${uri}).`);
      return found;
    }
    case 'run':
      throw new TrackingClientError(0, 'INVALID_PARAMETER_VALUE', `${uri} is a runs:/ URI, not a registered model version.`);
  }
}

function localFolderOf(uri: string): string | undefined {
  if (uri.startsWith('file://')) return fileURLToPath(uri);
  if (uri.startsWith('file:')) return uri.slice('file:'.length);
  if (path.isAbsolute(uri) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) return uri;
  return undefined;
}

/** The part of `uri` below a run's `root` artifact URI, or undefined when it is not inside it. */
function below(root: string, uri: string): string | undefined {
  const base = root.replace(/\/+$/, '');
  if (uri === base) return '';
  return uri.startsWith(`${base}/`) ? cleanArtifactPath(uri.slice(base.length + 1)) : undefined;
}

/**
 * Resolves `runs:/<run>/<path>`, `models:/<name>/<version|stage|latest>`, `models:/<name>@<alias>` or a
 * local folder (`file:` or an absolute path) to where its files are: a run and a path inside its
 * artifacts, or a folder here.
 */
export async function resolveModel(client: TrackingClient, uri: string): Promise<ResolvedModel> {
  const local = localFolderOf(uri);
  if (local !== undefined) return { uri, localFolder: local, artifactUri: uri };
  const parsed = parseModelUri(uri);
  if (parsed.kind === 'run') {
    const run = await client.runs.get(parsed.runId);
    return { uri, runId: parsed.runId, runArtifactPath: cleanArtifactPath(parsed.path), artifactUri: joinArtifactUri(run.info.artifact_uri, parsed.path) };
  }
  const version = await resolveModelVersion(client, uri);
  const artifactUri = await client.modelVersions.getDownloadUri(version.name, version.version);
  const resolved: ResolvedModel = { uri, name: version.name, version: version.version, artifactUri };
  if (version.source?.startsWith('runs:/')) {
    const { runId, path: rest } = parseModelUri(version.source) as { runId: string; path?: string };
    return { ...resolved, runId, runArtifactPath: cleanArtifactPath(rest) };
  }
  if (version.run_id) {
    const run = await client.runs.get(version.run_id);
    const inside = below(run.info.artifact_uri, artifactUri) ?? below(run.info.artifact_uri, version.source ?? '');
    if (inside !== undefined) return { ...resolved, runId: version.run_id, runArtifactPath: inside };
  }
  const folder = localFolderOf(artifactUri);
  if (folder !== undefined) return { ...resolved, localFolder: folder };
  throw new TrackingClientError(
    0,
    'NOT_IMPLEMENTED',
    `Version ${version.version} of '${version.name}' is stored at ${artifactUri}, outside any run's artifacts: Trackside can fetch models ` +
      'logged to a run (runs:/…) or kept in a local folder.',
  );
}

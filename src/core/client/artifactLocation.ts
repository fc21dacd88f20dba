import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TrackingClientError } from './trackingClientError';

function invalid(message: string): TrackingClientError {
  return new TrackingClientError(0, 'INVALID_PARAMETER_VALUE', message);
}

/** Where a run's artifacts live, as the client reaches them. */
export type ArtifactLocation =
  /** Behind the server's artifact proxy: `proxyRoot` is the path below `/api/2.0/mlflow-artifacts/artifacts/`. */
  | { kind: 'proxy'; proxyRoot: string }
  /** A folder on this machine (`file:` URIs and absolute paths): read and written directly, as MLflow's client does. */
  | { kind: 'local'; folder: string }
  /** Anywhere else (s3://, gs://, …): the server lists and serves them; this client cannot write there. */
  | { kind: 'remote'; uri: string };

/** Classifies a run's `artifact_uri`. */
export function artifactLocation(artifactUri: string): ArtifactLocation {
  if (artifactUri.startsWith('mlflow-artifacts:')) {
    let rest = artifactUri.slice('mlflow-artifacts:'.length);
    // `mlflow-artifacts://host:port/0/…` names the server; this client always uses its own.
    if (rest.startsWith('//')) rest = rest.slice(2).replace(/^[^/]*/, '');
    return { kind: 'proxy', proxyRoot: rest.replace(/^\/+/, '').replace(/\/+$/, '') };
  }
  if (artifactUri.startsWith('file:')) {
    const folder = artifactUri.startsWith('file://') ? fileURLToPath(artifactUri) : artifactUri.slice('file:'.length);
    return { kind: 'local', folder };
  }
  if (path.isAbsolute(artifactUri) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(artifactUri)) return { kind: 'local', folder: artifactUri };
  return { kind: 'remote', uri: artifactUri };
}

/** An artifact path cleaned of leading/trailing slashes and `.` parts; `..` is refused. */
export function cleanArtifactPath(artifactPath: string | undefined): string {
  const parts = (artifactPath ?? '').split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw invalid(`Invalid artifact path '${artifactPath}': '..' is not allowed.`);
  return parts.join('/');
}

/** Percent-encodes each segment of a path for a URL. */
export function encodePath(artifactPath: string): string {
  return artifactPath.split('/').map(encodeURIComponent).join('/');
}

/** `root/relative` resolved, refusing anything that would land outside `root`. */
export function confinedJoin(root: string, relative: string): string {
  const base = path.resolve(root);
  const target = path.resolve(base, relative);
  if (target !== base && !target.startsWith(base + path.sep)) {
    throw invalid(`Artifact path '${relative}' leads outside ${root}.`);
  }
  return target;
}

/** Parses `runs:/<run_id>/<path>` into its parts. */
export function parseRunsUri(uri: string): { runId: string; artifactPath: string } {
  const match = /^runs:\/+([^/]+)(?:\/(.*))?$/.exec(uri);
  if (!match) throw invalid(`Invalid runs URI '${uri}': expected runs:/<run_id>/<path>.`);
  return { runId: match[1], artifactPath: cleanArtifactPath(match[2]) };
}

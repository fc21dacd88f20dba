import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The local folder an MLflow artifact URI names, or undefined for a remote one (s3://, gs://,
 * dbfs:/, runs:/ …). Understood: `file:` URIs, absolute paths, paths relative to one of `bases`
 * (MLflow's old default `./mlruns` is relative to the folder the server ran in),
 * `mlflow-artifacts:/…` (served from `<base>/mlartifacts`, `mlflow server`'s default destination),
 * and store folders that moved: `…/mlruns/<exp>/<run>/artifacts` is also looked for under
 * `mlrunsFolder`. Returns the first candidate that exists, else the most likely one.
 */
export function localArtifactFolder(uri: string, bases: readonly string[], mlrunsFolder?: string): string | undefined {
  const candidates = candidateFolders(uri.trim(), bases);
  if (candidates === undefined) return undefined;
  if (mlrunsFolder) {
    const posix = candidates[0]?.split(path.sep).join('/') ?? '';
    const at = posix.lastIndexOf('/mlruns/');
    if (at >= 0) candidates.push(path.join(mlrunsFolder, ...posix.slice(at + '/mlruns/'.length).split('/')));
  }
  return candidates.find((c) => isFolder(c)) ?? candidates[0];
}

function candidateFolders(uri: string, bases: readonly string[]): string[] | undefined {
  if (uri === '') return undefined;
  if (/^file:/i.test(uri)) {
    try {
      return [fileURLToPath(uri.replace(/^file:(?!\/\/)/i, 'file://'))];
    } catch {
      return [decodeURIComponent(uri.replace(/^file:(\/\/)?/i, ''))];
    }
  }
  if (/^mlflow-artifacts:/i.test(uri)) {
    const rest = uri.replace(/^mlflow-artifacts:(\/\/[^/]*)?\/*/i, '');
    return bases.map((base) => path.join(base, 'mlartifacts', ...rest.split('/')));
  }
  // A scheme of two or more letters (a Windows drive letter is one) names a remote store.
  if (/^[a-z][a-z0-9+.-]+:/i.test(uri)) return undefined;
  if (path.isAbsolute(uri)) return [uri];
  return bases.map((base) => path.resolve(base, uri));
}

function isFolder(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

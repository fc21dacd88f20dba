import path from 'node:path';
import { ArtifactStore, contentTypeFor } from '../../store/artifactStore';
import { TrackingError, invalidParameter, notFound } from '../../store/trackingError';
import { optionalString } from '../../store/validation';
import { RESPONDED, message, type Route, type RouteContext } from '../route';

/** The local folder of a run's artifacts (its `artifact_uri`), refusing remote locations. */
function runArtifactFolder(c: RouteContext, runId: unknown): { folder: string; rootUri: string } {
  const run = c.backend.tracking.getRun({ run_id: runId });
  const folder = c.artifacts.localPath(run.info.artifact_uri);
  if (!folder) {
    throw invalidParameter(`The artifacts of run ${run.info.run_id} are stored at ${run.info.artifact_uri}, which this server cannot read.`);
  }
  return { folder, rootUri: run.info.artifact_uri };
}

/** A proxy path `<exp>/<run>/…` resolved inside that run's folder, after checking the run exists there. */
function proxyTarget(c: RouteContext, proxyPath: string): string {
  const { experimentId, runId, rest } = ArtifactStore.proxyRunPrefix(proxyPath);
  const run = c.backend.tracking.runs.row(runId);
  if (String(run.experiment_id) !== experimentId) {
    throw notFound(`Run ${runId} is not in experiment ${experimentId}.`);
  }
  return c.artifacts.confine(path.join(c.artifacts.root, experimentId, runId), rest);
}

/** Streams an artifact file as a download (also used for model-version artifacts). */
export function download(c: RouteContext, file: string, displayPath: string): typeof RESPONDED {
  const { stream, size } = c.artifacts.open(file, displayPath);
  c.res.writeHead(200, {
    'Content-Type': contentTypeFor(file),
    'Content-Length': size,
    'Content-Disposition': `attachment; filename=${JSON.stringify(path.basename(file))}`,
    'X-Content-Type-Options': 'nosniff',
  });
  stream.pipe(c.res);
  stream.on('error', () => c.res.destroy());
  return RESPONDED;
}

/** MLflow's run artifact listing (`/api/2.0/mlflow/artifacts/list`). */
export const artifactListRoutes: Route[] = [
  {
    method: 'GET',
    path: 'artifacts/list',
    handler: (c) => {
      const { folder, rootUri } = runArtifactFolder(c, c.body.run_id ?? c.body.run_uuid);
      const rel = optionalString(c.body.path, 'path') ?? '';
      const dir = c.artifacts.confine(folder, rel);
      return message({ root_uri: rootUri, files: c.artifacts.list(dir, folder) });
    },
  },
];

/** The artifact proxy (`/api/2.0/mlflow-artifacts/…`) MLflow 2 clients use for `mlflow-artifacts:/` URIs. */
export const artifactProxyRoutes: Route[] = [
  {
    method: 'GET',
    path: 'artifacts',
    handler: (c) => {
      const listed = optionalString(c.body.path, 'path') ?? '';
      if (listed.replace(/\/+$/, '').split('/').filter(Boolean).length < 2) {
        // The root or an experiment folder: list what is there without a run check.
        const dir = c.artifacts.confine(c.artifacts.root, listed);
        return message({ files: c.artifacts.list(dir, dir) });
      }
      const dir = proxyTarget(c, listed);
      return message({ files: c.artifacts.list(dir, dir) });
    },
  },
  { method: 'GET', path: 'artifacts/*', handler: (c) => download(c, proxyTarget(c, c.pathRest), c.pathRest) },
  {
    method: 'PUT',
    path: 'artifacts/*',
    rawBody: true,
    handler: async (c) => {
      const target = proxyTarget(c, c.pathRest);
      await c.artifacts.upload(target, c.req);
      return {};
    },
  },
  {
    method: 'DELETE',
    path: 'artifacts/*',
    handler: async (c) => {
      await c.artifacts.remove(proxyTarget(c, c.pathRest), c.pathRest);
      return {};
    },
  },
  ...(['create', 'complete', 'abort'] as const).map(
    (step): Route => ({
      method: 'POST',
      path: `mpu/${step}/*`,
      handler: () => {
        throw new TrackingError('NOT_IMPLEMENTED', 'Multipart upload is not supported by this artifact store: upload with PUT.');
      },
    }),
  ),
];

/** The UI's plain download route: `GET /get-artifact?path=…&run_uuid=…`. */
export const plainArtifactRoutes: Route[] = [
  {
    method: 'GET',
    path: 'get-artifact',
    handler: (c) => {
      const { folder } = runArtifactFolder(c, c.body.run_uuid ?? c.body.run_id);
      const rel = optionalString(c.body.path, 'path') ?? '';
      return download(c, c.artifacts.confine(folder, rel), rel);
    },
  },
];

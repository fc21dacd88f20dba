import { invalidParameter } from '../../store/trackingError';
import { optionalString } from '../../store/validation';
import { message, type Route } from '../route';
import { download } from './artifactRoutes';

/** MLflow's ModelRegistryService endpoints (`/api/2.0/mlflow/registered-models/*`, `/model-versions/*`). */
export const registryRoutes: Route[] = [
  { method: 'POST', path: 'registered-models/create', write: true, handler: (c) => ({ registered_model: c.backend.registry.createRegisteredModel(c.body) }) },
  { method: 'POST', path: 'registered-models/rename', write: true, handler: (c) => ({ registered_model: c.backend.registry.renameRegisteredModel(c.body) }) },
  { method: 'PATCH', path: 'registered-models/update', write: true, handler: (c) => ({ registered_model: c.backend.registry.updateRegisteredModel(c.body) }) },
  { method: 'DELETE', path: 'registered-models/delete', write: true, handler: (c) => (c.backend.registry.deleteRegisteredModel(c.body), {}) },
  { method: 'GET', path: 'registered-models/get', handler: (c) => ({ registered_model: c.backend.registry.getRegisteredModel(c.body) }) },
  {
    method: 'GET',
    path: 'registered-models/search',
    arrays: ['order_by'],
    handler: (c) => message(c.backend.registry.searchRegisteredModels(c.body)),
  },
  { method: 'POST', path: 'registered-models/get-latest-versions', handler: (c) => message(c.backend.registry.getLatestVersions(c.body)) },
  {
    method: 'GET',
    path: 'registered-models/get-latest-versions',
    arrays: ['stages'],
    handler: (c) => message(c.backend.registry.getLatestVersions(c.body)),
  },
  { method: 'POST', path: 'registered-models/set-tag', write: true, handler: (c) => (c.backend.registry.setRegisteredModelTag(c.body), {}) },
  { method: 'DELETE', path: 'registered-models/delete-tag', write: true, handler: (c) => (c.backend.registry.deleteRegisteredModelTag(c.body), {}) },
  { method: 'POST', path: 'registered-models/alias', write: true, handler: (c) => (c.backend.registry.setRegisteredModelAlias(c.body), {}) },
  { method: 'DELETE', path: 'registered-models/alias', write: true, handler: (c) => (c.backend.registry.deleteRegisteredModelAlias(c.body), {}) },
  { method: 'GET', path: 'registered-models/alias', handler: (c) => ({ model_version: c.backend.registry.getModelVersionByAlias(c.body) }) },
  { method: 'POST', path: 'model-versions/create', write: true, handler: (c) => ({ model_version: c.backend.registry.createModelVersion(c.body) }) },
  { method: 'PATCH', path: 'model-versions/update', write: true, handler: (c) => ({ model_version: c.backend.registry.updateModelVersion(c.body) }) },
  {
    method: 'POST',
    path: 'model-versions/transition-stage',
    write: true,
    handler: (c) => ({ model_version: c.backend.registry.transitionModelVersionStage(c.body) }),
  },
  { method: 'DELETE', path: 'model-versions/delete', write: true, handler: (c) => (c.backend.registry.deleteModelVersion(c.body), {}) },
  { method: 'GET', path: 'model-versions/get', handler: (c) => ({ model_version: c.backend.registry.getModelVersion(c.body) }) },
  {
    method: 'GET',
    path: 'model-versions/search',
    arrays: ['order_by'],
    handler: (c) => message(c.backend.registry.searchModelVersions(c.body)),
  },
  { method: 'GET', path: 'model-versions/get-download-uri', handler: (c) => c.backend.registry.getModelVersionDownloadUri(c.body) },
  { method: 'POST', path: 'model-versions/set-tag', write: true, handler: (c) => (c.backend.registry.setModelVersionTag(c.body), {}) },
  { method: 'DELETE', path: 'model-versions/delete-tag', write: true, handler: (c) => (c.backend.registry.deleteModelVersionTag(c.body), {}) },
];

/** Trackside's registry extras: the alias and stage history no MLflow keeps, and URI resolution. */
export const registryExtraRoutes: Route[] = [
  { method: 'GET', path: 'registered-models/history', handler: (c) => c.backend.registry.getRegistryHistory(c.body) },
  { method: 'GET', path: 'registered-models/stage-at', handler: (c) => c.backend.registry.stageAt(c.body) },
  { method: 'GET', path: 'registered-models/alias-at', handler: (c) => c.backend.registry.aliasAt(c.body) },
  { method: 'GET', path: 'models/resolve', handler: (c) => c.backend.registry.resolveModelUri(c.body.uri) },
];

/** `GET /model-versions/get-artifact?name=&version=&path=`: a file of a model version's artifacts. */
export const modelArtifactRoutes: Route[] = [
  {
    method: 'GET',
    path: 'model-versions/get-artifact',
    handler: (c) => {
      const { artifact_uri: uri } = c.backend.registry.getModelVersionDownloadUri(c.body);
      const base = c.artifacts.localPath(uri);
      const rel = optionalString(c.body.path, 'path') ?? '';
      if (!base) throw invalidParameter(`The artifacts of this model version are at ${uri}, which this server cannot read.`);
      return download(c, c.artifacts.confine(base, rel), rel);
    },
  },
];

import type { KeyValue } from '../../shared/entities';

/**
 * What the importer needs from a model registry store, in MLflow REST's method names and request
 * shapes (versions travel as strings, as in MLflow's JSON). Lookups throw a TrackingError with
 * code RESOURCE_DOES_NOT_EXIST when the model or version is absent; getRegisteredModel answers
 * MLflow's `{ registered_model: { aliases: [{ alias, version }] } }` (or the model itself), which
 * the importer reads to leave aliases that already point right alone. `importModelVersion` is the
 * one call MLflow's API lacks: it creates a version with the number it had in the source store
 * (and must raise the model's next version number past it).
 */
export interface RegistryTarget {
  getRegisteredModel(req: { name: string }): unknown;
  createRegisteredModel(req: { name: string; description?: string; tags?: KeyValue[] }): unknown;
  getModelVersion(req: { name: string; version: string }): unknown;
  importModelVersion(req: ImportModelVersionRequest): unknown;
  transitionModelVersionStage(req: { name: string; version: string; stage: string; archive_existing_versions: boolean }): unknown;
  setRegisteredModelAlias(req: { name: string; alias: string; version: string }): unknown;
}

export interface ImportModelVersionRequest {
  name: string;
  /** The version number to keep. */
  version: number;
  source: string;
  run_id?: string;
  run_link?: string;
  description?: string;
  user_id?: string;
  /** READY, PENDING_REGISTRATION or FAILED_REGISTRATION. */
  status?: string;
  status_message?: string;
  storage_location?: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  tags?: KeyValue[];
}

const REQUIRED: readonly (keyof RegistryTarget)[] = [
  'getRegisteredModel',
  'createRegisteredModel',
  'getModelVersion',
  'importModelVersion',
  'transitionModelVersionStage',
  'setRegisteredModelAlias',
];

/** `candidate` as a RegistryTarget when it has every method, else the names it lacks. */
export function asRegistryTarget(candidate: unknown): { target: RegistryTarget } | { missing: string[] } {
  if (!candidate || typeof candidate !== 'object') return { missing: [...REQUIRED] };
  const missing = REQUIRED.filter((name) => typeof (candidate as Record<string, unknown>)[name] !== 'function');
  return missing.length === 0 ? { target: candidate as RegistryTarget } : { missing };
}

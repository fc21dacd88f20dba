import type { ModelVersionStage, ModelVersionStatus } from '../../shared/entities';
import type { Database } from './database';
import { notFound } from './trackingError';

/** Registry rows as stored (migrations 2 and 3) and the lookups every registry module shares. */

export interface ModelRow {
  model_id: number;
  name: string;
  creation_time: number;
  last_updated_time: number;
  description: string | null;
  user_id: string | null;
  next_version: number;
}

export interface VersionRow {
  model_id: number;
  /** The model's current name (joined). */
  name: string;
  version: number;
  creation_time: number;
  last_updated_time: number;
  description: string | null;
  user_id: string | null;
  current_stage: ModelVersionStage;
  source: string;
  run_id: string | null;
  run_link: string | null;
  status: ModelVersionStatus;
  status_message: string | null;
  storage_location: string | null;
}

export const SELECT_VERSION = 'SELECT v.*, m.name AS name FROM model_versions v JOIN registered_models m ON m.model_id = v.model_id';

/** The registered model; RESOURCE_DOES_NOT_EXIST with MLflow's message when absent. */
export function modelRow(db: Database, name: string): ModelRow {
  const row = findModelRow(db, name);
  if (!row) throw notFound(`Registered Model with name=${name} not found`);
  return row;
}

export function findModelRow(db: Database, name: string): ModelRow | undefined {
  return db.get<ModelRow>('SELECT * FROM registered_models WHERE name = ?', [name]);
}

/** The model version; RESOURCE_DOES_NOT_EXIST with MLflow's message when the model or version is absent. */
export function versionRow(db: Database, name: string, version: number): VersionRow {
  const row = db.get<VersionRow>(`${SELECT_VERSION} WHERE m.name = ? AND v.version = ?`, [name, version]);
  if (!row) throw notFound(`Model Version (name=${name}, version=${version}) not found`);
  return row;
}

import type { RegisteredModel, RegisteredModelAlias, RegisteredModelTag } from '../../shared/entities';
import type { Database } from './database';
import type { ModelVersionRepository } from './modelVersionRepository';
import type { Appliers, RegistryMutation } from './mutations';
import type { RegistryHistory } from './registryHistory';
import { findModelRow, modelRow, versionRow, type ModelRow } from './registryRows';
import { TrackingError } from './trackingError';

type ModelMutation = Extract<
  RegistryMutation,
  {
    t:
      | 'createRegisteredModel'
      | 'renameRegisteredModel'
      | 'updateRegisteredModel'
      | 'deleteRegisteredModel'
      | 'setRegisteredModelTag'
      | 'deleteRegisteredModelTag'
      | 'setAlias'
      | 'deleteAlias';
  }
>;

const IDS_PER_CHUNK = 500;

export function modelExists(name: string): TrackingError {
  return new TrackingError('RESOURCE_ALREADY_EXISTS', `Registered Model (name=${name}) already exists.`);
}

/**
 * Registered models, their tags and aliases: the appliers of model and alias mutations and the
 * entity reads. Children hang off the integer `model_id`, so a rename moves nothing but the name.
 */
export class RegisteredModelRepository {
  constructor(
    private readonly db: Database,
    private readonly history: RegistryHistory,
    private readonly versions: ModelVersionRepository,
  ) {}

  readonly appliers: Appliers<ModelMutation> = {
    createRegisteredModel: (m) => {
      if (findModelRow(this.db, m.name)) throw modelExists(m.name);
      if (this.db.scalar('SELECT 1 FROM registered_models WHERE model_id = ?', [m.modelId])) {
        throw new TrackingError('INVALID_STATE', `Registered model id ${m.modelId} is already taken.`);
      }
      this.db.run(
        `INSERT INTO registered_models(model_id, name, creation_time, last_updated_time, description, user_id, next_version)
         VALUES (?, ?, ?, ?, ?, ?, 1)`,
        [m.modelId, m.name, m.now, m.now, m.description ?? null, m.userId ?? null],
      );
      for (const tag of m.tags) this.writeTag(m.modelId, tag.key, tag.value);
    },
    renameRegisteredModel: (m) => {
      const row = modelRow(this.db, m.name);
      if (m.newName !== m.name && findModelRow(this.db, m.newName)) throw modelExists(m.newName);
      this.db.run('UPDATE registered_models SET name = ?, last_updated_time = ? WHERE model_id = ?', [m.newName, m.now, row.model_id]);
      // MLflow stamps every version of a renamed model too.
      this.db.run('UPDATE model_versions SET last_updated_time = ? WHERE model_id = ?', [m.now, row.model_id]);
    },
    updateRegisteredModel: (m) => {
      const row = modelRow(this.db, m.name);
      this.db.run('UPDATE registered_models SET description = ?, last_updated_time = ? WHERE model_id = ?', [
        m.description ?? null, m.now, row.model_id,
      ]);
    },
    deleteRegisteredModel: (m) => {
      const { model_id: id } = modelRow(this.db, m.name);
      for (const table of ['model_version_tags', 'model_versions', 'registered_model_aliases', 'registered_model_tags', 'registered_models']) {
        this.db.run(`DELETE FROM ${table} WHERE model_id = ?`, [id]);
      }
      this.history.dropModel(id);
    },
    setRegisteredModelTag: (m) => {
      this.writeTag(modelRow(this.db, m.name).model_id, m.key, m.value);
    },
    deleteRegisteredModelTag: (m) => {
      const row = modelRow(this.db, m.name);
      this.db.run('DELETE FROM registered_model_tags WHERE model_id = ? AND key = ?', [row.model_id, m.key]);
    },
    setAlias: (m) => {
      const { model_id: modelId } = versionRow(this.db, m.name, m.version);
      const previous = this.aliasVersion(modelId, m.alias);
      if (previous === m.version) return;
      this.db.run('INSERT OR REPLACE INTO registered_model_aliases(model_id, alias, version) VALUES (?, ?, ?)', [modelId, m.alias, m.version]);
      this.history.record({
        modelId, kind: 'alias', alias: m.alias, version: m.version, from: previous === undefined ? undefined : String(previous),
        to: String(m.version), time: m.now, userId: m.userId,
      });
    },
    deleteAlias: (m) => {
      const { model_id: modelId } = modelRow(this.db, m.name);
      const previous = this.aliasVersion(modelId, m.alias);
      if (previous === undefined) return; // MLflow: deleting an absent alias is not an error
      this.db.run('DELETE FROM registered_model_aliases WHERE model_id = ? AND alias = ?', [modelId, m.alias]);
      this.history.record({
        modelId, kind: 'alias', alias: m.alias, version: previous, from: String(previous), time: m.now, userId: m.userId,
      });
    },
  };

  row(name: string): ModelRow {
    return modelRow(this.db, name);
  }

  get(name: string): RegisteredModel {
    return this.entities([this.row(name)])[0];
  }

  /** Registered models by id, in the order given. */
  byIds(ids: number[]): RegisteredModel[] {
    const rows = new Map<number, ModelRow>();
    for (let i = 0; i < ids.length; i += IDS_PER_CHUNK) {
      const chunk = ids.slice(i, i + IDS_PER_CHUNK);
      for (const row of this.db.all<ModelRow>(`SELECT * FROM registered_models WHERE model_id IN (${chunk.map(() => '?').join(',')})`, chunk)) {
        rows.set(row.model_id, row);
      }
    }
    return this.entities(ids.flatMap((id) => rows.get(id) ?? []));
  }

  /** The id the next registered model gets. */
  nextId(): number {
    return Number(this.db.scalar('SELECT COALESCE(MAX(model_id), 0) + 1 FROM registered_models'));
  }

  /** The version an alias points to, or undefined. */
  aliasVersion(modelId: number, alias: string): number | undefined {
    return this.db.scalar<number>('SELECT version FROM registered_model_aliases WHERE model_id = ? AND alias = ?', [modelId, alias]);
  }

  /** MLflow's JSON shape: latest version per stage, tags and aliases; defaults and empty lists omitted. */
  private entities(rows: ModelRow[]): RegisteredModel[] {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.model_id);
    const latest = this.versions.latestPerStage(ids);
    const tags = new Map<number, RegisteredModelTag[]>();
    const aliases = new Map<number, RegisteredModelAlias[]>();
    const push = <T>(map: Map<number, T[]>, key: number, value: T): void => {
      const list = map.get(key);
      if (list) list.push(value);
      else map.set(key, [value]);
    };
    for (let i = 0; i < ids.length; i += IDS_PER_CHUNK) {
      const chunk = ids.slice(i, i + IDS_PER_CHUNK);
      const marks = chunk.map(() => '?').join(',');
      this.db.each(`SELECT model_id, key, value FROM registered_model_tags WHERE model_id IN (${marks}) ORDER BY key`, chunk, (r) =>
        push(tags, r[0] as number, { key: r[1] as string, value: r[2] as string }),
      );
      this.db.each(`SELECT model_id, alias, version FROM registered_model_aliases WHERE model_id IN (${marks}) ORDER BY alias`, chunk, (r) =>
        push(aliases, r[0] as number, { alias: r[1] as string, version: String(r[2]) }),
      );
    }
    return rows.map((row) => {
      const model: RegisteredModel = {
        name: row.name,
        creation_timestamp: row.creation_time,
        last_updated_timestamp: row.last_updated_time,
      };
      if (row.user_id) model.user_id = row.user_id;
      if (row.description) model.description = row.description;
      if (latest.has(row.model_id)) model.latest_versions = latest.get(row.model_id);
      if (tags.has(row.model_id)) model.tags = tags.get(row.model_id);
      if (aliases.has(row.model_id)) model.aliases = aliases.get(row.model_id);
      return model;
    });
  }

  private writeTag(modelId: number, key: string, value: string): void {
    this.db.run('INSERT OR REPLACE INTO registered_model_tags(model_id, key, value) VALUES (?, ?, ?)', [modelId, key, value]);
  }
}

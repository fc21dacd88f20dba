import type { ModelVersion, ModelVersionTag } from '../../shared/entities';
import type { Database } from './database';
import type { Appliers, RegistryMutation } from './mutations';
import type { RegistryHistory } from './registryHistory';
import { modelRow, SELECT_VERSION, versionRow, type VersionRow } from './registryRows';
import { TrackingError } from './trackingError';

type VersionMutation = Extract<
  RegistryMutation,
  {
    t: 'createModelVersion' | 'importModelVersion' | 'updateModelVersion' | 'transitionStage' | 'deleteModelVersion' | 'setModelVersionTag' |
      'deleteModelVersionTag';
  }
>;

/** Row-value pairs per statement when reading versions by (model, version). */
const KEYS_PER_CHUNK = 400;
const IDS_PER_CHUNK = 500;

/** Model versions, their tags and stages: the appliers of version mutations and the entity reads. */
export class ModelVersionRepository {
  constructor(private readonly db: Database, private readonly history: RegistryHistory) {}

  readonly appliers: Appliers<VersionMutation> = {
    createModelVersion: (m) => {
      const model = modelRow(this.db, m.name);
      if (m.version !== model.next_version) {
        throw new TrackingError('INVALID_STATE', `Model ${m.name} expects version ${model.next_version} next, not ${m.version}.`);
      }
      this.db.run(
        `INSERT INTO model_versions(model_id, version, creation_time, last_updated_time, description, user_id, current_stage,
                                    source, run_id, run_link, status, storage_location)
         VALUES (?, ?, ?, ?, ?, ?, 'None', ?, ?, ?, 'READY', ?)`,
        [
          model.model_id, m.version, m.now, m.now, m.description ?? null, m.userId ?? null, m.source, m.runId ?? null,
          m.runLink ?? null, m.storageLocation === m.source ? null : m.storageLocation,
        ],
      );
      for (const tag of m.tags) this.writeTag(model.model_id, m.version, tag.key, tag.value);
      this.db.run('UPDATE registered_models SET next_version = ?, last_updated_time = ? WHERE model_id = ?', [
        m.version + 1, m.now, model.model_id,
      ]);
      this.history.record({ modelId: model.model_id, kind: 'version_created', version: m.version, to: 'None', time: m.now, userId: m.userId });
    },
    importModelVersion: (m) => {
      const model = modelRow(this.db, m.name);
      if (this.db.scalar('SELECT 1 FROM model_versions WHERE model_id = ? AND version = ?', [model.model_id, m.version])) {
        throw new TrackingError('RESOURCE_ALREADY_EXISTS', `Model Version (name=${m.name}, version=${m.version}) already exists.`);
      }
      this.db.run(
        `INSERT INTO model_versions(model_id, version, creation_time, last_updated_time, description, user_id, current_stage,
                                    source, run_id, run_link, status, status_message, storage_location)
         VALUES (?, ?, ?, ?, ?, ?, 'None', ?, ?, ?, ?, ?, ?)`,
        [
          model.model_id, m.version, m.creationTime, m.lastUpdatedTime, m.description ?? null, m.userId ?? null, m.source,
          m.runId ?? null, m.runLink ?? null, m.status, m.statusMessage ?? null, m.storageLocation === m.source ? null : m.storageLocation,
        ],
      );
      for (const tag of m.tags) this.writeTag(model.model_id, m.version, tag.key, tag.value);
      // Numbers are never reused: the next version created here comes after every imported one.
      this.db.run('UPDATE registered_models SET next_version = MAX(next_version, ?) WHERE model_id = ?', [m.version + 1, model.model_id]);
      this.history.record({
        modelId: model.model_id, kind: 'version_created', version: m.version, to: 'None', time: m.creationTime, userId: m.userId,
      });
    },
    updateModelVersion: (m) => {
      const row = versionRow(this.db, m.name, m.version);
      this.db.run('UPDATE model_versions SET description = ?, last_updated_time = ? WHERE model_id = ? AND version = ?', [
        m.description ?? null, m.now, row.model_id, m.version,
      ]);
    },
    transitionStage: (m) => {
      const row = versionRow(this.db, m.name, m.version);
      const record = (version: number, from: string, to: string): void =>
        this.history.record({ modelId: row.model_id, kind: 'stage', version, from, to, time: m.now, userId: m.userId });
      this.setStage(row.model_id, m.version, m.stage, m.now);
      if (row.current_stage !== m.stage) record(m.version, row.current_stage, m.stage);
      if (m.archiveExisting) {
        const others = this.db.values(
          'SELECT version FROM model_versions WHERE model_id = ? AND current_stage = ? AND version != ? ORDER BY version',
          [row.model_id, m.stage, m.version],
        );
        for (const [version] of others) {
          this.setStage(row.model_id, version as number, 'Archived', m.now);
          record(version as number, m.stage, 'Archived');
        }
      }
      this.touchModel(row.model_id, m.now);
    },
    deleteModelVersion: (m) => {
      const row = versionRow(this.db, m.name, m.version);
      const aliases = this.db.values('SELECT alias FROM registered_model_aliases WHERE model_id = ? AND version = ? ORDER BY alias', [
        row.model_id, m.version,
      ]);
      for (const [alias] of aliases) {
        this.history.record({
          modelId: row.model_id, kind: 'alias', alias: alias as string, version: m.version, from: String(m.version), time: m.now, userId: m.userId,
        });
      }
      this.db.run('DELETE FROM registered_model_aliases WHERE model_id = ? AND version = ?', [row.model_id, m.version]);
      this.db.run('DELETE FROM model_version_tags WHERE model_id = ? AND version = ?', [row.model_id, m.version]);
      this.db.run('DELETE FROM model_versions WHERE model_id = ? AND version = ?', [row.model_id, m.version]);
      this.history.record({
        modelId: row.model_id, kind: 'version_deleted', version: m.version, from: row.current_stage, time: m.now, userId: m.userId,
      });
      this.touchModel(row.model_id, m.now);
    },
    setModelVersionTag: (m) => {
      const row = versionRow(this.db, m.name, m.version);
      this.writeTag(row.model_id, m.version, m.key, m.value);
    },
    deleteModelVersionTag: (m) => {
      const row = versionRow(this.db, m.name, m.version);
      this.db.run('DELETE FROM model_version_tags WHERE model_id = ? AND version = ? AND key = ?', [row.model_id, m.version, m.key]);
    },
  };

  get(name: string, version: number): ModelVersion {
    return this.entities([versionRow(this.db, name, version)])[0];
  }

  /** Versions by (model id, version), in the order given; pairs that no longer exist are skipped. */
  byKeys(keys: [number, number][]): ModelVersion[] {
    return this.entities(this.rowsByKeys(keys));
  }

  /**
   * Per model, the highest version in each stage that has one — MLflow's `latest_versions`, stages in
   * the order their lowest version appears.
   */
  latestPerStage(modelIds: number[]): Map<number, ModelVersion[]> {
    const keys: [number, number][] = [];
    for (let i = 0; i < modelIds.length; i += IDS_PER_CHUNK) {
      const chunk = modelIds.slice(i, i + IDS_PER_CHUNK);
      this.db.each(
        `SELECT model_id, MAX(version), MIN(version) AS first FROM model_versions WHERE model_id IN (${chunk.map(() => '?').join(',')})
          GROUP BY model_id, current_stage ORDER BY model_id, first`,
        chunk,
        ([model, latest]) => keys.push([model as number, latest as number]),
      );
    }
    const rows = this.rowsByKeys(keys);
    const versions = this.entities(rows);
    const result = new Map<number, ModelVersion[]>();
    rows.forEach((row, i) => {
      const list = result.get(row.model_id);
      if (list) list.push(versions[i]);
      else result.set(row.model_id, [versions[i]]);
    });
    return result;
  }

  private rowsByKeys(keys: [number, number][]): VersionRow[] {
    const rows = new Map<string, VersionRow>();
    for (let i = 0; i < keys.length; i += KEYS_PER_CHUNK) {
      const chunk = keys.slice(i, i + KEYS_PER_CHUNK);
      const pairs = chunk.map(() => '(?, ?)').join(', ');
      for (const row of this.db.all<VersionRow>(`${SELECT_VERSION} WHERE (v.model_id, v.version) IN (VALUES ${pairs})`, chunk.flat())) {
        rows.set(`${row.model_id}:${row.version}`, row);
      }
    }
    return keys.flatMap(([model, version]) => rows.get(`${model}:${version}`) ?? []);
  }

  /** MLflow's JSON shape: defaults and empty lists omitted; tags and aliases included. */
  entities(rows: VersionRow[]): ModelVersion[] {
    if (rows.length === 0) return [];
    const tags = new Map<string, ModelVersionTag[]>();
    const aliases = new Map<string, string[]>();
    const push = <T>(map: Map<string, T[]>, key: string, value: T): void => {
      const list = map.get(key);
      if (list) list.push(value);
      else map.set(key, [value]);
    };
    for (let i = 0; i < rows.length; i += KEYS_PER_CHUNK) {
      const chunk = rows.slice(i, i + KEYS_PER_CHUNK).flatMap((r) => [r.model_id, r.version]);
      const pairs = Array.from({ length: chunk.length / 2 }, () => '(?, ?)').join(', ');
      this.db.each(
        `SELECT model_id, version, key, value FROM model_version_tags WHERE (model_id, version) IN (VALUES ${pairs}) ORDER BY key`,
        chunk,
        (r) => push(tags, `${r[0]}:${r[1]}`, { key: r[2] as string, value: r[3] as string }),
      );
    }
    const modelIds = [...new Set(rows.map((r) => r.model_id))];
    for (let i = 0; i < modelIds.length; i += IDS_PER_CHUNK) {
      const chunk = modelIds.slice(i, i + IDS_PER_CHUNK);
      const marks = chunk.map(() => '?').join(',');
      this.db.each(`SELECT model_id, version, alias FROM registered_model_aliases WHERE model_id IN (${marks}) ORDER BY alias`, chunk, (r) =>
        push(aliases, `${r[0]}:${r[1]}`, r[2] as string),
      );
    }
    return rows.map((row) => {
      const key = `${row.model_id}:${row.version}`;
      const entity: ModelVersion = {
        name: row.name,
        version: String(row.version),
        creation_timestamp: row.creation_time,
        last_updated_timestamp: row.last_updated_time,
      } as ModelVersion;
      if (row.user_id) entity.user_id = row.user_id;
      entity.current_stage = row.current_stage;
      if (row.description) entity.description = row.description;
      entity.source = row.source;
      if (row.run_id) entity.run_id = row.run_id;
      entity.status = row.status;
      if (row.status_message) entity.status_message = row.status_message;
      if (tags.has(key)) entity.tags = tags.get(key);
      if (row.run_link) entity.run_link = row.run_link;
      if (aliases.has(key)) entity.aliases = aliases.get(key);
      return entity;
    });
  }

  /** Where the version's files are: what its source resolved to at registration, else the source. */
  downloadUri(name: string, version: number): string {
    const row = versionRow(this.db, name, version);
    return row.storage_location ?? row.source;
  }

  private setStage(modelId: number, version: number, stage: string, now: number): void {
    this.db.run('UPDATE model_versions SET current_stage = ?, last_updated_time = ? WHERE model_id = ? AND version = ?', [
      stage, now, modelId, version,
    ]);
  }

  private touchModel(modelId: number, now: number): void {
    this.db.run('UPDATE registered_models SET last_updated_time = ? WHERE model_id = ?', [now, modelId]);
  }

  private writeTag(modelId: number, version: number, key: string, value: string): void {
    this.db.run('INSERT OR REPLACE INTO model_version_tags(model_id, version, key, value) VALUES (?, ?, ?, ?)', [
      modelId, version, key, value,
    ]);
  }
}

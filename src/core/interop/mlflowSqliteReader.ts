import fs from 'node:fs';
import path from 'node:path';
import type { Database, SqlValue } from 'sql.js';
import type { KeyValue } from '../../shared/entities';
import { loadSqlJs } from '../store/sqlJsLoader';
import { localArtifactFolder } from './artifactLocation';
import { detectFeatures, ensureRunIndex, type MlflowSchemaFeatures } from './mlflowSchemaFeatures';
import {
  MlflowImportError,
  runStatusOf,
  type MlflowSource,
  type SourceDatasetInput,
  type SourceExperiment,
  type SourceMetricPoint,
  type SourceModelVersion,
  type SourceRegisteredModel,
  type SourceRun,
} from './mlflowSource';

const SQLITE_HEADER = 'SQLite format 3\u0000';

/**
 * Reads an MLflow tracking database (`mlflow.db`) of any alembic revision from MLflow 1.x to 3.x
 * with sql.js: detects the revision and which tables and columns exist, and streams each run's
 * metric history in pages. The file is read into memory and never written back; on databases
 * older than MLflow 1.26 (no index on `metrics.run_uuid`) an index is built in that in-memory
 * copy so reading one run's history does not scan every point of every run.
 */
export class MlflowSqliteReader implements MlflowSource {
  readonly kind = 'sqlite' as const;
  readonly description: string;
  readonly notes: string[] = [];

  private constructor(
    readonly location: string,
    private readonly db: Database,
    /** The alembic revision(s) in `alembic_version`; undefined for a pre-1.0 database. */
    readonly revision: string | undefined,
    readonly features: MlflowSchemaFeatures,
    private readonly columns: Map<string, Set<string>>,
  ) {
    const have = Object.entries(features).filter(([, on]) => on).map(([name]) => name);
    this.description =
      `MLflow SQLite database ${location} (alembic revision ${revision ?? 'none: older than MLflow 1.0'}; ` +
      `has ${have.join(', ') || 'the base tables only'})`;
  }

  /** Opens `file` or throws MlflowImportError saying why it is not an MLflow database. */
  static async open(file: string): Promise<MlflowSqliteReader> {
    const location = path.resolve(file);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(location);
    } catch (e) {
      throw new MlflowImportError(`Cannot read ${location}: ${(e as Error).message}`);
    }
    if (bytes.subarray(0, 16).toString('latin1') !== SQLITE_HEADER) {
      throw new MlflowImportError(
        `${location} is not an SQLite database (it lacks the SQLite file header). ` +
          'Point the import at an MLflow database (mlflow.db) or an mlruns folder.',
      );
    }
    const SQL = await loadSqlJs();
    const db = new SQL.Database(bytes);
    try {
      const tables = new Set(
        (db.exec(`SELECT name FROM sqlite_master WHERE type = 'table'`)[0]?.values ?? []).map((r) => String(r[0])),
      );
      if (!tables.has('experiments') || !tables.has('runs') || !tables.has('metrics')) {
        const trackside = tables.has('metric_chunks') && tables.has('meta');
        throw new MlflowImportError(
          trackside
            ? `${location} is a Trackside store, not an MLflow database; open it as a store instead of importing it.`
            : `${location} is an SQLite database but not an MLflow tracking database: it has no experiments, runs ` +
                `and metrics tables (it has ${[...tables].slice(0, 8).join(', ') || 'no tables'}).`,
        );
      }
      const columns = new Map<string, Set<string>>();
      for (const table of tables) {
        const info = db.exec(`PRAGMA table_info("${table.replace(/"/g, '""')}")`)[0]?.values ?? [];
        columns.set(table, new Set(info.map((r) => String(r[1]))));
      }
      const revision = tables.has('alembic_version')
        ? (db.exec('SELECT version_num FROM alembic_version')[0]?.values ?? []).map((r) => String(r[0])).join(', ') || undefined
        : undefined;
      const features = detectFeatures(tables, columns);
      ensureRunIndex(db, 'metrics');
      for (const table of ['params', 'tags']) ensureRunIndex(db, table);
      const reader = new MlflowSqliteReader(location, db, revision, features, columns);
      reader.collectNotes(tables);
      return reader;
    } catch (e) {
      db.close();
      if (e instanceof MlflowImportError) throw e;
      throw new MlflowImportError(`${location} cannot be read as an SQLite database: ${(e as Error).message}`);
    }
  }

  experiments(): SourceExperiment[] {
    const f = this.features;
    const rows = this.rows(
      `SELECT experiment_id, name, artifact_location, lifecycle_stage,
              ${f.experimentTimes ? 'creation_time, last_update_time' : 'NULL, NULL'}, ${f.workspaces ? 'workspace' : 'NULL'}
         FROM experiments ORDER BY experiment_id`,
    );
    const tags = new Map<string, KeyValue[]>();
    if (f.experimentTags) {
      for (const [id, key, value] of this.rows('SELECT experiment_id, key, value FROM experiment_tags ORDER BY key')) {
        push(tags, String(id), { key: String(key), value: text(value) });
      }
    }
    return rows.map((r) => {
      const experiment: SourceExperiment = {
        id: String(r[0]),
        name: String(r[1]),
        artifactLocation: nullableText(r[2]),
        lifecycleStage: r[3] === 'deleted' ? 'deleted' : 'active',
        creationTime: nullableNumber(r[4]),
        lastUpdateTime: nullableNumber(r[5]),
        tags: tags.get(String(r[0])) ?? [],
      };
      if (r[6] !== null) experiment.workspace = String(r[6]);
      return experiment;
    });
  }

  runs(experimentId: string): SourceRun[] {
    const runColumns = this.columns.get('runs')!;
    const nameColumn = runColumns.has('name') ? 'name' : runColumns.has('run_name') ? 'run_name' : 'NULL';
    const rows = this.rows(
      `SELECT run_uuid, ${nameColumn}, user_id, status, start_time, end_time, lifecycle_stage,
              ${this.features.runDeletedTime ? 'deleted_time' : 'NULL'}, artifact_uri
         FROM runs WHERE experiment_id = ? ORDER BY start_time, run_uuid`,
      [Number(experimentId)],
    );
    return rows.map((r) => {
      const runId = String(r[0]);
      let name = nullableText(r[1]) ?? '';
      let userId = nullableText(r[2]) ?? '';
      if (!name || !userId) {
        // MLflow before 1.x kept the name and the user in tags only.
        const tags = this.rows(`SELECT key, value FROM tags WHERE run_uuid = ? AND key IN ('mlflow.runName', 'mlflow.user')`, [runId]);
        for (const [key, value] of tags) {
          if (key === 'mlflow.runName' && !name) name = text(value);
          if (key === 'mlflow.user' && !userId) userId = text(value);
        }
      }
      return {
        runId,
        experimentId,
        name,
        userId,
        status: runStatusOf(r[3]),
        startTime: nullableNumber(r[4]),
        endTime: nullableNumber(r[5]),
        lifecycleStage: r[6] === 'deleted' ? 'deleted' : 'active',
        deletedTime: nullableNumber(r[7]),
        artifactUri: nullableText(r[8]),
      };
    });
  }

  params(runId: string): KeyValue[] {
    return this.rows('SELECT key, value FROM params WHERE run_uuid = ? ORDER BY key', [runId]).map(([key, value]) => ({
      key: String(key),
      value: text(value),
    }));
  }

  tags(runId: string): KeyValue[] {
    return this.rows('SELECT key, value FROM tags WHERE run_uuid = ? ORDER BY key', [runId]).map(([key, value]) => ({
      key: String(key),
      value: text(value),
    }));
  }

  inputs(runId: string): SourceDatasetInput[] {
    if (!this.features.datasets) return [];
    const rows = this.rows(
      `SELECT i.input_uuid, d.name, d.digest, d.dataset_source_type, d.dataset_source, d.dataset_schema, d.dataset_profile
         FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id
        WHERE i.source_type = 'DATASET' AND i.destination_type = 'RUN' AND i.destination_id = ?
        ORDER BY d.name, d.digest`,
      [runId],
    );
    return rows.map((r) => ({
      name: String(r[1]),
      digest: String(r[2]),
      sourceType: String(r[3]),
      source: text(r[4]),
      schema: nullableText(r[5]),
      profile: nullableText(r[6]),
      tags: this.rows('SELECT name, value FROM input_tags WHERE input_uuid = ? ORDER BY name', [r[0]]).map(([key, value]) => ({
        key: String(key),
        value: text(value),
      })),
    }));
  }

  metricCount(runId: string): number {
    return Number(this.rows('SELECT COUNT(*) FROM metrics WHERE run_uuid = ?', [runId])[0][0]);
  }

  *metricPages(runId: string, pageSize: number): Iterable<SourceMetricPoint[]> {
    const steps = this.features.metricSteps;
    let stmt;
    try {
      stmt = this.db.prepare(
        `SELECT key, value, timestamp, ${steps ? 'step' : '0'}, ${this.features.nanFlags ? 'is_nan' : '0'}
           FROM metrics WHERE run_uuid = ? ORDER BY key, ${steps ? 'step, ' : ''}timestamp`,
      );
      stmt.bind([runId]);
    } catch (e) {
      stmt?.free();
      throw this.readError(e);
    }
    try {
      let page: SourceMetricPoint[] = [];
      for (;;) {
        let more: boolean;
        let row: SqlValue[] | undefined;
        try {
          more = stmt.step();
          if (more) row = stmt.get();
        } catch (e) {
          throw this.readError(e);
        }
        if (!more || !row) break;
        const value = row[4] || row[1] === null ? NaN : Number(row[1]);
        page.push({ key: String(row[0]), value, timestamp: Number(row[2]), step: Number(row[3]) });
        if (page.length >= pageSize) {
          yield page;
          page = [];
        }
      }
      if (page.length > 0) yield page;
    } finally {
      stmt.free();
    }
  }

  registeredModels(): SourceRegisteredModel[] {
    const f = this.features;
    if (!f.registry) return [];
    const rows = this.rows(
      `SELECT name, description, creation_time, last_updated_time, ${f.workspaces ? 'workspace' : 'NULL'}
         FROM registered_models ORDER BY name`,
    );
    return rows.map((r) => {
      const model: SourceRegisteredModel = {
        name: String(r[0]),
        description: nullableText(r[1]),
        creationTime: nullableNumber(r[2]),
        lastUpdatedTime: nullableNumber(r[3]),
        tags: [],
        aliases: [],
      };
      if (r[4] !== null) model.workspace = String(r[4]);
      const [where, params] = this.modelFilter(model);
      if (f.registryTags) {
        model.tags = this.rows(`SELECT key, value FROM registered_model_tags WHERE ${where} ORDER BY key`, params).map(
          ([key, value]) => ({ key: String(key), value: text(value) }),
        );
      }
      if (f.aliases) {
        model.aliases = this.rows(`SELECT alias, version FROM registered_model_aliases WHERE ${where} ORDER BY alias`, params).map(
          ([alias, version]) => ({ alias: String(alias), version: Number(version) }),
        );
      }
      return model;
    });
  }

  modelVersions(model: SourceRegisteredModel): SourceModelVersion[] {
    if (!this.features.registry) return [];
    const has = (column: string): boolean => this.columns.get('model_versions')?.has(column) ?? false;
    const [where, params] = this.modelFilter(model);
    const rows = this.rows(
      `SELECT version, creation_time, last_updated_time, description, user_id, current_stage, source, run_id,
              ${has('run_link') ? 'run_link' : 'NULL'}, status, status_message, ${has('storage_location') ? 'storage_location' : 'NULL'}
         FROM model_versions WHERE ${where} ORDER BY version`,
      params,
    );
    return rows.map((r) => ({
      name: model.name,
      version: Number(r[0]),
      creationTime: nullableNumber(r[1]),
      lastUpdatedTime: nullableNumber(r[2]),
      description: nullableText(r[3]),
      userId: nullableText(r[4]),
      currentStage: nullableText(r[5]) ?? 'None',
      source: nullableText(r[6]),
      runId: nullableText(r[7]),
      runLink: nullableText(r[8]),
      status: nullableText(r[9]),
      statusMessage: nullableText(r[10]),
      storageLocation: nullableText(r[11]),
      tags: this.features.modelVersionTags
        ? this.rows(`SELECT key, value FROM model_version_tags WHERE ${where} AND version = ? ORDER BY key`, [...params, r[0]]).map(
            ([key, value]) => ({ key: String(key), value: text(value) }),
          )
        : [],
    }));
  }

  localArtifactFolder(artifactUri: string): string | undefined {
    const folder = path.dirname(this.location);
    return localArtifactFolder(artifactUri, [folder], path.join(folder, 'mlruns'));
  }

  close(): void {
    this.db.close();
  }

  private modelFilter(model: SourceRegisteredModel): [string, SqlValue[]] {
    return model.workspace === undefined ? ['name = ?', [model.name]] : ['name = ? AND workspace = ?', [model.name, model.workspace]];
  }

  private collectNotes(tables: Set<string>): void {
    const count = (sqlText: string): number => Number(this.rows(sqlText)[0]?.[0] ?? 0);
    if (this.features.loggedModels) {
      const n = count('SELECT COUNT(*) FROM logged_models');
      if (n > 0) {
        this.notes.push(
          `${n} logged model(s) (MLflow 3's logged_models) were not imported: Trackside has no logged-model store yet; ` +
            'their runs, metrics and registered versions were.',
        );
      }
    }
    if (tables.has('trace_info')) {
      const n = count('SELECT COUNT(*) FROM trace_info');
      if (n > 0) this.notes.push(`${n} trace(s) were not imported: Trackside does not store traces.`);
    }
    if (this.features.datasets) {
      const n = count(`SELECT COUNT(*) FROM inputs WHERE source_type <> 'DATASET' OR destination_type <> 'RUN'`);
      if (n > 0) this.notes.push(`${n} model input/output link(s) (MLflow 3) were not imported; dataset inputs of runs were.`);
    }
    if (this.features.workspaces) {
      const names = this.rows('SELECT DISTINCT workspace FROM experiments ORDER BY workspace').map((r) => String(r[0]));
      if (names.length > 1) {
        this.notes.push(`Experiments come from ${names.length} MLflow workspaces (${names.join(', ')}); Trackside has none, so they were imported side by side.`);
      }
    }
  }

  private rows(sqlText: string, params: SqlValue[] = []): SqlValue[][] {
    let stmt;
    try {
      stmt = this.db.prepare(sqlText);
      stmt.bind(params);
      const out: SqlValue[][] = [];
      while (stmt.step()) out.push(stmt.get());
      return out;
    } catch (e) {
      throw this.readError(e);
    } finally {
      stmt?.free();
    }
  }

  private readError(e: unknown): MlflowImportError {
    return new MlflowImportError(`Reading ${this.location} failed: ${(e as Error).message}. The database may be damaged.`);
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function text(value: SqlValue): string {
  return value === null || value === undefined ? '' : String(value);
}

function nullableText(value: SqlValue): string | null {
  return value === null || value === undefined ? null : String(value);
}

function nullableNumber(value: SqlValue): number | null {
  return value === null || value === undefined || value === '' ? null : Number(value);
}

import type { Experiment, ExperimentTag } from '../../shared/entities';
import type { Database } from './database';
import type { Appliers, TrackingMutation } from './mutations';
import { TrackingError, invalidParameter, notFound } from './trackingError';

interface ExperimentRow {
  experiment_id: number;
  name: string;
  artifact_location: string;
  lifecycle_stage: 'active' | 'deleted';
  creation_time: number;
  last_update_time: number;
}

type ExperimentMutation = Extract<
  TrackingMutation,
  { t: 'createExperiment' | 'renameExperiment' | 'deleteExperiment' | 'restoreExperiment' | 'setExperimentTag' }
>;

/** Experiments and their tags: SQL reads and the appliers of experiment mutations. */
export class ExperimentRepository {
  constructor(private readonly db: Database) {}

  readonly appliers: Appliers<ExperimentMutation> = {
    createExperiment: (m) => {
      this.assertNameFree(m.name);
      this.db.run(
        `INSERT INTO experiments(experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
         VALUES (?, ?, ?, 'active', ?, ?)`,
        [m.id, m.name, m.artifactLocation, m.now, m.now],
      );
      for (const tag of m.tags) this.writeTag(m.id, tag.key, tag.value);
    },
    renameExperiment: (m) => {
      const row = this.row(m.id);
      if (row.lifecycle_stage !== 'active') {
        throw invalidParameter(`Cannot rename a non-active experiment. Current lifecycle stage is '${row.lifecycle_stage}'`);
      }
      if (row.name !== m.name) this.assertNameFree(m.name);
      this.db.run('UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?', [m.name, m.now, m.id]);
    },
    deleteExperiment: (m) => {
      const row = this.row(m.id);
      if (row.lifecycle_stage !== 'active') throw invalidParameter(`Experiment with id=${m.id} is already deleted.`);
      this.db.run(
        `UPDATE experiments SET lifecycle_stage = 'deleted', deleted_time = ?, last_update_time = ? WHERE experiment_id = ?`,
        [m.now, m.now, m.id],
      );
      // MLflow marks the experiment's runs deleted too (and restores them with it).
      this.db.run(
        `UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ? WHERE experiment_id = ? AND lifecycle_stage = 'active'`,
        [m.now, m.id],
      );
    },
    restoreExperiment: (m) => {
      const row = this.row(m.id);
      if (row.lifecycle_stage !== 'deleted') {
        throw invalidParameter(`Cannot restore an active experiment. Current lifecycle stage is '${row.lifecycle_stage}'`);
      }
      this.assertNameFree(row.name);
      this.db.run(
        `UPDATE experiments SET lifecycle_stage = 'active', deleted_time = NULL, last_update_time = ? WHERE experiment_id = ?`,
        [m.now, m.id],
      );
      this.db.run(`UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE experiment_id = ?`, [m.id]);
    },
    setExperimentTag: (m) => {
      const row = this.row(m.id);
      if (row.lifecycle_stage !== 'active') {
        throw invalidParameter(`The experiment ${m.id} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`);
      }
      this.writeTag(m.id, m.key, m.value);
      this.db.run('UPDATE experiments SET last_update_time = ? WHERE experiment_id = ?', [m.now, m.id]);
    },
  };

  /** The experiment row; RESOURCE_DOES_NOT_EXIST with MLflow's message when absent. */
  row(id: number): ExperimentRow {
    const row = this.db.get<ExperimentRow>('SELECT * FROM experiments WHERE experiment_id = ?', [id]);
    if (!row) throw notFound(`No Experiment with id=${id} exists`);
    return row;
  }

  get(id: number): Experiment {
    return this.toEntity(this.row(id));
  }

  /** The active experiment with this name, or undefined (MLflow looks up active ones first). */
  findByName(name: string): Experiment | undefined {
    const row =
      this.db.get<ExperimentRow>(`SELECT * FROM experiments WHERE name = ? AND lifecycle_stage = 'active'`, [name]) ??
      this.db.get<ExperimentRow>(`SELECT * FROM experiments WHERE name = ? ORDER BY last_update_time DESC LIMIT 1`, [name]);
    return row ? this.toEntity(row) : undefined;
  }

  nextId(): number {
    return Number(this.db.scalar('SELECT COALESCE(MAX(experiment_id), -1) + 1 FROM experiments'));
  }

  byIds(ids: number[]): Experiment[] {
    return ids.map((id) => this.get(id));
  }

  tags(id: number): ExperimentTag[] {
    return this.db.all<ExperimentTag>('SELECT key, value FROM experiment_tags WHERE experiment_id = ? ORDER BY key', [id]);
  }

  count(): number {
    return Number(this.db.scalar('SELECT COUNT(*) FROM experiments'));
  }

  private toEntity(row: ExperimentRow): Experiment {
    const experiment: Experiment = {
      experiment_id: String(row.experiment_id),
      name: row.name,
      artifact_location: row.artifact_location,
      lifecycle_stage: row.lifecycle_stage,
      last_update_time: row.last_update_time,
      creation_time: row.creation_time,
    };
    const tags = this.tags(row.experiment_id);
    if (tags.length > 0) experiment.tags = tags;
    return experiment;
  }

  private assertNameFree(name: string): void {
    const taken = this.db.scalar(`SELECT 1 FROM experiments WHERE name = ? AND lifecycle_stage = 'active'`, [name]);
    if (taken) throw new TrackingError('RESOURCE_ALREADY_EXISTS', `Experiment(name=${name}) already exists.`);
  }

  private writeTag(id: number, key: string, value: string): void {
    this.db.run('INSERT OR REPLACE INTO experiment_tags(experiment_id, key, value) VALUES (?, ?, ?)', [id, key, value]);
  }
}

import type { ModelVersionStage, RegistryEvent, RegistryEventKind } from '../../shared/entities';
import type { Database } from './database';

/** One row of `registry_history`, as the appliers write it. */
export interface HistoryEntry {
  modelId: number;
  kind: RegistryEventKind;
  version?: number;
  alias?: string;
  from?: string;
  to?: string;
  time: number;
  userId?: string;
}

interface HistoryRow {
  kind: RegistryEventKind;
  alias: string | null;
  version: number | null;
  from_value: string | null;
  to_value: string | null;
  time: number;
  user_id: string | null;
}

/**
 * A registered model's history — MLflow keeps none: every version registered and deleted, every
 * stage transition (including those `archive_existing_versions` causes) and every alias set, move
 * and deletion, keyed by the model's integer id so it follows renames. Events are ordered by when
 * they were applied; "at time T" means after every event stamped T or earlier.
 */
export class RegistryHistory {
  constructor(private readonly db: Database) {}

  record(entry: HistoryEntry): void {
    this.db.run(
      `INSERT INTO registry_history(model_id, kind, alias, version, from_value, to_value, time, user_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        entry.modelId, entry.kind, entry.alias ?? null, entry.version ?? null, entry.from ?? null, entry.to ?? null,
        entry.time, entry.userId ?? null,
      ],
    );
  }

  /** Every event of the model, oldest first. */
  events(modelId: number): RegistryEvent[] {
    return this.db
      .all<HistoryRow>(
        'SELECT kind, alias, version, from_value, to_value, time, user_id FROM registry_history WHERE model_id = ? ORDER BY event_id',
        [modelId],
      )
      .map(toEvent);
  }

  /** The versions that were in `stage` at `time`, lowest first. */
  versionsInStageAt(modelId: number, stage: ModelVersionStage, time: number): number[] {
    const stages = new Map<number, string>();
    this.db.each(
      `SELECT kind, version, to_value FROM registry_history
        WHERE model_id = ? AND time <= ? AND kind IN ('version_created', 'stage', 'version_deleted') ORDER BY event_id`,
      [modelId, time],
      ([kind, version, to]) => {
        if (kind === 'version_deleted') stages.delete(version as number);
        else stages.set(version as number, to as string);
      },
    );
    return [...stages].filter(([, s]) => s === stage).map(([v]) => v).sort((a, b) => a - b);
  }

  /** The version `alias` pointed to at `time`, or undefined when it pointed nowhere. */
  aliasAt(modelId: number, alias: string, time: number): number | undefined {
    const to = this.db.get<{ to_value: string | null }>(
      `SELECT to_value FROM registry_history WHERE model_id = ? AND alias = ? AND time <= ? ORDER BY event_id DESC LIMIT 1`,
      [modelId, alias, time],
    )?.to_value;
    return to === undefined || to === null ? undefined : Number(to);
  }

  /** Forgets a deleted model's history (a new model of the same name starts afresh). */
  dropModel(modelId: number): void {
    this.db.run('DELETE FROM registry_history WHERE model_id = ?', [modelId]);
  }
}

function toEvent(row: HistoryRow): RegistryEvent {
  // Built in wire order: kind, version, alias, from, to, timestamp, user_id.
  const event: Partial<RegistryEvent> = { kind: row.kind };
  if (row.version !== null) event.version = String(row.version);
  if (row.alias !== null) event.alias = row.alias;
  if (row.from_value !== null) event.from = row.from_value;
  if (row.to_value !== null) event.to = row.to_value;
  event.timestamp = row.time;
  if (row.user_id) event.user_id = row.user_id;
  return event as RegistryEvent;
}

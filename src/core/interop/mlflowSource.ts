import type { KeyValue, RunStatus } from '../../shared/entities';

/** An MLflow experiment as its store holds it. */
export interface SourceExperiment {
  id: string;
  name: string;
  artifactLocation: string | null;
  lifecycleStage: 'active' | 'deleted';
  creationTime: number | null;
  lastUpdateTime: number | null;
  tags: KeyValue[];
  /** MLflow 3's workspaces (absent before them). */
  workspace?: string;
}

/** An MLflow run's info (its data is read separately, metrics page by page). */
export interface SourceRun {
  runId: string;
  experimentId: string;
  name: string;
  userId: string;
  status: RunStatus;
  startTime: number | null;
  endTime: number | null;
  lifecycleStage: 'active' | 'deleted';
  deletedTime: number | null;
  artifactUri: string | null;
}

/** One point of a metric history; `value` is NaN where MLflow recorded NaN. */
export interface SourceMetricPoint {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export interface SourceDatasetInput {
  name: string;
  digest: string;
  sourceType: string;
  source: string;
  schema: string | null;
  profile: string | null;
  tags: KeyValue[];
}

export interface SourceRegisteredModel {
  name: string;
  description: string | null;
  creationTime: number | null;
  lastUpdatedTime: number | null;
  tags: KeyValue[];
  aliases: { alias: string; version: number }[];
  workspace?: string;
}

export interface SourceModelVersion {
  name: string;
  version: number;
  creationTime: number | null;
  lastUpdatedTime: number | null;
  description: string | null;
  userId: string | null;
  /** 'None', 'Staging', 'Production', 'Archived', or MLflow's internal 'Deleted_Internal'. */
  currentStage: string;
  source: string | null;
  runId: string | null;
  runLink: string | null;
  status: string | null;
  statusMessage: string | null;
  storageLocation: string | null;
  tags: KeyValue[];
}

/** The stage MLflow gives a deleted model version (its number is never reused). */
export const DELETED_VERSION_STAGE = 'Deleted_Internal';

/**
 * Read access to one MLflow store (an `mlflow.db` or an `mlruns/` folder), the same for both
 * kinds so the importer does not care which it reads. Nothing here writes to the source.
 */
export interface MlflowSource {
  readonly kind: 'sqlite' | 'file';
  /** Absolute path of the database file or the `mlruns` folder. */
  readonly location: string;
  /** What was found, for people: "MLflow SQLite database, alembic revision 7f2a7d5fae7d …". */
  readonly description: string;
  /** What this store holds that the reader does not import, as sentences. */
  readonly notes: readonly string[];
  experiments(): SourceExperiment[];
  runs(experimentId: string): SourceRun[];
  params(runId: string): KeyValue[];
  tags(runId: string): KeyValue[];
  inputs(runId: string): SourceDatasetInput[];
  /** How many metric points the run has (for progress). */
  metricCount(runId: string): number;
  /** The run's metric histories in pages of at most `pageSize` points, ordered by key, step, timestamp. */
  metricPages(runId: string, pageSize: number): Iterable<SourceMetricPoint[]>;
  registeredModels(): SourceRegisteredModel[];
  modelVersions(model: SourceRegisteredModel): SourceModelVersion[];
  /** The local folder a run's artifact URI names, when it is a local one (it may not exist). */
  localArtifactFolder(artifactUri: string): string | undefined;
  close(): void;
}

/** The source cannot be read as an MLflow store; the message says what was found and what to do. */
export class MlflowImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MlflowImportError';
  }
}

/** MLflow's run status from its name or its file-store number (RUNNING=1 … KILLED=5). */
export function runStatusOf(value: unknown): RunStatus {
  const names: RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];
  if (typeof value === 'number' && names[value - 1]) return names[value - 1];
  const text = String(value ?? '').toUpperCase();
  return names.find((n) => n === text) ?? (/^\d+$/.test(text) ? names[Number(text) - 1] ?? 'FINISHED' : 'FINISHED');
}

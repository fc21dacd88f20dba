/**
 * MLflow's entities as they travel as JSON (REST API 2.0). int64 fields are JSON numbers, ids are
 * strings, and unset or default fields are omitted, exactly as a real MLflow server answers.
 */

export type LifecycleStage = 'active' | 'deleted';
export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
export const RUN_STATUSES: readonly RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export interface KeyValue {
  key: string;
  value: string;
}
export type ExperimentTag = KeyValue;
export type RunTag = KeyValue;
export type Param = KeyValue;
export type InputTag = KeyValue;

export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: LifecycleStage;
  last_update_time?: number;
  creation_time?: number;
  tags?: ExperimentTag[];
}

/** A metric value on the wire: a number, or "NaN" (MLflow's protobuf JSON for NaN). */
export type MetricValue = number | 'NaN';

export interface Metric {
  key: string;
  value: MetricValue;
  timestamp: number;
  step: number;
}

export interface MetricWithRunId extends Metric {
  run_id: string;
}

export interface RunInfo {
  run_id: string;
  run_uuid: string;
  run_name: string;
  experiment_id: string;
  user_id?: string;
  status: RunStatus;
  start_time?: number;
  end_time?: number;
  artifact_uri: string;
  lifecycle_stage: LifecycleStage;
}

export interface RunData {
  metrics?: Metric[];
  params?: Param[];
  tags?: RunTag[];
}

export interface Dataset {
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema?: string;
  profile?: string;
}

export interface DatasetInput {
  tags?: InputTag[];
  dataset: Dataset;
}

export interface RunInputs {
  dataset_inputs?: DatasetInput[];
}

export interface Run {
  info: RunInfo;
  data: RunData;
  inputs: RunInputs;
}

export interface FileInfo {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/** Trackside extra: what the runs table shows for one (run, metric key) — MLflow keeps only the last value. */
export interface MetricSummary {
  key: string;
  last: MetricValue;
  step: number;
  timestamp: number;
  min?: number;
  max?: number;
  count: number;
}

/** Trackside extra: one downsampled bucket of a metric series (spikes survive as min/max). */
export interface MetricBucket {
  /** Step of the last point in the bucket. */
  step: number;
  /** Value at that step (MLflow's "latest" rule inside the bucket). */
  last: MetricValue;
  min: number;
  max: number;
  count: number;
  timestamp: number;
}

/** What every answer of `metrics/sampled` says of a series, whatever its format. */
export interface SampledSeriesHead {
  runId: string;
  key: string;
  /** True when every point in the range is present (count 1 per bucket). */
  exact: boolean;
  /** The whole series' step range (not only the buckets'). */
  minStep?: number;
  maxStep?: number;
}

export interface SampledSeries extends SampledSeriesHead {
  /** Raw points when the range holds few enough of them, else one bucket per pixel pair. */
  buckets: MetricBucket[];
}

/**
 * A sampled series column by column (`metrics/sampled` with `format: "columns"`): the same buckets
 * as `SampledSeries.buckets`, in ~40% less JSON that parses without an object per bucket. A NaN
 * min or max is null.
 */
export interface SampledColumnsSeries extends SampledSeriesHead {
  columns: {
    steps: number[];
    timestamps: number[];
    last: MetricValue[];
    min: (number | null)[];
    max: (number | null)[];
    counts: number[];
  };
}

/**
 * A sampled series as one base64 string (`metrics/sampled` with `format: "packed"`, announced by
 * the `sampled-packed` extra): `length` buckets as little-endian float64 columns one after another,
 * steps, timestamps, last, min, max, counts (NaN kept as NaN). No number goes through JSON, so it
 * is written and read natively (~10× faster than `columns` for 50 series).
 */
export interface SampledPackedSeries extends SampledSeriesHead {
  length: number;
  packed: string;
}

/** The columns of a `SampledPackedSeries`, in their order. */
export const SAMPLED_PACKED_COLUMNS = ['steps', 'timestamps', 'last', 'min', 'max', 'counts'] as const;

// ---- model registry ----------------------------------------------------------------------------

/** MLflow's model version stages, in its own capitalisation (input is matched case-insensitively). */
export type ModelVersionStage = 'None' | 'Staging' | 'Production' | 'Archived';
export const MODEL_VERSION_STAGES: readonly ModelVersionStage[] = ['None', 'Staging', 'Production', 'Archived'];
export type ModelVersionStatus = 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY';
export type RegisteredModelTag = KeyValue;
export type ModelVersionTag = KeyValue;

export interface RegisteredModelAlias {
  alias: string;
  version: string;
}

export interface ModelVersion {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id?: string;
  current_stage: ModelVersionStage;
  description?: string;
  source: string;
  run_id?: string;
  status: ModelVersionStatus;
  status_message?: string;
  tags?: ModelVersionTag[];
  run_link?: string;
  aliases?: string[];
}

export interface RegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id?: string;
  description?: string;
  /** The highest version in each stage that has one. */
  latest_versions?: ModelVersion[];
  tags?: RegisteredModelTag[];
  aliases?: RegisteredModelAlias[];
}

/**
 * Trackside extra: one entry of a registered model's history. `stage` events carry the stages in
 * `from`/`to`; `alias` events carry versions in `from` (absent when the alias was new) and `to`
 * (absent when it was deleted); `version` is the version concerned (for an alias, the one it points
 * to after the event, or pointed to before a deletion).
 */
export type RegistryEventKind = 'version_created' | 'stage' | 'alias' | 'version_deleted';

export interface RegistryEvent {
  kind: RegistryEventKind;
  version?: string;
  alias?: string;
  from?: string;
  to?: string;
  timestamp: number;
  user_id?: string;
}

/** Trackside extra (`runs/children`): what one row of the Experiments view shows. */
export interface RunTreeRow {
  run_id: string;
  run_name: string;
  status: RunStatus;
  start_time?: number | null;
  end_time?: number | null;
  lifecycle_stage: LifecycleStage;
  parent_run_id?: string | null;
  child_count: number;
  key_metric?: MetricValue | null;
  source?: string | null;
  entry_point?: string | null;
  user_id?: string | null;
}

export interface RunTreePage {
  runs: RunTreeRow[];
  next_page_token?: string;
}

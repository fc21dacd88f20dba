import type { KeyValue, RunStatus, ViewType } from '../../shared/entities';

/** Tags given either as MLflow's `[{key, value}]` list or as a plain object. */
export type TagsInput = readonly KeyValue[] | Readonly<Record<string, string>>;

export function tagList(tags: TagsInput | undefined): KeyValue[] | undefined {
  if (!tags) return undefined;
  if (Array.isArray(tags)) return tags.map((t: KeyValue) => ({ key: t.key, value: t.value }));
  return Object.entries(tags).map(([key, value]) => ({ key, value: String(value) }));
}

/** A metric to log: `timestamp` defaults to now (ms), `step` to 0. NaN and ±Infinity are allowed. */
export interface MetricInput {
  key: string;
  value: number;
  timestamp?: number;
  step?: number;
}

/** A number as protobuf JSON carries a double: NaN and ±Infinity as strings. */
export function wireDouble(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}

export interface PageOptions {
  /** Page size sent to the server (for the all-pages helpers `iterate`/`searchAll`: the total to return). */
  maxResults?: number;
  pageToken?: string;
  /** For the all-pages helpers: results asked per request (default 1000; 10000 for model versions). */
  pageSize?: number;
}

export interface ExperimentSearchOptions extends PageOptions {
  filter?: string;
  orderBy?: readonly string[];
  viewType?: ViewType;
}

export interface RunSearchOptions extends PageOptions {
  experimentIds: readonly string[];
  filter?: string;
  orderBy?: readonly string[];
  runViewType?: ViewType;
}

export interface RegistrySearchOptions extends PageOptions {
  filter?: string;
  orderBy?: readonly string[];
}

export interface RunCreateOptions {
  experimentId: string;
  runName?: string;
  startTime?: number;
  userId?: string;
  tags?: TagsInput;
}

export interface RunUpdateOptions {
  status?: RunStatus;
  endTime?: number;
  runName?: string;
}

/** What the server offers beyond MLflow's REST API (from `GET /version`). */
export interface ServerCapabilities {
  /** The MLflow version the server speaks (`/version`'s plain answer). */
  mlflowVersion: string;
  /** Trackside's version when the server is Trackside, else undefined. */
  tracksideVersion?: string;
  /** Trackside extras under `/api/2.0/trackside/` (`events`, `sampled-history`, `runs-table`, `metric-summaries`, …). */
  extras: string[];
}

export interface SampledHistoryRequest {
  runIds: readonly string[];
  keys: readonly string[];
  startStep?: number;
  endStep?: number;
  /** About this many buckets per series over the step range (default 1000). */
  maxBuckets?: number;
}

export interface RunChildrenRequest {
  experimentId: string;
  /** The run whose children to list; absent: the top-level runs. */
  parentRunId?: string;
  /** With a filter, matching runs are listed flat. */
  filter?: string;
  /** The metric shown on each row (`key_metric`). */
  keyMetric?: string;
  viewType?: ViewType;
  /** Page size (default 200, at most 5000). */
  maxResults?: number;
  pageToken?: string;
}

export interface RunsTableRequest {
  experimentIds: readonly string[];
  filter?: string;
  viewType?: ViewType;
  orderBy?: readonly string[];
  maxResults?: number;
}

export type { RunsTable, RunsTableMetric, RunsTableRow } from '../../shared/runsTable';

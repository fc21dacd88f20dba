import type { MetricValue, RunStatus } from './entities';

/** One metric cell of the runs table: last value, min, max, count, step of the last value (null = unknown). */
export type RunsTableMetric = [last: MetricValue, min: number | null, max: number | null, count: number | null, step: number];

/** One run of the runs table (the shape of Trackside's `runs/table` extra, or built from `runs/search`). */
export interface RunsTableRow {
  run_id: string;
  run_name: string;
  experiment_id: string;
  status: RunStatus;
  start_time: number | null;
  end_time: number | null;
  user_id: string | null;
  lifecycle_stage: string;
  parent_run_id: string | null;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, RunsTableMetric>;
}

/** The runs table of one or more experiments: the columns seen, and the rows. */
export interface RunsTable {
  columns: { params: string[]; metrics: string[]; tags: string[] };
  runs: RunsTableRow[];
}

import type { MetricValue, RunStatus } from '../entities';
import type { ExportFile, ResponseMessage, RunAction } from './panelMessages';

export const RUNS_TABLE_VIEW_TYPE = 'trackside.runsTable';

/** What a runs table shows: one experiment, or a search across several. */
export interface RunsTableInput {
  experimentIds: string[];
  filter?: string;
}

/** One metric cell: last value, min, max, count (null when the server keeps only the last), step of the last. */
export type TableMetric = [last: MetricValue, min: number | null, max: number | null, count: number | null, step: number];

/** One run of the table (the shape of Trackside's `runs/table` extra). */
export interface TableRow {
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
  metrics: Record<string, TableMetric>;
}

export interface TableData {
  columns: { params: string[]; metrics: string[]; tags: string[] };
  runs: TableRow[];
}

export type SortDirection = 'asc' | 'desc';

export interface SortState {
  column: string;
  direction: SortDirection;
}

/** Column choices kept per experiment (by the host, in workspace state). */
export interface ColumnLayout {
  /** Column ids shown (in order); absent: the default choice. */
  visible?: string[];
  /** Column ids pinned to the left. */
  pinned: string[];
  sort?: SortState;
  /** A `param:<key>` or `tag:<key>` column to group by. */
  groupBy?: string;
}

/** View state the webview keeps across reloads (`vscode.setState`). */
export interface RunsTableView {
  selected: string[];
  scrollTop: number;
  focusedRun?: string;
  collapsedGroups?: string[];
}

export interface FilterCheck {
  /** The message a search with this filter would fail with; absent when the filter is valid. */
  error?: string;
}

export type RunsTableToWebview =
  | {
      type: 'init';
      input: RunsTableInput;
      experiments: { id: string; name: string }[];
      layout?: ColumnLayout;
      /** False against plain MLflow: metric min/max/count are unknown. */
      hasSummaries: boolean;
    }
  /**
   * The table (after init, a filter, or a live change while runs are RUNNING). `partial`: only the
   * first runs (in the table's sort order where the server can sort by that column); the whole
   * table follows in another `table` message.
   */
  | { type: 'table'; data: TableData; filter: string; live: boolean; partial: boolean; loadedMs: number }
  | { type: 'loading'; filter: string }
  | { type: 'tableError'; filter: string; message: string }
  | ResponseMessage;

export type RunsTableFromWebview =
  | { type: 'ready' }
  /** Validate as you type (answers a FilterCheck). */
  | { type: 'checkFilter'; requestId: number; filter: string }
  /** Validate, then reload the table with this filter (answers a FilterCheck). */
  | { type: 'applyFilter'; requestId: number; filter: string }
  | { type: 'refresh' }
  | { type: 'saveLayout'; layout: ColumnLayout }
  | { type: 'runAction'; action: RunAction; runIds: string[] }
  /** Save an export where the person chooses (answers `{ saved?: string }`). */
  | ({ type: 'exportFile'; requestId: number } & ExportFile);

export interface RunsTableResults {
  checkFilter: FilterCheck;
  applyFilter: FilterCheck;
  exportFile: { saved?: string };
}

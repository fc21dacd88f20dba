import type { ExportFile, ResponseMessage, RunAction } from './panelMessages';

export const RUNS_TABLE_VIEW_TYPE = 'trackside.runsTable';

/** What a runs table shows: one experiment, or a search across several. */
export interface RunsTableInput {
  experimentIds: string[];
  filter?: string;
}

/** The table's data: the runs-table shapes shared with the client (`src/shared/runsTable.ts`). */
import type { RunsTable, RunsTableMetric, RunsTableRow } from '../runsTable';

export type TableMetric = RunsTableMetric;
export type TableRow = RunsTableRow;
export type TableData = RunsTable;

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

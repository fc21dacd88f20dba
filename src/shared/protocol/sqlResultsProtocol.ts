import type { ResponseMessage } from './panelMessages';

export const SQL_RESULTS_VIEW_TYPE = 'trackside.sqlResults';

/** What a results panel shows: the last query run from one editor (one panel per editor). */
export interface SqlResultsInput {
  /** The editor's document URI: running again from the same editor reuses its panel. */
  documentUri: string;
  /** The editor's name, for the panel title ("Untitled-1", "runs.sql"). */
  documentName: string;
  /** The query last run (run again when a restored panel has no result yet). */
  query: string;
}

/** A result cell: a number, text or NULL (blobs arrive as `[blob N bytes]`). */
export type SqlResultCell = number | string | null;

export interface SqlResultTable {
  columns: string[];
  rows: SqlResultCell[][];
  /** More rows matched than `maxRows`: only the first `maxRows` are here. */
  truncated: boolean;
  /** The row cap the query ran with. */
  maxRows: number;
  /** How long the server took (copy, views and query). */
  elapsedMs: number;
}

export type SqlResultsToWebview =
  /** After `ready`: what the panel is about (saved in the webview's state to restore it). */
  | { type: 'init'; input: SqlResultsInput }
  | { type: 'running'; query: string }
  | { type: 'result'; query: string; table: SqlResultTable; finishedAt: number }
  /** The query was refused or failed: the message is the server's sentence (a write refused, a syntax error, the time limit). */
  | { type: 'failed'; query: string; message: string; errorCode?: string }
  | ResponseMessage;

export type SqlResultsFromWebview =
  | { type: 'ready' }
  /** Run the same query again. */
  | { type: 'rerun' }
  /** Save the rows as CSV where the person chooses (answers `{ saved?: string }`). */
  | { type: 'exportCsv'; requestId: number };

export interface SqlResultsResults {
  exportCsv: { saved?: string };
}

/** View state the webview keeps across reloads. */
export interface SqlResultsView {
  scrollTop: number;
}

import type { RunStatus } from '../entities';
import type { ResponseMessage } from './panelMessages';

export const PIPELINE_VIEW_TYPE = 'trackside.pipeline';

/** One panel per script (the key is the absolute path). */
export interface PipelineInput {
  scriptPath: string;
}

/** Which cells a run executes: every code cell, one cell (in a fresh kernel), or every code cell up to one. */
export type PipelineCellSelection = 'all' | { only: number } | { upTo: number };

export type PipelineCellKind = 'code' | 'markdown' | 'raw';

/** A cell as the panel draws it (indices and 1-based file lines are those of the script). */
export interface PipelineCellView {
  index: number;
  kind: PipelineCellKind;
  title: string;
  /** Code as written; markdown and raw without the `# ` comment prefix. */
  source: string;
  /** File line of the first line of `source`. */
  sourceStartLine: number;
  /** File line of the `# %%` marker (absent for code before the first marker). */
  markerLine?: number;
  isParameters: boolean;
}

/** How a parameter is edited: a checkbox for bools, a text field for the rest. */
export type ParameterFieldKind = 'checkbox' | 'number' | 'text' | 'literal';

/** One field of the parameters form. */
export interface ParameterField {
  name: string;
  /** The type the host validates against (`int`, `float`, `str`, `bool`, `list`, `dict`, `none`, `unknown`). */
  type: string;
  /** `None` is accepted as well. */
  nullable: boolean;
  /** The annotation as written, when there is one. */
  typeName?: string;
  field: ParameterFieldKind;
  /** The default as the form shows it (a str without its quotes, a bool as True/False, else the Python source). */
  defaultText: string;
  help?: string;
  /** File line of the assignment. */
  line: number;
}

/** The script as the panel shows it before anything runs. */
export interface PipelineDocument {
  scriptPath: string;
  fileName: string;
  /** The editor holds changes that are not saved (they are what runs). */
  dirty: boolean;
  cells: PipelineCellView[];
  parameters: ParameterField[];
  parametersCell?: number;
  /** Set when the file could not be read. */
  error?: string;
}

/** Where a cell stands in the current (or last) run. */
export type CellRunStatus = 'queued' | 'running' | 'ok' | 'error' | 'interrupted' | 'skipped';

export interface CellErrorView {
  ename: string;
  evalue: string;
  traceback: string[];
  /** File line where it failed; null when the error has none in the script. */
  line: number | null;
}

export type OutputStream = 'stdout' | 'stderr';

/** A cell's output as the panel keeps it: the last characters only (the host keeps all of it). */
export interface OutputText {
  parts: { name: OutputStream; text: string }[];
  /** Characters dropped from the front to stay within the limit. */
  dropped: number;
  /** A carriage return waits: the next text replaces the current line. */
  pendingReturn: boolean;
}

export interface CellRunView {
  cell: number;
  injected: boolean;
  title: string;
  /** The injected parameters' code (`# Parameters` then `name = value` lines); absent for the script's cells. */
  code?: string;
  status: CellRunStatus;
  /** Host clock when the cell started (ms since the epoch). */
  startedAt?: number;
  durationMs?: number;
  output: OutputText;
  error?: CellErrorView;
  dataframes: { name: string; rows: number; columns: number | null }[];
}

export type PipelineRunPhase = 'starting' | 'running' | 'FINISHED' | 'FAILED' | 'KILLED';

/** The current or last run of this panel. */
export interface PipelineRunView {
  selection: PipelineCellSelection;
  phase: PipelineRunPhase;
  /** Host clock (ms since the epoch). */
  startedAt: number;
  runId?: string;
  runName?: string;
  /** Steps in order; the injected parameters are cell -1. */
  cells: CellRunView[];
  /** The interpreter's version and path once the kernel is up. */
  python?: string;
  executable?: string;
  durationMs?: number;
  failedCell?: number;
  /** One line: the failing cell's error, or why the kernel did not start. */
  error?: string;
  /** The kernel never started (no interpreter, wrong version…): the panel offers the setting. */
  startFailed: boolean;
  stopping: boolean;
  warnings: string[];
}

/** What the engine reports during a run, as the panel receives it (output is batched). */
export type PipelineRunEvent =
  | { type: 'runCreated'; runId: string; runName: string; steps: { cell: number; injected: boolean; title: string }[] }
  | { type: 'kernelReady'; python: string; executable: string }
  | { type: 'cellStarted'; cell: number; at: number }
  | { type: 'output'; chunks: { cell: number | null; name: OutputStream; text: string }[] }
  | { type: 'cellFinished'; cell: number; status: 'ok' | 'error' | 'interrupted'; durationMs: number; error?: CellErrorView; dataframes: CellRunView['dataframes'] }
  | { type: 'warning'; message: string }
  | { type: 'stopping' }
  | { type: 'runFinished'; runId: string; status: 'FINISHED' | 'FAILED' | 'KILLED'; durationMs: number; failedCell?: number; error?: string; startFailed: boolean };

/** One earlier run of this script. */
export interface PipelineHistoryRun {
  runId: string;
  name: string;
  status: RunStatus;
  startTime: number | null;
  endTime: number | null;
  params: Record<string, string>;
  /** `trackside.failed_cell` or `trackside.stopped_cell`. */
  failedCell?: string;
  error?: string;
}

export interface PipelineHistory {
  runs: PipelineHistoryRun[];
  error?: string;
}

/** The answer to `run`: started, or the fields that need fixing (name → message) / why not. */
export interface PipelineRunAnswer {
  started: boolean;
  errors: Record<string, string>;
  message?: string;
}

/** View state kept across reloads: the form's text. */
export interface PipelineView {
  values: Record<string, string>;
}

export type PipelineToWebview =
  | { type: 'init'; input: PipelineInput; document: PipelineDocument; run?: PipelineRunView; history: PipelineHistory; hostNow: number }
  | { type: 'document'; document: PipelineDocument }
  | { type: 'runStarted'; run: PipelineRunView; hostNow: number }
  | { type: 'runEvent'; event: PipelineRunEvent }
  | { type: 'history'; history: PipelineHistory }
  /** Ask the form to run with its values (from a CodeLens or the editor's title bar). */
  | { type: 'runRequested'; selection: PipelineCellSelection }
  | ResponseMessage;

export type PipelineFromWebview =
  | { type: 'ready' }
  /** Answers a `PipelineRunAnswer`. `values` are the form's text per parameter. */
  | { type: 'run'; requestId: number; selection: PipelineCellSelection; values: Record<string, string> }
  /** Checks one field (answers `{ error?: string }`). */
  | { type: 'validate'; requestId: number; name: string; text: string }
  | { type: 'stop' }
  | { type: 'openRun'; runId: string }
  | { type: 'openCharts'; runId: string }
  | { type: 'openSettings' }
  /** Shows a line of the script in the editor. */
  | { type: 'revealLine'; line: number }
  /** Opens a cell's whole output (or the whole run's when `cell` is null) in an editor. */
  | { type: 'showFullOutput'; cell: number | null }
  | { type: 'refreshHistory' };

export interface PipelineResults {
  run: PipelineRunAnswer;
  validate: { error?: string };
}

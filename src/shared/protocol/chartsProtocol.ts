import type { RunStatus } from '../entities';
import type { PackedSeries } from '../charts/packedSeries';
import type { ExportFile, ResponseMessage } from './panelMessages';

export const CHARTS_VIEW_TYPE = 'trackside.charts';

export interface ChartsInput {
  runIds: string[];
  /** Metric keys to show first; absent: the first few the runs have. */
  keys?: string[];
}

export interface ChartRun {
  runId: string;
  name: string;
  experimentId: string;
  status: RunStatus;
  startTime: number | null;
}

export type XAxisKind = 'step' | 'wallTime' | 'relativeTime' | 'metric';

/** View state kept across reloads (`vscode.setState`). */
export interface ChartsView {
  keys: string[];
  xAxis: XAxisKind;
  /** The metric on the x-axis when `xAxis` is `metric`. */
  xMetric?: string;
  logY: boolean;
  /** TensorBoard's smoothing weight, 0–0.99. */
  smoothing: number;
  hiddenRuns: string[];
  /** X-axis range zoomed into, per chart key (cleared when the x-axis changes). */
  zoom: Record<string, [number, number]>;
  /** Keys whose chart is expanded to the full width. */
  wide: string[];
}

export interface SeriesRequest {
  runIds: string[];
  keys: string[];
  maxBuckets: number;
  startStep?: number;
  endStep?: number;
}

export type ChartsToWebview =
  | { type: 'init'; input: ChartsInput; runs: ChartRun[]; keys: string[] }
  /** Metrics were logged for these runs and keys (the webview fetches what it shows). */
  | { type: 'seriesChanged'; runs: Record<string, string[]> }
  /** Run names or statuses changed. */
  | { type: 'runsChanged'; runs: ChartRun[]; keys: string[] }
  | ResponseMessage;

export type ChartsFromWebview =
  | { type: 'ready' }
  /** Downsampled series (answers `PackedSeries[]`). */
  | ({ type: 'loadSeries'; requestId: number } & SeriesRequest)
  /** The full-resolution points of these series as CSV, saved where the person chooses (answers `{ saved?: string }`). */
  | { type: 'exportCsv'; requestId: number; runIds: string[]; keys: string[]; startStep?: number; endStep?: number }
  /** A rendered chart (PNG) to save (answers `{ saved?: string }`). */
  | ({ type: 'exportFile'; requestId: number } & ExportFile)
  | { type: 'openRun'; runId: string };

export interface ChartsResults {
  loadSeries: PackedSeries[];
  exportCsv: { saved?: string };
  exportFile: { saved?: string };
}

import type { RunStatus } from '../entities';
import type { ResponseMessage } from './panelMessages';

export const MONITOR_VIEW_TYPE = 'trackside.monitor';

/** One panel per registered model (all its versions); `version` is the one to highlight. */
export interface MonitorInput {
  name: string;
  version?: string;
}

/** One performance check: a run tagged with the model version, one value per `perf.*` metric. */
export interface MonitorCheck {
  runId: string;
  runName: string;
  experimentId: string;
  version: string;
  /** When the check ran (the run's start time, ms since the epoch). */
  time: number;
  status: RunStatus;
  /** `perf.*` key → value (NaN kept as NaN). */
  metrics: Record<string, number>;
}

/** A version of the model as the legend names it. */
export interface MonitorVersion {
  version: string;
  /** `None`, `Staging`, `Production`, `Archived`; absent when the version is gone from the registry. */
  stage?: string;
  aliases: string[];
}

export interface MonitorData {
  name: string;
  /** Every check of the model, oldest first. */
  checks: MonitorCheck[];
  /** The versions that have checks, in version order, with their stage and aliases. */
  versions: MonitorVersion[];
  /** The quality metrics charted, one chart each (`perf.accuracy`, … or `perf.rmse`, …). */
  keys: string[];
  /** Set when the registry could not be read (the checks still show). */
  registryError?: string;
}

/** View state kept across reloads (`vscode.setState`). */
export interface MonitorView {
  /** Versions switched off in the legend. */
  hidden: string[];
  /** The version drawn emphasised (also the table's filter when `onlyHighlighted`). */
  highlight?: string;
  onlyHighlighted?: boolean;
}

export type MonitorToWebview =
  | { type: 'init'; input: MonitorInput; data: MonitorData }
  /** New data (a check landed, a run changed, an alias moved). */
  | { type: 'data'; data: MonitorData }
  /** The command was run again for another version of the same model. */
  | { type: 'highlight'; version?: string }
  | { type: 'failed'; message: string }
  | ResponseMessage;

export type MonitorFromWebview =
  | { type: 'ready' }
  | { type: 'openRun'; runId: string }
  /** Runs "Check Model Performance…" for this model (the highlighted version, if any). */
  | { type: 'checkPerformance'; version?: string }
  | { type: 'refresh' };

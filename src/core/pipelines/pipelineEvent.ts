import type { KernelPackages, CellError, CellStatus, DataFrameSummary, StreamName } from './kernelProtocol';
import type { RunEndStatus } from './pipelineTracking';

/** A step as announced when the run starts (the injected parameters are cell -1). */
export interface PlannedStep {
  cell: number;
  injected: boolean;
  title: string;
}

/**
 * What a pipeline run reports as it goes, in this order: runCreated, kernelReady, then per step
 * cellStarted, stream*, cellFinished, and last runFinished (always sent, whatever happened).
 * `warning` may come at any time (a tracking call that failed, an override the cell does not declare).
 */
export type PipelineEvent =
  | { type: 'runCreated'; runId: string; runName: string; scriptPath: string; steps: PlannedStep[] }
  | { type: 'kernelReady'; python: string; executable: string; packages: KernelPackages; autolog: string }
  | { type: 'cellStarted'; cell: number; injected: boolean; title: string }
  /** `cell` is null for output written between cells (by a background thread, say). */
  | { type: 'stream'; cell: number | null; name: StreamName; text: string }
  | {
      type: 'cellFinished';
      cell: number;
      injected: boolean;
      status: CellStatus;
      durationMs: number;
      error?: CellError;
      dataframes: DataFrameSummary[];
    }
  | { type: 'warning'; message: string }
  | {
      type: 'runFinished';
      runId: string;
      status: RunEndStatus;
      durationMs: number;
      /** The cell that failed or was running when the run was stopped. */
      failedCell?: number;
      /** One line: the cell's error (`ValueError: bad (line 22)`) or why the kernel did not start. */
      error?: string;
    };

import type { MetricValue, RunStatus } from '../entities';
import type { ResponseMessage, RunAction } from './panelMessages';

export const COMPARE_VIEW_TYPE = 'trackside.compare';

export interface CompareInput {
  runIds: string[];
}

export interface CompareMetric {
  last: MetricValue;
  min?: number;
  max?: number;
  count?: number;
  step: number;
}

export interface CompareRun {
  runId: string;
  name: string;
  experimentId: string;
  status: RunStatus;
  startTime: number | null;
  endTime: number | null;
  userId: string | null;
  params: Record<string, string>;
  metrics: Record<string, CompareMetric>;
  tags: Record<string, string>;
}

/** View state kept across reloads. */
export interface CompareView {
  /** Axes of the parallel-coordinates chart (`param:<k>` / `metric:<k>`). */
  axes?: string[];
  colorBy?: string;
  scatterX?: string;
  scatterY?: string;
  onlyDifferences: boolean;
}

export type CompareToWebview =
  | { type: 'init'; input: CompareInput; runs: CompareRun[]; missing: string[] }
  | { type: 'runs'; runs: CompareRun[] }
  | ResponseMessage;

export type CompareFromWebview =
  | { type: 'ready' }
  | { type: 'runAction'; action: RunAction; runIds: string[] };

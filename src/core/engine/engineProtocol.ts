/** Messages between a host thread and the engine worker (`src/engine.ts`). */

export interface EngineWorkerData {
  /** Store folder to open. */
  folder: string;
  /** Shown to other windows that find the lock ('vscode', 'cli'). */
  owner: string;
  /** Serve the MLflow REST API on 127.0.0.1 (port 0 = any free port). */
  server?: { port: number; token?: string };
}

export type EngineService = 'tracking';

export type EngineRequest =
  | { id: number; kind: 'call'; service: EngineService; method: string; args: unknown[] }
  | { id: number; kind: 'checkpoint' }
  | { id: number; kind: 'close' };

export interface EngineErrorPayload {
  name: string;
  message: string;
  /** MLflow error code when the store refused the call. */
  code?: string;
}

export type EngineResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: EngineErrorPayload };

export type EngineEvent =
  | { kind: 'ready'; folder: string; port?: number; tokenFile?: string }
  /** Another live engine owns the folder: connect to it instead. */
  | { kind: 'locked'; pid: number; owner: string; port?: number; tokenFile?: string }
  | { kind: 'failed'; message: string; corrupt: boolean }
  | { kind: 'log'; level: 'info' | 'warn' | 'error'; message: string };

export type EngineMessage = EngineResponse | EngineEvent;

/** Store methods a host may call through the worker (reads and writes; writes are acknowledged durable). */
export const TRACKING_METHODS = [
  'createExperiment', 'getExperiment', 'getExperimentByName', 'searchExperiments', 'updateExperiment', 'deleteExperiment',
  'restoreExperiment', 'setExperimentTag', 'createRun', 'getRun', 'updateRun', 'deleteRun', 'restoreRun', 'logMetric',
  'logParam', 'setTag', 'deleteTag', 'logBatch', 'logInputs', 'searchRuns', 'gc',
] as const;

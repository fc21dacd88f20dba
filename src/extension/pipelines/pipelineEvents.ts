import type { PipelineEvent } from '../../core/pipelines/pipelineEvent';
import { assertNever } from '../../shared/assertNever';
import type { PipelineRunEvent } from '../../shared/protocol/pipelineProtocol';

/**
 * The engine's event as the pipeline panel's (no `vscode` here). Output (`stream`) is batched by
 * the panel, so it maps to undefined here. `kernelReady` says whether the kernel started: a run that
 * failed before it did is a start failure (the panel offers the interpreter setting). `at` is now.
 */
export function panelRunEvent(event: PipelineEvent, kernelReady: boolean, at: number): PipelineRunEvent | undefined {
  switch (event.type) {
    case 'stream':
      return undefined;
    case 'runCreated':
      return { type: 'runCreated', runId: event.runId, runName: event.runName, steps: event.steps };
    case 'kernelReady':
      return { type: 'kernelReady', python: event.python, executable: event.executable };
    case 'cellStarted':
      return { type: 'cellStarted', cell: event.cell, at };
    case 'cellFinished':
      return {
        type: 'cellFinished',
        cell: event.cell,
        status: event.status,
        durationMs: event.durationMs,
        dataframes: event.dataframes,
        ...(event.error ? { error: event.error } : {}),
      };
    case 'warning':
      return { type: 'warning', message: event.message };
    case 'runFinished':
      return {
        type: 'runFinished',
        runId: event.runId,
        status: event.status,
        durationMs: event.durationMs,
        startFailed: event.status === 'FAILED' && !kernelReady,
        ...(event.failedCell !== undefined ? { failedCell: event.failedCell } : {}),
        ...(event.error !== undefined ? { error: event.error } : {}),
      };
    default:
      return assertNever(event, 'pipeline event');
  }
}

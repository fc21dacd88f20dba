import fs from 'node:fs';
import path from 'node:path';
import type { TrackingClient } from '../client/trackingClient';
import { ClientPipelineTracking } from '../pipelines/clientPipelineTracking';
import { coerceParameterInput, type PipelineParameter } from '../pipelines/parametersCell';
import { parsePipeline } from '../pipelines/parsePipeline';
import type { PipelineEvent } from '../pipelines/pipelineEvent';
import { runPipeline, type PipelineRunResult, type RunPipelineOptions } from '../pipelines/pipelineRunner';
import type { AlertRule } from './alertRules';
import { describeTriggeredBy, triggeredByTag } from './alertMonitor';
import type { Firing, TriggerBook } from './triggerBook';

export interface TriggerLaunch {
  client: TrackingClient;
  /** Pipelines in rules are relative to this folder. */
  workspaceFolder: string;
  interpreter: string;
  /** Folder holding the `trackside_kernel` package. */
  bundledPythonPath: string;
  /** The kernel's environment over `process.env` (`MLFLOW_TRACKING_URI`, `MLFLOW_TRACKING_TOKEN`). */
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  onEvent?: (event: PipelineEvent) => void;
  now?: () => number;
  /** The pipeline runner (tests may wrap it); `runPipeline` unless told. */
  run?: (options: RunPipelineOptions) => Promise<PipelineRunResult>;
}

export interface TriggerOutcome {
  firingId: string;
  status: 'succeeded' | 'failed';
  /** The run the pipeline logged, when it got that far. */
  pipelineRunId?: string;
  /** Why it failed: the pipeline's error, or why it could not start. */
  error?: string;
  /** The `trackside.triggered_by` tag the run carries. */
  triggeredBy: string;
}

/**
 * Runs the pipeline a firing (of a metric alert or a scheduled run) asked for, once: reads the script, turns the rule's parameter texts
 * into values of the parameters cell's types, runs it with `trackside.triggered_by` on the run from
 * its creation, and keeps the book current (`markStarted` when the run exists, `markFinished` at
 * the end). A failure is recorded and returned, never retried; the caller reports it.
 */
export async function runTrigger(book: TriggerBook, rule: AlertRule, firing: Firing, launch: TriggerLaunch): Promise<TriggerOutcome> {
  const now = launch.now ?? Date.now;
  const trigger = firing.trigger;
  if (trigger === undefined || trigger.status !== 'pending') {
    throw new Error(`Firing ${firing.id} has no pending pipeline run to start`);
  }
  const triggeredBy = describeTriggeredBy(rule, firing);
  const fail = (error: string, pipelineRunId?: string): TriggerOutcome => {
    const current = book.find(firing.id)?.trigger;
    if (current !== undefined && (current.status === 'pending' || current.status === 'running')) {
      book.markFinished(firing.id, 'failed', now(), error);
    }
    return { firingId: firing.id, status: 'failed', error, triggeredBy, ...(pipelineRunId ? { pipelineRunId } : {}) };
  };
  const scriptPath = path.resolve(launch.workspaceFolder, trigger.pipeline);
  let text: string;
  try {
    text = await fs.promises.readFile(scriptPath, 'utf8');
  } catch (error) {
    return fail(`Cannot read the pipeline ${trigger.pipeline} (${scriptPath}): ${(error as Error).message}`);
  }
  const parameters = pipelineParameters(text, trigger.parameters);
  if ('error' in parameters) {
    return fail(`${trigger.pipeline}: ${parameters.error}`);
  }
  let pipelineRunId: string | undefined;
  try {
    const result = await (launch.run ?? runPipeline)({
      scriptPath,
      text,
      parameters: parameters.values,
      tracking: new ClientPipelineTracking(launch.client, { [triggeredByTag]: triggeredBy }),
      interpreter: launch.interpreter,
      bundledPythonPath: launch.bundledPythonPath,
      env: launch.env,
      signal: launch.signal,
      runName: `${path.basename(scriptPath)} (${firing.observation === undefined ? 'schedule' : 'alert'} ${rule.id})`,
      onEvent: (event) => {
        if (event.type === 'runCreated') {
          pipelineRunId = event.runId;
          book.markStarted(firing.id, event.runId, now());
        }
        launch.onEvent?.(event);
      },
    });
    if (result.status !== 'FINISHED') {
      return fail(`${trigger.pipeline} ended ${result.status}${result.error ? `: ${result.error}` : ''}`, result.runId);
    }
    book.markFinished(firing.id, 'succeeded', now());
    return { firingId: firing.id, status: 'succeeded', pipelineRunId: result.runId, triggeredBy };
  } catch (error) {
    return fail(`${trigger.pipeline} could not run: ${error instanceof Error ? error.message : String(error)}`, pipelineRunId);
  }
}

/**
 * The rule's parameter texts as values for the script's parameters cell (`"30"` for
 * `data_window: int = 7` is 30); a name the cell lacks takes a Python literal if the text is one.
 */
export function pipelineParameters(scriptText: string, texts: Readonly<Record<string, string>>): { values: Record<string, unknown> } | { error: string } {
  const declared = new Map(parsePipeline(scriptText).parameters.map((parameter) => [parameter.name, parameter]));
  const values: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const [name, text] of Object.entries(texts)) {
    const parameter: PipelineParameter = declared.get(name) ?? { name, defaultSource: '', inferredType: 'unknown', line: 0 };
    const coerced = coerceParameterInput(parameter, text);
    if ('error' in coerced) errors.push(coerced.error);
    else values[name] = coerced.value;
  }
  return errors.length > 0 ? { error: errors.join(' ') } : { values };
}

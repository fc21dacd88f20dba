import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CappedOutput } from './cappedOutput';
import { gitHeadCommit } from './gitHeadCommit';
import { PythonKernel, type CellResult } from './kernel';
import type { StreamName } from './kernelProtocol';
import { effectiveParameters, parsePipeline, planPipelineSteps, type CellSelection, type PipelineStep } from './parsePipeline';
import type { PipelineEvent } from './pipelineEvent';
import type { ExperimentReference, PipelineMetric, PipelineTracking, RunEndStatus } from './pipelineTracking';

export interface RunPipelineOptions {
  scriptPath: string;
  /** The script's text (e.g. unsaved editor content); read from `scriptPath` when omitted. */
  text?: string;
  /** Overrides of the parameters cell, injected papermill-style. */
  parameters?: Record<string, unknown>;
  /** Default 'all'. */
  cells?: CellSelection;
  tracking: PipelineTracking;
  /** Default `{ experimentName: 'Pipelines' }`. */
  experiment?: ExperimentReference;
  /** The Python interpreter (see findInterpreter). */
  interpreter: string;
  /** Folder holding the `trackside_kernel` package (`dist/python` when shipped). */
  bundledPythonPath: string;
  /** Kernel environment over `process.env`: `MLFLOW_TRACKING_URI`, `MLFLOW_TRACKING_TOKEN`…; the runner adds `MLFLOW_RUN_ID`. */
  env?: Record<string, string | undefined>;
  /** Aborting stops the running cell (interrupt, then SIGTERM/SIGKILL after `stopGraceMs`); the run ends KILLED. */
  signal?: AbortSignal;
  onEvent?: (event: PipelineEvent) => void;
  /** Default `<script file name> <local time>`. */
  runName?: string;
  /** Default: the login name. */
  user?: string;
  /** Bytes of stdout, and of stderr, kept for the artifacts (default 50 MB each). */
  outputCapBytes?: number;
  /** Default 3000 ms. */
  stopGraceMs?: number;
  readyTimeoutMs?: number;
  /** Call `mlflow.autolog()` in the kernel when mlflow is importable (default true). */
  autolog?: boolean;
}

export interface PipelineRunResult {
  runId: string;
  status: RunEndStatus;
  /** The results of the steps that ran, in order (the injected parameters as cell -1). */
  cells: CellResult[];
  failedCell?: number;
  error?: string;
  /** Tracking calls that failed after the run was created (the run went on). */
  warnings: string[];
  durationMs: number;
}

export const DEFAULT_EXPERIMENT_NAME = 'Pipelines';
const DEFAULT_OUTPUT_CAP = 50 * 1024 * 1024;
const TAG_VALUE_LIMIT = 5000;

function localTime(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

function loginName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

function errorLine(result: CellResult): string {
  const error = result.error;
  if (!error) return `The cell ended with status ${result.status}.`;
  const line = error.line !== null ? ` (line ${error.line})` : '';
  return `${error.ename}: ${error.evalue}`.split('\n')[0] + line;
}

/** Runs a percent-format pipeline in a fresh kernel and records it as one MLflow run. */
export async function runPipeline(options: RunPipelineOptions): Promise<PipelineRunResult> {
  const startedAt = Date.now();
  const scriptPath = path.resolve(options.scriptPath);
  const scriptName = path.basename(scriptPath);
  const text = options.text ?? (await fs.promises.readFile(scriptPath, 'utf8'));
  const overrides = options.parameters ?? {};
  const parsed = parsePipeline(text);
  const steps = planPipelineSteps(parsed, options.cells ?? 'all', overrides);
  const emit = (event: PipelineEvent): void => options.onEvent?.(event);
  const warnings: string[] = [];
  const warn = (message: string): void => {
    warnings.push(message);
    emit({ type: 'warning', message });
  };
  const declared = new Set(parsed.parameters.map((parameter) => parameter.name));
  for (const name of Object.keys(overrides)) {
    if (!declared.has(name) && overrides[name] !== undefined) {
      warn(`Parameter '${name}' is not in the parameters cell; it is injected anyway.`);
    }
  }

  const commit = await gitHeadCommit(path.dirname(scriptPath));
  const runName = options.runName ?? `${scriptName} ${localTime(new Date(startedAt))}`;
  const tags: Record<string, string> = {
    'mlflow.runName': runName,
    'mlflow.source.name': scriptPath,
    'mlflow.source.type': 'LOCAL',
    'mlflow.user': options.user ?? loginName(),
    'trackside.pipeline': scriptName,
  };
  if (commit) tags['mlflow.source.git.commit'] = commit;
  const tracking = options.tracking;
  const runId = await tracking.createRun({
    experiment: options.experiment ?? { experimentName: DEFAULT_EXPERIMENT_NAME },
    runName,
    tags,
    startTime: startedAt,
  });
  emit({ type: 'runCreated', runId, runName, scriptPath, steps: steps.map(({ cell, injected, title }) => ({ cell, injected, title })) });

  const safely = async (what: string, call: () => Promise<void>): Promise<void> => {
    try {
      await call();
    } catch (error) {
      warn(`Could not ${what} for run ${runId}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const params = effectiveParameters(parsed, steps, overrides);
  if (Object.keys(params).length > 0) await safely('log the parameters', () => tracking.logBatch(runId, { params }));

  const capBytes = options.outputCapBytes ?? DEFAULT_OUTPUT_CAP;
  const outputs: Record<StreamName, CappedOutput> = { stdout: new CappedOutput(capBytes), stderr: new CappedOutput(capBytes) };
  const onStream = (cell: number | null, name: StreamName, text: string): void => {
    outputs[name].append(text);
    emit({ type: 'stream', cell, name, text });
  };

  const results: CellResult[] = [];
  let status: RunEndStatus = 'FINISHED';
  let failedStep: PipelineStep | undefined;
  let error: string | undefined;
  let kernel: PythonKernel | undefined;
  let stopping: Promise<unknown> | undefined;
  const stopKernel = (): Promise<unknown> => {
    stopping ??= kernel ? kernel.stop({ graceMs: options.stopGraceMs ?? 3000 }) : Promise.resolve();
    return stopping;
  };
  const onAbort = (): void => {
    if (kernel) void stopKernel();
  };
  options.signal?.addEventListener('abort', onAbort);
  try {
    if (!options.signal?.aborted) {
      try {
        kernel = await PythonKernel.start({
          interpreter: options.interpreter,
          bundledPythonPath: options.bundledPythonPath,
          cwd: path.dirname(scriptPath),
          env: { ...options.env, MLFLOW_RUN_ID: runId },
          readyTimeoutMs: options.readyTimeoutMs,
          autolog: options.autolog,
          onOutput: (event) => onStream(event.cell, event.name, event.text),
          onLog: (message) => warn(`Kernel: ${message}`),
        });
        const info = kernel.info;
        emit({ type: 'kernelReady', python: info.python, executable: info.executable, packages: info.packages, autolog: info.autolog });
      } catch (startError) {
        status = 'FAILED';
        error = startError instanceof Error ? startError.message : String(startError);
      }
    }
    if (options.signal?.aborted) {
      status = 'KILLED';
    }
    if (kernel && status === 'FINISHED') {
      ({ status, failedStep, error } = await runSteps(kernel, steps, {
        scriptPath,
        signal: options.signal,
        emit,
        onStream,
        results,
        logMetrics: (step, result) => safely(`log the metrics of cell ${step.cell}`, () => tracking.logBatch(runId, { metrics: cellMetrics(step, result) })),
      }));
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await stopKernel();
  }

  await safely('upload pipeline/stdout.txt', () => tracking.uploadArtifact(runId, 'pipeline/stdout.txt', outputs.stdout.toBytes()));
  await safely('upload pipeline/stderr.txt', () => tracking.uploadArtifact(runId, 'pipeline/stderr.txt', outputs.stderr.toBytes()));
  await safely(`upload pipeline/${scriptName}`, () => tracking.uploadArtifact(runId, `pipeline/${scriptName}`, Buffer.from(text, 'utf8')));
  const endTags: Record<string, string> = {};
  if (failedStep) {
    const label = failedStep.injected ? 'injected parameters' : `${failedStep.cell}${failedStep.title ? `: ${failedStep.title}` : ''}`;
    endTags[status === 'KILLED' ? 'trackside.stopped_cell' : 'trackside.failed_cell'] = label;
  }
  if (error && status === 'FAILED') endTags['trackside.error'] = error.slice(0, TAG_VALUE_LIMIT);
  if (Object.keys(endTags).length > 0) await safely('tag the outcome', () => tracking.setTags(runId, endTags));
  const endTime = Date.now();
  await safely('end the run', () => tracking.endRun(runId, status, endTime));
  const durationMs = endTime - startedAt;
  emit({
    type: 'runFinished',
    runId,
    status,
    durationMs,
    ...(failedStep ? { failedCell: failedStep.cell } : {}),
    ...(error ? { error } : {}),
  });
  return {
    runId,
    status,
    cells: results,
    ...(failedStep ? { failedCell: failedStep.cell } : {}),
    ...(error ? { error } : {}),
    warnings,
    durationMs,
  };
}

interface StepContext {
  scriptPath: string;
  signal?: AbortSignal;
  emit: (event: PipelineEvent) => void;
  onStream: (cell: number, name: StreamName, text: string) => void;
  /** Receives each step's result. */
  results: CellResult[];
  logMetrics: (step: PipelineStep, result: CellResult) => Promise<void>;
}

interface StepsOutcome {
  status: RunEndStatus;
  failedStep?: PipelineStep;
  error?: string;
}

/** Runs the steps in order, stopping at the first that does not end ok or when the signal aborts. */
async function runSteps(kernel: PythonKernel, steps: PipelineStep[], context: StepContext): Promise<StepsOutcome> {
  for (const step of steps) {
    if (context.signal?.aborted) return { status: 'KILLED' };
    context.emit({ type: 'cellStarted', cell: step.cell, injected: step.injected, title: step.title });
    let result: CellResult;
    try {
      result = await kernel.execute(
        { cell: step.cell, code: step.code, filename: step.injected ? '<injected parameters>' : context.scriptPath, firstLine: step.firstLine },
        { onStream: (name, text) => context.onStream(step.cell, name, text) },
      );
    } catch (executeError) {
      // The kernel was already gone (stopped between two cells).
      const error = executeError instanceof Error ? executeError.message : String(executeError);
      return { status: context.signal?.aborted ? 'KILLED' : 'FAILED', failedStep: step, error };
    }
    context.results.push(result);
    context.emit({
      type: 'cellFinished',
      cell: step.cell,
      injected: step.injected,
      status: result.status,
      durationMs: result.durationMs,
      dataframes: result.dataframes,
      ...(result.error ? { error: result.error } : {}),
    });
    if (!step.injected) await context.logMetrics(step, result);
    if (result.status !== 'ok') {
      const status = result.status === 'interrupted' || context.signal?.aborted ? 'KILLED' : 'FAILED';
      return { status, failedStep: step, error: errorLine(result) };
    }
  }
  return { status: 'FINISHED' };
}

/** `cell.<i>.duration_s`, `cell.<i>.status` (1 ok, 0 otherwise) and `rows.<name>` at step <i>. */
function cellMetrics(step: PipelineStep, result: CellResult): PipelineMetric[] {
  const timestamp = Date.now();
  const metrics: PipelineMetric[] = [
    { key: `cell.${step.cell}.duration_s`, value: result.durationMs / 1000, timestamp, step: 0 },
    { key: `cell.${step.cell}.status`, value: result.status === 'ok' ? 1 : 0, timestamp, step: 0 },
  ];
  for (const frame of result.dataframes) {
    metrics.push({ key: `rows.${frame.name}`, value: frame.rows, timestamp, step: step.cell });
  }
  return metrics;
}

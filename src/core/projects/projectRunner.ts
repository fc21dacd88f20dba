import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TrackingClient } from '../client/trackingClient';
import { CappedOutput } from '../pipelines/cappedOutput';
import { gitHeadCommit } from '../pipelines/gitHeadCommit';
import type { RunEndStatus } from '../pipelines/pipelineTracking';
import { getEntryPoint, resolveEntryPointParameters } from './mlproject';
import { MLprojectError } from './mlprojectError';
import { commandArgv, renderCommand } from './projectCommand';
import { absolutePathValues, PARAMETERS_TAG } from './projectParameters';
import { ProjectProcess, signalNumber, type ProcessExit } from './projectProcess';
import { installInterpreterShims, resolveExecutable, withInterpreter } from './interpreterShims';
import { loadProject } from './projectSource';

/** Where a chunk of output came from: the command's stdout or stderr, or Trackside's own lines. */
export type ProjectOutputStream = 'stdout' | 'stderr' | 'trackside';

export interface RunProjectOptions {
  /** A folder with an MLproject file (or without one, to run one of its scripts), or a lone .py / .sh script. */
  projectDir: string;
  /** An entry point of the MLproject, or a script in the folder such as `train.py`. Default `main`. */
  entryPoint?: string;
  /** Values by parameter name; unknown names and badly typed values are refused before anything runs. */
  parameters?: Record<string, string>;
  /** Relative `path` values are resolved against this folder (default: the project folder). */
  parametersBaseDir?: string;
  /** The experiment, by name (created when missing) or id; default MLFLOW_EXPERIMENT_NAME / _ID of `env`, else '0'. */
  experimentName?: string;
  experimentId?: string;
  runName?: string;
  /** More tags for the run (Trackside's own tags win on a clash). */
  tags?: Record<string, string>;
  client: TrackingClient;
  /** The Python interpreter `python` means in the command (see findInterpreter). */
  interpreter: string;
  /** The command's environment before Trackside's variables (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Folder holding the bundled `trackside` module, put first on PYTHONPATH (`dist/python` when shipped). */
  bundledPythonPath?: string;
  onOutput?: (chunk: string, stream: ProjectOutputStream) => void;
  /** Called once the run exists, before the command starts. */
  onRunCreated?: (run: { runId: string; experimentId: string; command: string }) => void;
  /** Aborting stops the command (SIGINT, then SIGTERM/SIGKILL after `stopGraceMs`); the run ends KILLED. */
  signal?: AbortSignal;
  /** Default: the login name. */
  user?: string;
  /** Bytes of output kept for `project/output.txt` (default 10 MB). */
  outputCapBytes?: number;
  /** Default 3000 ms. */
  stopGraceMs?: number;
}

export interface ProjectRunResult {
  runId: string;
  status: RunEndStatus;
  /** The command's exit code; for a command ended by a signal, 128 + its number; null when it never started. */
  exitCode: number | null;
  /** The signal that ended the command, if one did. */
  exitSignal?: string;
  /** The command as run (shell form). */
  command: string;
  /** Tracking calls that failed after the run was created (the run went on). */
  warnings: string[];
  durationMs: number;
}

export const OUTPUT_ARTIFACT = 'project/output.txt';
const DEFAULT_OUTPUT_CAP = 10 * 1024 * 1024;
const TAG_VALUE_LIMIT = 5000;

function loginName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

async function experimentFor(options: RunProjectOptions, env: NodeJS.ProcessEnv): Promise<string> {
  const client = options.client;
  if (options.experimentId) return options.experimentId;
  const name = options.experimentName ?? (env.MLFLOW_EXPERIMENT_NAME?.trim() || undefined);
  if (name !== undefined) {
    const existing = await client.experiments.getByName(name);
    if (existing) return existing.experiment_id;
    try {
      return await client.experiments.create(name);
    } catch (error) {
      const raced = await client.experiments.getByName(name); // created by someone else meanwhile
      if (raced) return raced.experiment_id;
      throw error;
    }
  }
  return env.MLFLOW_EXPERIMENT_ID?.trim() || '0';
}

function prependPath(folder: string, current: string | undefined): string {
  return current ? `${folder}${path.delimiter}${current}` : folder;
}

/**
 * Runs an MLflow project entry point as a tracked run, the way `mlflow run` does with the local
 * environment: the project is read and the parameters checked first (MLprojectError, nothing
 * created); then the run is created (tags `mlflow.source.*`, `mlflow.project.entryPoint`,
 * `mlflow.user`, the git commit), the parameters logged, and the command run in the project folder
 * with `MLFLOW_RUN_ID`, `MLFLOW_TRACKING_URI`, `MLFLOW_TRACKING_TOKEN` and `MLFLOW_EXPERIMENT_ID`
 * set, so its own mlflow / trackside calls log into the same run. The output is streamed and kept
 * as the artifact `project/output.txt`; the run ends FINISHED, FAILED (tag `trackside.exit_code`)
 * or KILLED (stopped through `signal`).
 */
export async function runProject(options: RunProjectOptions): Promise<ProjectRunResult> {
  const startedAt = Date.now();
  const baseEnv = options.env ?? process.env;
  const loaded = loadProject(options.projectDir);
  const entry = getEntryPoint(loaded.project, options.entryPoint ?? 'main');
  const given = absolutePathValues(entry, options.parameters ?? {}, options.parametersBaseDir ?? loaded.folder);
  const { params, extra } = resolveEntryPointParameters(entry, given, loaded.folder, { pathExists: (file) => fs.existsSync(file) });
  const command = renderCommand(entry, params, extra);
  const argv = commandArgv(entry, params, extra);
  if (options.signal?.aborted) throw new MLprojectError(`The run of entry point '${entry.name}' was stopped before it started.`);

  const output = new CappedOutput(options.outputCapBytes ?? DEFAULT_OUTPUT_CAP);
  const emit = (chunk: string, stream: ProjectOutputStream): void => {
    output.append(chunk);
    options.onOutput?.(chunk, stream);
  };
  const say = (line: string): void => emit(`${line}\n`, 'trackside');
  const warnings: string[] = [];
  for (const warning of loaded.project.warnings) say(`Warning: ${warning}`);
  const environmentNote =
    loaded.environmentRequest === undefined
      ? undefined
      : `The project asks for ${loaded.environmentRequest}; Trackside does not create environments: the command runs with ` +
        `the interpreter ${options.interpreter}, which must already have the project's packages.`;
  if (environmentNote) say(`Warning: ${environmentNote}`);

  const client = options.client;
  const experimentId = await experimentFor(options, baseEnv);
  const commit = await gitHeadCommit(loaded.folder);
  const tags: Record<string, string> = {
    ...options.tags,
    'mlflow.source.name': loaded.sourceName,
    'mlflow.source.type': 'PROJECT',
    'mlflow.project.entryPoint': entry.name,
    'mlflow.project.backend': 'local',
    'mlflow.project.env': 'local',
    'mlflow.user': options.user ?? loginName(),
  };
  if (options.runName) tags['mlflow.runName'] = options.runName;
  if (commit) tags['mlflow.source.git.commit'] = commit;
  const recorded = JSON.stringify({ ...params, ...extra });
  if (recorded.length <= TAG_VALUE_LIMIT) tags[PARAMETERS_TAG] = recorded;
  if (environmentNote) tags['trackside.project.environment_note'] = environmentNote.slice(0, TAG_VALUE_LIMIT);
  const run = await client.runs.create({ experimentId, runName: options.runName, startTime: startedAt, tags });
  const runId = run.info.run_id;

  const safely = async (what: string, call: () => Promise<unknown>): Promise<void> => {
    try {
      await call();
    } catch (error) {
      const message = `Could not ${what} for run ${runId}: ${error instanceof Error ? error.message : String(error)}`;
      warnings.push(message);
      say(`Warning: ${message}`);
    }
  };
  const allParams = { ...params, ...extra };
  if (Object.keys(allParams).length > 0) await safely('log the parameters', () => client.runs.logBatch(runId, { params: allParams }));
  options.onRunCreated?.({ runId, experimentId, command });
  say(`=== Running command '${command}' in run with ID '${runId}' ===`);

  const scratch = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'trackside-project-'));
  let exit: ProcessExit = { code: null, signal: null };
  let stopped = options.signal?.aborted ?? false;
  try {
    if (!stopped) {
      try {
        exit = await runCommand(options, { command, argv, folder: loaded.folder, scratch, runId, experimentId, baseEnv, emit, onStop: () => (stopped = true) });
      } catch (error) {
        exit = { code: null, signal: null, error: error instanceof Error ? error.message : String(error) };
      }
    }
    const exitCode = exit.code ?? (exit.signal ? 128 + (signalNumber(exit.signal) ?? 0) : null);
    const status: RunEndStatus = stopped ? 'KILLED' : exit.code === 0 ? 'FINISHED' : 'FAILED';
    if (exit.error) say(`Could not start the command: ${exit.error}`);
    if (status === 'FINISHED') say(`=== Run (ID '${runId}') succeeded ===`);
    else if (status === 'KILLED') say(`=== Run (ID '${runId}') was stopped ===`);
    else say(`=== Run (ID '${runId}') failed with exit code ${exitCode}${exit.signal ? ` (${exit.signal})` : ''} ===`);

    const outputFile = path.join(scratch, path.basename(OUTPUT_ARTIFACT));
    await fs.promises.writeFile(outputFile, output.toBytes());
    await safely(`upload ${OUTPUT_ARTIFACT}`, () => client.artifacts.upload(runId, outputFile, path.dirname(OUTPUT_ARTIFACT)));
    const endTags: Record<string, string> = {};
    if (exitCode !== null && status !== 'FINISHED') endTags['trackside.exit_code'] = String(exitCode);
    if (exit.signal) endTags['trackside.exit_signal'] = exit.signal;
    if (exit.error) endTags['trackside.error'] = exit.error.slice(0, TAG_VALUE_LIMIT);
    if (Object.keys(endTags).length > 0) await safely('tag the outcome', () => client.runs.logBatch(runId, { tags: endTags }));
    const endTime = Date.now();
    await safely('end the run', () => client.runs.update(runId, { status, endTime }));
    return {
      runId,
      status,
      exitCode,
      ...(exit.signal ? { exitSignal: exit.signal } : {}),
      command,
      warnings,
      durationMs: endTime - startedAt,
    };
  } finally {
    await fs.promises.rm(scratch, { recursive: true, force: true });
  }
}

interface CommandContext {
  command: string;
  argv: string[] | undefined;
  folder: string;
  scratch: string;
  runId: string;
  experimentId: string;
  baseEnv: NodeJS.ProcessEnv;
  emit: (chunk: string, stream: ProjectOutputStream) => void;
  onStop: () => void;
}

/** Spawns the command with the tracking environment and waits for it, stopping it when the signal aborts. */
async function runCommand(options: RunProjectOptions, context: CommandContext): Promise<ProcessExit> {
  const env: NodeJS.ProcessEnv = { ...context.baseEnv };
  delete env.MLFLOW_EXPERIMENT_NAME; // resolved to MLFLOW_EXPERIMENT_ID below; a different name would clash
  env.MLFLOW_RUN_ID = context.runId;
  env.MLFLOW_EXPERIMENT_ID = context.experimentId;
  env.MLFLOW_TRACKING_URI = options.client.trackingUri;
  if (options.client.token) env.MLFLOW_TRACKING_TOKEN = options.client.token;
  else delete env.MLFLOW_TRACKING_TOKEN;
  env.PYTHONUNBUFFERED ??= '1';
  if (options.bundledPythonPath) env.PYTHONPATH = prependPath(options.bundledPythonPath, env.PYTHONPATH);
  const pathKey = Object.keys(env).find((key) => key.toUpperCase() === 'PATH') ?? 'PATH';
  const shims = installInterpreterShims(context.scratch, options.interpreter, env[pathKey]);
  if (shims) env[pathKey] = prependPath(shims, env[pathKey]);
  else context.emit(`Warning: the Python interpreter '${options.interpreter}' was not found; 'python' in the command is whatever PATH has.\n`, 'trackside');
  const executable = resolveExecutable(options.interpreter, context.baseEnv[pathKey]) ?? options.interpreter;

  const child = ProjectProcess.start({
    argv: context.argv ? withInterpreter(context.argv, executable) : undefined,
    command: context.command,
    cwd: context.folder,
    env,
    onOutput: (text, stream) => context.emit(text, stream),
  });
  const onAbort = (): void => {
    context.onStop();
    context.emit('\nStopping the command (Ctrl-C)…\n', 'trackside');
    void child.stop(options.stopGraceMs ?? 3000);
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort);
  try {
    return await child.exited;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

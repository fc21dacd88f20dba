import path from 'node:path';
import type { TrackingClient } from '../client/trackingClient';
import type { LocalModel, ModelCache } from './modelCache';
import type { PythonRuntime } from './modelPython';
import { ScoringError, startScoring, type ScoringProgress, type ScoringResult } from './modelScorer';
import { TrackedRun } from './trackedRun';

export const BATCH_SCORING_EXPERIMENT = 'batch-scoring';

export interface BatchScoringOptions {
  /** runs:/…, models:/name/version, models:/name@alias, models:/name/stage, or a local model folder. */
  modelUri: string;
  input: string;
  output: string;
  predictionColumn?: string;
  batchRows?: number;
  inputFormat?: 'csv' | 'jsonl';
  outputFormat?: 'csv' | 'jsonl';
  /** Log a run (default true). */
  track?: boolean;
  /** Experiment of the run (default `batch-scoring`). */
  experimentName?: string;
  /** `mlflow.source.name` of the run (default `trackside models predict`). */
  source?: string;
  /** Aborting stops scoring (the run ends KILLED, no output is written). */
  signal?: AbortSignal;
  onStage?: (stage: 'fetching' | 'scoring' | 'logging', model?: LocalModel) => void;
  onProgress?: (progress: ScoringProgress) => void;
  onLog?: (line: string) => void;
}

export interface BatchScoringOutcome {
  model: LocalModel;
  result: ScoringResult;
  /** The logged run (absent with `track: false`). */
  runId?: string;
  experimentId?: string;
  /** Wall-clock time of the whole job (fetching, scoring, logging), seconds. */
  seconds: number;
}

function describeModel(model: LocalModel): string {
  return model.name !== undefined ? `${model.name} v${model.version}` : model.uri;
}

/**
 * The seed's daily batch inference, tracked: fetches the model (cached), scores `input` into `output`
 * in Python, and logs one run — params `model_uri`, `model_name`, `model_version`, `input_path`; metrics
 * `input_rows`, `output_rows`, `duration_seconds`, `rows_per_second`; tag `trackside.scoring.output` with
 * the output path. A failure ends the run FAILED with the reason; a stop ends it KILLED.
 */
export async function runBatchScoring(
  client: TrackingClient,
  runtime: PythonRuntime,
  cache: ModelCache,
  options: BatchScoringOptions,
): Promise<BatchScoringOutcome> {
  const started = Date.now();
  const input = path.resolve(options.input);
  const output = path.resolve(options.output);
  if (input === output) throw new ScoringError('BAD_INPUT', 'The output file must not be the input file.');
  options.onStage?.('fetching');
  const model = await cache.fetch(client, options.modelUri);
  if (options.signal?.aborted) throw new ScoringError('STOPPED', 'Scoring was stopped before it started.');
  const track = options.track ?? true;
  const run = track
    ? await TrackedRun.start(client, {
        experimentName: options.experimentName ?? BATCH_SCORING_EXPERIMENT,
        runName: `score ${describeModel(model)} · ${path.basename(input)}`,
        source: options.source ?? 'trackside models predict',
        params: {
          model_uri: options.modelUri,
          ...(model.name !== undefined ? { model_name: model.name, model_version: String(model.version) } : {}),
          ...(model.runId ? { model_run_id: model.runId } : {}),
          input_path: input,
          prediction_column: options.predictionColumn ?? 'prediction',
          flavor: model.mlModel.primaryFlavor,
        },
        tags: {
          'trackside.kind': 'batch-scoring',
          'trackside.model.uri': options.modelUri,
          ...(model.name !== undefined ? { 'trackside.model.name': model.name, 'trackside.model.version': String(model.version) } : {}),
          'trackside.scoring.output': output,
        },
      })
    : undefined;
  options.onStage?.('scoring', model);
  const job = startScoring(runtime, {
    modelFolder: model.folder,
    input,
    output,
    inputFormat: options.inputFormat,
    outputFormat: options.outputFormat,
    predictionColumn: options.predictionColumn,
    batchRows: options.batchRows,
    onProgress: options.onProgress,
    onLog: options.onLog,
  });
  const abort = (): void => job.stop();
  options.signal?.addEventListener('abort', abort);
  let result: ScoringResult;
  try {
    result = await job.done;
  } catch (e) {
    await run?.fail(e, e instanceof ScoringError && e.code === 'STOPPED');
    throw e;
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
  if (run) {
    options.onStage?.('logging', model);
    try {
      await run.log(
        {
          input_rows: result.inputRows,
          output_rows: result.outputRows,
          duration_seconds: result.seconds,
          load_seconds: result.loadSeconds,
          rows_per_second: result.seconds > 0 ? result.inputRows / result.seconds : 0,
        },
        { 'trackside.scoring.output': result.output },
      );
      await run.finish('FINISHED');
    } catch (e) {
      await run.fail(e);
      throw e;
    }
  }
  return { model, result, runId: run?.runId, experimentId: run?.experimentId, seconds: (Date.now() - started) / 1000 };
}

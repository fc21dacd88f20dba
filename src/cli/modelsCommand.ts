import os from 'node:os';
import path from 'node:path';
import { UsageError, optionString, type OptionSpec, type ParsedArgs } from './argParser';
import { storeFolder, type CliCommand, type CliIo } from './cliCommand';
import { CONNECTION_NOTES, CONNECTION_OPTIONS, JSON_OPTION, printJson, withClient } from './clientConnection';
import type { CliCommandGroup } from './commandGroup';
import { registrySubcommands } from './registryCommands';
import { flag, positiveInteger, requireOption } from './optionValues';
import { compareModelVersions } from '../core/models/abComparison';
import { runBatchScoring } from '../core/models/batchScoring';
import { ModelCache, type LocalModel } from '../core/models/modelCache';
import { findBundledPython, type PythonRuntime } from '../core/models/modelPython';
import { ScoringError } from '../core/models/modelScorer';
import { ModelServer } from '../core/models/modelServer';

const MODEL_URI: OptionSpec = {
  name: 'model-uri',
  alias: 'm',
  value: 'URI',
  description: 'runs:/<run>/<path>, models:/<name>/<version|stage|latest>, models:/<name>@<alias>, or a model folder',
};
const PYTHON: OptionSpec = { name: 'python', value: 'PATH', description: 'Python interpreter for the model (default: $TRACKSIDE_PYTHON or python3)' };

/** The interpreter and the bundled `trackside` package the model's Python process uses. */
export function cliPythonRuntime(args: ParsedArgs): PythonRuntime {
  const pythonPath = findBundledPython(__dirname);
  if (!pythonPath) throw new Error(`The bundled Python package (trackside) was not found near ${__dirname}: rebuild with npm run build.`);
  return { interpreter: optionString(args, 'python') ?? process.env.TRACKSIDE_PYTHON ?? 'python3', pythonPath };
}

/** `<store>/.model-cache` for a store; a per-server folder under the temp folder for a tracking URI. */
export function cliModelCache(args: ParsedArgs): ModelCache {
  const uri = optionString(args, 'tracking-uri') ?? (optionString(args, 'store') === undefined ? process.env.MLFLOW_TRACKING_URI?.trim() || undefined : undefined);
  if (uri === undefined) return new ModelCache(path.join(storeFolder(args), '.model-cache'));
  const server = uri.replace(/^https?:\/\//i, '').replace(/[^A-Za-z0-9.-]+/g, '_');
  return new ModelCache(path.join(os.tmpdir(), 'trackside-model-cache', server));
}

function describe(model: LocalModel): string {
  return model.name !== undefined ? `${model.name} v${model.version}` : model.uri;
}

/** Aborts on the first Ctrl-C or SIGTERM (the work stops cleanly); returns how to stop listening. */
function abortOnSignals(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  return {
    signal: controller.signal,
    dispose: () => {
      process.removeListener('SIGINT', abort);
      process.removeListener('SIGTERM', abort);
    },
  };
}

function progressPrinter(io: CliIo, label: string): (p: { rows: number; bytes: number; totalBytes: number }) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 2000) return;
    last = now;
    const percent = p.totalBytes > 0 ? ` (${Math.min(100, Math.round((100 * p.bytes) / p.totalBytes))}%)` : '';
    io.err(`${label}: ${p.rows.toLocaleString('en-US')} rows${percent}`);
  };
}

function scoringFailure(io: CliIo, name: string, e: unknown): number | undefined {
  if (!(e instanceof ScoringError)) return undefined;
  if (e.code === 'STOPPED') {
    io.err(`trackside models ${name}: stopped; no output was written.`);
    return 130;
  }
  io.err(`trackside models ${name}: ${e.code}: ${e.message}`);
  return e.code === 'SCHEMA_MISMATCH' || e.code === 'BAD_INPUT' ? 2 : 1;
}

const predict: CliCommand = {
  spec: {
    name: 'models predict',
    summary: 'Score a CSV or JSON-lines file with a model (in chunks, output written atomically) and log the job as a run.',
    usage: 'trackside models predict -m URI -i input.csv|.jsonl -o output.csv|.jsonl [--prediction-column NAME] [--experiment NAME] [--no-track]',
    options: [
      MODEL_URI,
      { name: 'input', alias: 'i', value: 'FILE', description: 'CSV with a header row, or JSON lines (.jsonl)' },
      { name: 'output', alias: 'o', value: 'FILE', description: 'Where to write the input plus a prediction column (.csv or .jsonl)' },
      { name: 'prediction-column', value: 'NAME', description: 'Name of the prediction column (default: prediction)' },
      { name: 'batch-rows', value: 'N', description: 'Rows scored at a time (default 10000)' },
      { name: 'experiment', value: 'NAME', description: 'Experiment of the logged run (default: batch-scoring)' },
      { name: 'no-track', description: 'Do not log a run' },
      PYTHON,
      JSON_OPTION,
      ...CONNECTION_OPTIONS,
    ],
  },
  async run(args, io) {
    const modelUri = requireOption(args, 'model-uri');
    const input = path.resolve(requireOption(args, 'input'));
    const output = path.resolve(requireOption(args, 'output'));
    const runtime = cliPythonRuntime(args);
    const stop = abortOnSignals();
    try {
      const outcome = await withClient(args, io, (client) =>
        runBatchScoring(client, runtime, cliModelCache(args), {
          modelUri,
          input,
          output,
          predictionColumn: optionString(args, 'prediction-column'),
          batchRows: positiveInteger(args, 'batch-rows'),
          track: !flag(args, 'no-track'),
          experimentName: optionString(args, 'experiment'),
          signal: stop.signal,
          onStage: (stage, model) => {
            if (stage === 'scoring' && model) io.err(`Scoring ${path.basename(input)} with ${describe(model)} (${model.mlModel.primaryFlavor})…`);
          },
          onProgress: progressPrinter(io, 'Scored'),
          onLog: (line) => io.err(line),
        }),
      );
      const { result } = outcome;
      if (flag(args, 'json')) {
        io.out(
          JSON.stringify(
            {
              output: result.output,
              input_rows: result.inputRows,
              output_rows: result.outputRows,
              seconds: result.seconds,
              model_name: outcome.model.name,
              model_version: outcome.model.version,
              run_id: outcome.runId,
              experiment_id: outcome.experimentId,
            },
            null,
            2,
          ),
        );
      } else {
        const rate = result.seconds > 0 ? ` (${Math.round(result.inputRows / result.seconds).toLocaleString('en-US')} rows/s)` : '';
        io.out(`Wrote ${result.outputRows.toLocaleString('en-US')} rows to ${result.output} in ${result.seconds.toFixed(2)} s${rate}.`);
        if (outcome.runId) io.out(`Run ${outcome.runId} (experiment ${outcome.experimentId}) logged the job.`);
      }
      return 0;
    } catch (e) {
      const code = scoringFailure(io, 'predict', e);
      if (code !== undefined) return code;
      throw e;
    } finally {
      stop.dispose();
    }
  },
};

const serve: CliCommand = {
  spec: {
    name: 'models serve',
    summary: "Serve a model on 127.0.0.1 with MLflow's scoring protocol (POST /invocations); Ctrl-C stops it.",
    usage: 'trackside models serve -m URI [-p PORT]',
    options: [MODEL_URI, { name: 'port', alias: 'p', value: 'N', description: 'Port (default 5001; 0 = any free port)' }, PYTHON, ...CONNECTION_OPTIONS],
  },
  async run(args, io) {
    const modelUri = requireOption(args, 'model-uri');
    const portText = optionString(args, 'port') ?? '5001';
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got '${portText}'.`);
    const runtime = cliPythonRuntime(args);
    // The model is fetched, then the store is let go: serving needs only the model's files.
    const model = await withClient(args, io, (client) => cliModelCache(args).fetch(client, modelUri));
    const server = await ModelServer.start(runtime, { modelFolder: model.folder, port, onLog: (line) => io.err(line) });
    io.out(`Serving ${describe(model)} (${model.mlModel.primaryFlavor}) at ${server.url}`);
    io.out(`  curl -X POST ${server.url}/invocations -H 'Content-Type: application/json' -d '{"dataframe_records": [...]}'`);
    const stop = abortOnSignals();
    await new Promise<void>((resolve) => {
      stop.signal.addEventListener('abort', () => resolve());
      server.onExit(() => resolve());
    });
    stop.dispose();
    const crashed = !server.running;
    await server.stop();
    if (crashed && !stop.signal.aborted) {
      io.err('trackside models serve: the model server stopped unexpectedly.');
      return 1;
    }
    return 0;
  },
};

const compare: CliCommand = {
  spec: {
    name: 'models compare',
    summary: 'Score a labelled file with two model versions and log one run with both versions\u2019 metrics and a chart.',
    usage: 'trackside models compare --model-a URI --model-b URI -i labelled.csv --label COLUMN [--experiment NAME]',
    options: [
      { name: 'model-a', value: 'URI', description: 'The current model, e.g. models:/churn@champion' },
      { name: 'model-b', value: 'URI', description: 'The candidate, e.g. models:/churn@challenger' },
      { name: 'input', alias: 'i', value: 'FILE', description: 'A labelled CSV (or JSON-lines) file' },
      { name: 'label', value: 'COLUMN', description: 'The column holding the true values' },
      { name: 'experiment', value: 'NAME', description: 'Experiment of the logged run (default: model-comparisons)' },
      PYTHON,
      JSON_OPTION,
      ...CONNECTION_OPTIONS,
    ],
  },
  async run(args, io) {
    const runtime = cliPythonRuntime(args);
    const stop = abortOnSignals();
    try {
      const outcome = await withClient(args, io, (client) =>
        compareModelVersions(client, runtime, cliModelCache(args), {
          modelUriA: requireOption(args, 'model-a'),
          modelUriB: requireOption(args, 'model-b'),
          input: requireOption(args, 'input'),
          labelColumn: requireOption(args, 'label'),
          experimentName: optionString(args, 'experiment'),
          source: 'trackside models compare',
          signal: stop.signal,
          onLog: (line) => io.err(line),
        }),
      );
      if (flag(args, 'json')) {
        const { modelA, modelB, ...rest } = outcome;
        printJson(io, { ...rest, model_a: describe(modelA), model_b: describe(modelB) });
        return 0;
      }
      io.out(`${outcome.task}, ${outcome.rows} labelled rows:`);
      for (const name of Object.keys(outcome.metricsA)) {
        io.out(`  ${name.padEnd(10)} ${outcome.labelA} ${outcome.metricsA[name].toFixed(4)}   ${outcome.labelB} ${outcome.metricsB[name].toFixed(4)}`);
      }
      const winner = outcome.winner === 'tie' ? 'a tie' : outcome.winner === 'a' ? `${outcome.labelA} (${describe(outcome.modelA)})` : `${outcome.labelB} (${describe(outcome.modelB)})`;
      io.out(`Better on ${outcome.primaryMetric}: ${winner}. Run ${outcome.runId}.`);
      return 0;
    } catch (e) {
      const code = scoringFailure(io, 'compare', e);
      if (code !== undefined) return code;
      throw e;
    } finally {
      stop.dispose();
    }
  },
};

/**
 * `trackside models …`: the registry (list, describe, create, rename, delete, versions, alias,
 * transition, history) and `predict|serve|compare`, like `mlflow models predict|serve`.
 */
export const modelsCommand: CliCommandGroup = {
  name: 'models',
  summary: 'The model registry (models, versions, aliases, stages, history); score files with a model, serve it, compare two versions.',
  subcommands: [...registrySubcommands, predict, serve, compare],
  notes: [
    'The model runs in Python: --python, $TRACKSIDE_PYTHON or python3 (with the model\u2019s libraries,',
    'e.g. scikit-learn). Models are downloaded once per version into <store>/.model-cache.',
    ...CONNECTION_NOTES,
  ],
};

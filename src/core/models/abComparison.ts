import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TrackingClient } from '../client/trackingClient';
import { parseFiniteNumber } from '../data/columnStats';
import { openCsv } from '../data/csvReader';
import { classificationMetrics, detectTask, labelKey, regressionMetrics, type TaskKind } from '../monitoring/metrics';
import { betterSide, comparisonHtml, comparisonSvg, type ComparedMetric } from './comparisonChart';
import type { LocalModel, ModelCache } from './modelCache';
import type { PythonRuntime } from './modelPython';
import { ScoringError, startScoring, type ScoringProgress } from './modelScorer';
import { parseModelUri } from './modelUri';
import { TrackedRun } from './trackedRun';

export const COMPARISON_EXPERIMENT = 'model-comparisons';
const PREDICTION = '__trackside_prediction';
const POSITIVE_NAMES = new Set(['1', 'true', 'yes', 'positive', 'pos']);

export interface AbComparisonOptions {
  modelUriA: string;
  modelUriB: string;
  /** A labelled CSV file (or JSON lines) with the model inputs and `labelColumn`. */
  input: string;
  labelColumn: string;
  /** Metric prefixes; default: the URIs' aliases (`champion`, `challenger`), else `a` and `b`. */
  labelA?: string;
  labelB?: string;
  /** Default: from the labels (see `detectTask`). */
  task?: TaskKind;
  experimentName?: string;
  source?: string;
  signal?: AbortSignal;
  onStage?: (stage: 'fetching' | 'scoring-a' | 'scoring-b' | 'measuring' | 'logging') => void;
  onProgress?: (side: 'a' | 'b', progress: ScoringProgress) => void;
  onLog?: (line: string) => void;
}

export interface AbComparisonOutcome {
  runId: string;
  experimentId: string;
  task: TaskKind;
  labelA: string;
  labelB: string;
  modelA: LocalModel;
  modelB: LocalModel;
  metricsA: Record<string, number>;
  metricsB: Record<string, number>;
  /** rmse for regression, f1 for classification. */
  primaryMetric: string;
  winner: 'a' | 'b' | 'tie';
  /** Rows scored (labelled rows). */
  rows: number;
}

function aliasOf(uri: string): string | undefined {
  try {
    const parsed = parseModelUri(uri);
    return parsed.kind === 'alias' ? parsed.alias : undefined;
  } catch {
    return undefined;
  }
}

/** The column names of a CSV file (its header row) or of a JSON-lines file (its first record). */
export async function fileColumns(file: string): Promise<string[]> {
  if (/\.(jsonl|ndjson|json)$/i.test(file)) {
    const handle = await fs.promises.open(file, 'r');
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(1 << 20), 0, 1 << 20, 0);
      const first = buffer.subarray(0, bytesRead).toString('utf8').split('\n').find((line) => line.trim() !== '');
      const record = first ? (JSON.parse(first) as unknown) : undefined;
      return record && typeof record === 'object' && !Array.isArray(record) ? Object.keys(record) : [];
    } catch (e) {
      throw new ScoringError('BAD_INPUT', `Cannot read the first record of ${path.basename(file)}: ${(e as Error).message}`);
    } finally {
      await handle.close();
    }
  }
  const table = await openCsv(file, { batchSize: 1 });
  await table.batches.return(undefined);
  return table.header;
}

function describe(model: LocalModel): string {
  return model.name !== undefined ? `${model.name} v${model.version}` : model.uri;
}

/** The label column and both prediction columns of the two scored files, row by row. */
async function readScored(fileA: string, fileB: string, labelColumn: string): Promise<{ labels: string[]; a: string[]; b: string[] }> {
  const read = async (file: string): Promise<{ labels: string[]; predictions: string[] }> => {
    const table = await openCsv(file);
    const labelIndex = table.header.indexOf(labelColumn);
    const predictionIndex = table.header.indexOf(PREDICTION);
    const labels: string[] = [];
    const predictions: string[] = [];
    for await (const batch of table.batches) {
      for (const row of batch) {
        labels.push(row[labelIndex]);
        predictions.push(row[predictionIndex]);
      }
    }
    return { labels, predictions };
  };
  const [a, b] = [await read(fileA), await read(fileB)];
  return { labels: a.labels, a: a.predictions, b: b.predictions };
}

function measure(task: TaskKind, labels: string[], predictions: string[], positive: string | undefined): Record<string, number> {
  if (task === 'regression') {
    const actual = labels.map(parseFiniteNumber);
    const predicted = predictions.map(parseFiniteNumber);
    const bad = predicted.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new ScoringError('MODEL_ERROR', `Row ${bad + 1}: the prediction '${predictions[bad]}' is not a number, so regression metrics cannot be computed.`);
    const m = regressionMetrics(actual, predicted);
    return { rmse: m.rmse, mae: m.mae, r2: m.r2 };
  }
  const m = classificationMetrics(labels, predictions, positive !== undefined ? { positiveLabel: positive } : {});
  return { accuracy: m.accuracy, precision: m.precision, recall: m.recall, f1: m.f1 };
}

/** For binary labels, the one that reads as positive (1, true, yes); otherwise macro averages. */
function positiveLabel(labels: string[]): string | undefined {
  const distinct = [...new Set(labels.map((l) => labelKey(l)))];
  if (distinct.length !== 2) return undefined;
  return distinct.find((label) => POSITIVE_NAMES.has(label.toLowerCase()));
}

/**
 * Scores a labelled file with two model versions (e.g. `models:/churn@champion` and
 * `models:/churn@challenger`) and logs one run in `model-comparisons`: params naming both versions,
 * metrics `<label>.rmse|mae|r2` (regression) or `<label>.accuracy|precision|recall|f1`
 * (classification) for each side, `delta.<primary metric>` (B − A), tags naming the winner, and
 * `comparison/comparison.svg` + `comparison/comparison.html` as artifacts.
 */
export async function compareModelVersions(
  client: TrackingClient,
  runtime: PythonRuntime,
  cache: ModelCache,
  options: AbComparisonOptions,
): Promise<AbComparisonOutcome> {
  const input = path.resolve(options.input);
  const labelA = options.labelA ?? aliasOf(options.modelUriA) ?? 'a';
  let labelB = options.labelB ?? aliasOf(options.modelUriB) ?? 'b';
  if (labelB === labelA) labelB = `${labelB}_b`;
  const header = await fileColumns(input);
  if (!header.includes(options.labelColumn)) {
    throw new ScoringError('BAD_INPUT', `The file has no column '${options.labelColumn}' to compare against (its columns: ${header.join(', ')}).`);
  }
  options.onStage?.('fetching');
  const modelA = await cache.fetch(client, options.modelUriA);
  const modelB = await cache.fetch(client, options.modelUriB);
  const run = await TrackedRun.start(client, {
    experimentName: options.experimentName ?? COMPARISON_EXPERIMENT,
    runName: `compare ${describe(modelA)} vs ${describe(modelB)} · ${path.basename(input)}`,
    source: options.source ?? 'Trackside: Compare Model Versions on a Dataset',
    params: {
      model_a_uri: options.modelUriA,
      model_b_uri: options.modelUriB,
      model_a: describe(modelA),
      model_b: describe(modelB),
      label_a: labelA,
      label_b: labelB,
      input_path: input,
      label_column: options.labelColumn,
    },
    tags: { 'trackside.kind': 'ab-comparison', 'trackside.compare.a': describe(modelA), 'trackside.compare.b': describe(modelB) },
  });
  const work = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'trackside-compare-'));
  try {
    const scored: Record<'a' | 'b', string> = { a: path.join(work, 'a.csv'), b: path.join(work, 'b.csv') };
    for (const [side, model] of [['a', modelA], ['b', modelB]] as const) {
      if (options.signal?.aborted) throw new ScoringError('STOPPED', 'The comparison was stopped.');
      options.onStage?.(side === 'a' ? 'scoring-a' : 'scoring-b');
      const job = startScoring(runtime, {
        modelFolder: model.folder,
        input,
        output: scored[side],
        outputFormat: 'csv',
        predictionColumn: PREDICTION,
        excludeColumns: [options.labelColumn],
        onProgress: (p) => options.onProgress?.(side, p),
        onLog: options.onLog,
      });
      const abort = (): void => job.stop();
      options.signal?.addEventListener('abort', abort);
      try {
        await job.done;
      } finally {
        options.signal?.removeEventListener('abort', abort);
      }
    }
    options.onStage?.('measuring');
    const all = await readScored(scored.a, scored.b, options.labelColumn);
    const keep = all.labels.map((label) => label !== '' && label !== undefined);
    const labels = all.labels.filter((_, i) => keep[i]);
    if (labels.length === 0) throw new ScoringError('BAD_INPUT', `The column '${options.labelColumn}' has no values to compare against.`);
    const task = options.task ?? detectTask(labels);
    const positive = task === 'classification' ? positiveLabel(labels) : undefined;
    const metricsA = measure(task, labels, all.a.filter((_, i) => keep[i]), positive);
    const metricsB = measure(task, labels, all.b.filter((_, i) => keep[i]), positive);
    const primaryMetric = task === 'regression' ? 'rmse' : 'f1';
    const compared: ComparedMetric[] = Object.keys(metricsA).map((name) => ({
      name,
      a: metricsA[name],
      b: metricsB[name],
      better: name === 'rmse' || name === 'mae' ? 'lower' : 'higher',
    }));
    const winner = betterSide(compared.find((m) => m.name === primaryMetric)!);
    options.onStage?.('logging');
    const metrics: Record<string, number> = { rows: labels.length, unlabelled_rows: all.labels.length - labels.length };
    for (const name of Object.keys(metricsA)) {
      metrics[`${labelA}.${name}`] = metricsA[name];
      metrics[`${labelB}.${name}`] = metricsB[name];
    }
    metrics[`delta.${primaryMetric}`] = metricsB[primaryMetric] - metricsA[primaryMetric];
    const winnerLabel = winner === 'a' ? labelA : winner === 'b' ? labelB : 'tie';
    await run.log(metrics, {
      'trackside.compare.task': task,
      'trackside.compare.primary_metric': primaryMetric,
      'trackside.compare.winner': winnerLabel,
      'trackside.compare.winner_model': winner === 'a' ? describe(modelA) : winner === 'b' ? describe(modelB) : 'tie',
      ...(positive !== undefined ? { 'trackside.compare.positive_label': positive } : {}),
    });
    const chart = {
      title: `${labelA} (${describe(modelA)}) vs ${labelB} (${describe(modelB)})`,
      subtitle: `${path.basename(input)} · ${labels.length} labelled rows · ${task}${positive !== undefined ? ` (positive label ${positive})` : ''}`,
      labelA: `${labelA}: ${describe(modelA)}`,
      labelB: `${labelB}: ${describe(modelB)}`,
      metrics: compared,
    };
    const charts = path.join(work, 'comparison');
    await fs.promises.mkdir(charts);
    await fs.promises.writeFile(path.join(charts, 'comparison.svg'), comparisonSvg(chart));
    await fs.promises.writeFile(path.join(charts, 'comparison.html'), comparisonHtml(chart));
    await run.upload(charts, 'comparison');
    await run.finish('FINISHED');
    return { runId: run.runId, experimentId: run.experimentId, task, labelA, labelB, modelA, modelB, metricsA, metricsB, primaryMetric, winner, rows: labels.length };
  } catch (e) {
    await run.fail(e, e instanceof ScoringError && e.code === 'STOPPED');
    throw e;
  } finally {
    await fs.promises.rm(work, { recursive: true, force: true });
  }
}

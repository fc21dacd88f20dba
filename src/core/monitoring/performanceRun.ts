import path from 'node:path';
import type { ModelVersion } from '../../shared/entities';
import type { TrackingClient } from '../client/trackingClient';
import { defaultNullTokens, parseFiniteNumber } from '../data/columnStats';
import { openCsv } from '../data/csvReader';
import { DataFormatError } from '../data/dataFormatError';
import { parseModelUri } from '../models/modelUri';
import { classificationMetrics, ClassificationMetrics, detectTask, Label, labelKey, regressionMetrics, RegressionMetrics, TaskKind } from './metrics';
import { ensureExperiment, monitoringExperimentName, monitorTag, tagValue, withRun } from './monitoringRuns';

/** A registered model version. */
export interface ModelVersionReference {
  name: string;
  version: string;
}

/**
 * Scoring with the model itself: given the model version's URI and the labelled file, returns one
 * prediction per data row, in file order. `scoreWithModel` (performanceScoring.ts) is the one over
 * the model scoring driver; a file that already holds predictions needs none (`predictionColumn`).
 */
export type ScoreModel = (request: { modelUri: string; inputPath: string; labelColumn: string; signal?: AbortSignal }) => Promise<Label[]>;

export interface PerformanceRunOptions {
  client: TrackingClient;
  /** `models:/name/3`, `models:/name/Production`, `models:/name/latest`, `models:/name@alias`, or the version itself. */
  model: string | ModelVersionReference;
  /** A CSV file with a header row holding the true labels (and, without `score`, the predictions). */
  labelledPath: string;
  labelColumn: string;
  /** The column holding the model's predictions; without it the model scores the file (`score`). */
  predictionColumn?: string;
  /** Scores the file with the model (see `ScoreModel`); used when there is no `predictionColumn`. */
  score?: ScoreModel;
  /** Regression or classification; detected from the labels unless told (see `detectTask`). */
  task?: TaskKind;
  /**
   * Classification: score this label as positive (binary precision/recall/F1). Unless told, as the
   * A/B comparison does: with two labels of which one reads positive (1, true, yes), that one;
   * else macro averages.
   */
  positiveLabel?: Label;
  experimentId?: string;
  /** Default "Monitoring". */
  experimentName?: string;
  /** Default `performance: <name> v<version> on <file>`. */
  runName?: string;
  tags?: Record<string, string>;
  signal?: AbortSignal;
}

export interface PerformanceRunResult {
  runId: string;
  experimentId: string;
  model: ModelVersionReference & { uri: string };
  task: TaskKind;
  /** Every metric logged, key → value (`perf.rmse`, `perf.accuracy`, `perf.rows`, …). */
  metrics: Record<string, number>;
  /** Rows scored, and rows left out (no label or no prediction). */
  rowCount: number;
  skippedRows: number;
  /** One sentence: `churn v3: accuracy 0.912, F1 0.874 on 2,000 rows of labelled.csv.` */
  summary: string;
}

/** The tags a performance run carries (with `trackside.monitor = performance`). */
export const performanceTags = { modelName: 'trackside.model_name', modelVersion: 'trackside.model_version', modelUri: 'trackside.model_uri' } as const;

/**
 * Scores a model version on a labelled file and logs the result as one run: `perf.*` metrics (the
 * same names for every check, so a version's quality over time is one series per metric), tagged
 * with the model's name and version and `trackside.monitor = performance`, in the "Monitoring"
 * experiment unless told.
 */
export async function runPerformanceCheck(options: PerformanceRunOptions): Promise<PerformanceRunResult> {
  const { client } = options;
  const model = await resolveModelVersion(client, options.model);
  const uri = `models:/${model.name}/${model.version}`;
  const pairs = await readLabelledPairs(options, uri);
  const task = options.task ?? detectTask(pairs.labels);
  const positive = options.positiveLabel ?? (task === 'classification' ? readsPositive(pairs.labels) : undefined);
  const scored = scorePairs(task, pairs.labels, pairs.predictions, positive);
  const metrics = { ...performanceMetricValues(scored), 'perf.skipped_rows': pairs.skipped };
  const fileName = path.basename(options.labelledPath);
  const summary = describePerformance(model, scored, fileName);
  const experimentId = options.experimentId ?? (await ensureExperiment(client, options.experimentName ?? monitoringExperimentName));
  const run = await client.runs.create({
    experimentId,
    runName: options.runName ?? `performance: ${model.name} v${model.version} on ${fileName}`,
    tags: {
      ...options.tags,
      [monitorTag]: 'performance',
      [performanceTags.modelName]: model.name,
      [performanceTags.modelVersion]: model.version,
      [performanceTags.modelUri]: uri,
      'mlflow.note.content': tagValue(summary),
    },
  });
  const runId = run.info.run_id;
  await withRun(client, runId, async () => {
    const timestamp = Date.now();
    const params: Record<string, string> = {
      model_uri: uri,
      labelled_data: path.resolve(options.labelledPath),
      label_column: options.labelColumn,
      predictions: options.predictionColumn !== undefined ? `column ${options.predictionColumn}` : 'scored by the model',
      task,
      rows: String(pairs.labels.length),
      skipped_rows: String(pairs.skipped),
    };
    if ('average' in scored) {
      params.average = scored.average;
      if (scored.positiveLabel !== undefined) {
        params.positive_label = scored.positiveLabel;
      }
    }
    await client.runs.logBatch(runId, { params, metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp, step: 0 })) });
  });
  return { runId, experimentId, model: { ...model, uri }, task, metrics, rowCount: pairs.labels.length, skippedRows: pairs.skipped, summary };
}

/**
 * Every key a performance check may log: the A/B comparison's metrics (classification's, then
 * regression's) under `perf.`, then the rows scored and the rows left out.
 */
export const performanceMetricKeys: readonly string[] = [
  'perf.accuracy',
  'perf.precision',
  'perf.recall',
  'perf.f1',
  'perf.rmse',
  'perf.mae',
  'perf.r2',
  'perf.rows',
  'perf.skipped_rows',
];

/** The `perf.*` metrics of a scoring, named as the A/B comparison names its own: rmse/mae/r2 or accuracy/precision/recall/f1, and rows. */
export function performanceMetricValues(scored: RegressionMetrics | ClassificationMetrics): Record<string, number> {
  if ('rmse' in scored) {
    return { 'perf.rmse': scored.rmse, 'perf.mae': scored.mae, 'perf.r2': scored.r2, 'perf.rows': scored.count };
  }
  return {
    'perf.accuracy': scored.accuracy,
    'perf.precision': scored.precision,
    'perf.recall': scored.recall,
    'perf.f1': scored.f1,
    'perf.rows': scored.count,
  };
}

const positiveNames = new Set(['1', 'true', 'yes', 'positive', 'pos']);

/** With exactly two labels, the one that reads as positive (the A/B comparison's rule); else undefined (macro averages). */
export function readsPositive(labels: readonly string[]): string | undefined {
  const distinct = [...new Set(labels.map((label) => labelKey(label)))];
  if (distinct.length !== 2) {
    return undefined;
  }
  return distinct.find((label) => positiveNames.has(label.toLowerCase()));
}

/** The model version a URI (or reference) designates, checked against the registry. */
export async function resolveModelVersion(client: TrackingClient, model: string | ModelVersionReference): Promise<ModelVersionReference> {
  if (typeof model !== 'string') {
    const version = await client.modelVersions.get(model.name, model.version);
    return { name: version.name, version: version.version };
  }
  const parsed = parseModelUri(model);
  let version: ModelVersion | undefined;
  switch (parsed.kind) {
    case 'version':
      version = await client.modelVersions.get(parsed.name, parsed.version);
      break;
    case 'alias':
      version = await client.registeredModels.getVersionByAlias(parsed.name, parsed.alias);
      break;
    case 'latest':
    case 'stage': {
      const versions = await client.registeredModels.getLatestVersions(parsed.name, parsed.kind === 'stage' ? [parsed.stage] : undefined);
      version = versions.reduce<ModelVersion | undefined>((best, v) => (!best || Number(v.version) > Number(best.version) ? v : best), undefined);
      if (version === undefined) {
        throw new Error(`${model} designates no version: model '${parsed.name}' has no version${parsed.kind === 'stage' ? ` in stage ${parsed.stage}` : ''}.`);
      }
      break;
    }
    case 'run':
      throw new Error(`A performance check is of a registered model version (models:/<name>/<version>), not of ${model}: register the model first.`);
  }
  return { name: version.name, version: version.version };
}

interface LabelledPairs {
  labels: string[];
  predictions: Label[];
  skipped: number;
}

async function readLabelledPairs(options: PerformanceRunOptions, modelUri: string): Promise<LabelledPairs> {
  const fileName = path.basename(options.labelledPath);
  const table = await openCsv(options.labelledPath);
  const labelIndex = columnIndex(table.header, options.labelColumn, fileName, 'label');
  const predictionIndex = options.predictionColumn === undefined ? -1 : columnIndex(table.header, options.predictionColumn, fileName, 'prediction');
  if (predictionIndex < 0 && options.score === undefined) {
    await table.batches.return();
    throw new Error('Give the column holding the predictions, or score with the model (`score`).');
  }
  const nulls = new Set(defaultNullTokens);
  const isMissing = (text: string): boolean => text.trim() === '' || nulls.has(text.trim());
  const labelTexts: string[] = [];
  const predictionTexts: string[] = [];
  for await (const batch of table.batches) {
    for (const row of batch) {
      labelTexts.push(row[labelIndex]);
      if (predictionIndex >= 0) {
        predictionTexts.push(row[predictionIndex]);
      }
    }
  }
  let predictions: Label[] = predictionTexts;
  if (predictionIndex < 0) {
    predictions = await (options.score as ScoreModel)({ modelUri, inputPath: options.labelledPath, labelColumn: options.labelColumn, signal: options.signal });
    if (predictions.length !== labelTexts.length) {
      throw new Error(`The model gave ${predictions.length} predictions for the ${labelTexts.length} rows of ${fileName}.`);
    }
  }
  const pairs: LabelledPairs = { labels: [], predictions: [], skipped: 0 };
  labelTexts.forEach((label, index) => {
    const prediction = predictions[index];
    if (isMissing(label) || prediction === null || prediction === undefined || (typeof prediction === 'string' && isMissing(prediction))) {
      pairs.skipped++;
      return;
    }
    pairs.labels.push(label);
    pairs.predictions.push(prediction);
  });
  if (pairs.labels.length === 0) {
    throw new Error(`${fileName} has no row with both a label (${options.labelColumn}) and a prediction to score.`);
  }
  return pairs;
}

function columnIndex(header: readonly string[], column: string, fileName: string, role: string): number {
  const index = header.indexOf(column);
  if (index < 0) {
    throw new DataFormatError(`The ${role} column '${column}' is not in the file; its columns are ${header.join(', ')}`, fileName);
  }
  return index;
}

function scorePairs(task: TaskKind, labels: string[], predictions: Label[], positiveLabel?: Label): RegressionMetrics | ClassificationMetrics {
  if (task === 'classification') {
    return classificationMetrics(labels, predictions, positiveLabel === undefined ? {} : { positiveLabel });
  }
  const toNumber = (value: Label, index: number, what: string): number => {
    const number = typeof value === 'number' ? value : typeof value === 'string' ? parseFiniteNumber(value.trim()) : NaN;
    if (!Number.isFinite(number)) {
      throw new Error(`Row ${index + 1}: the ${what} ${JSON.stringify(value)} is not a number, as a regression needs.`);
    }
    return number;
  };
  return regressionMetrics(
    labels.map((label, index) => toNumber(label, index, 'label')),
    predictions.map((prediction, index) => toNumber(prediction, index, 'prediction')),
  );
}

/** `churn v3: accuracy 0.912, F1 0.874 (macro) on 2,000 rows of labelled.csv.` */
export function describePerformance(model: ModelVersionReference, scored: RegressionMetrics | ClassificationMetrics, fileName: string): string {
  const figure = (value: number): string => (Math.abs(value) >= 1000 ? value.toFixed(0) : String(Number(value.toPrecision(4))));
  const rows = `${scored.count.toLocaleString('en-US')} rows of ${fileName}`;
  if ('rmse' in scored) {
    return `${model.name} v${model.version}: RMSE ${figure(scored.rmse)}, MAE ${figure(scored.mae)}, R² ${figure(scored.r2)} on ${rows}.`;
  }
  const average = scored.average === 'binary' ? `positive label ${scored.positiveLabel}` : 'macro';
  return `${model.name} v${model.version}: accuracy ${figure(scored.accuracy)}, F1 ${figure(scored.f1)} (${average}) on ${rows}.`;
}

import fs from 'node:fs';
import path from 'node:path';
import { runDriftCheck } from '../core/monitoring/driftRun';
import { monitoringExperimentName } from '../core/monitoring/monitoringRuns';
import { runPerformanceCheck } from '../core/monitoring/performanceRun';
import { scoreWithModel } from '../core/monitoring/performanceScoring';
import { UsageError, optionString, type OptionSpec, type ParsedArgs } from './argParser';
import type { CliCommand } from './cliCommand';
import { CONNECTION_NOTES, CONNECTION_OPTIONS, JSON_OPTION, withClient } from './clientConnection';
import type { CliCommandGroup } from './commandGroup';
import { cliModelCache, cliPythonRuntime } from './modelsCommand';
import { flag, requireOption } from './optionValues';

/** Exit code of `monitor drift --fail-on-drift` when a column drifted. */
export const DRIFT_EXIT_CODE = 3;

const EXPERIMENT_OPTION: OptionSpec = { name: 'experiment-name', value: 'NAME', description: `Experiment to log the run into (default ${monitoringExperimentName})` };

/** A number option within (low, high], or undefined when not given. */
function numberOption(args: ParsedArgs, name: string, low: number, high: number): number | undefined {
  const text = optionString(args, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= low || value > high) {
    throw new UsageError(`--${name} must be a number above ${low}${Number.isFinite(high) ? ` and at most ${high}` : ''}, got '${text}'.`);
  }
  return value;
}

function existingFile(args: ParsedArgs, name: string): string {
  const file = requireOption(args, name);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UsageError(`--${name} ${file}: no such file.`);
  return file;
}

const drift: CliCommand = {
  spec: {
    name: 'monitor drift',
    summary: 'Compare two datasets column by column (PSI, KS, chi-square, null rates) and log the check as a run with an HTML/PNG report.',
    usage: 'trackside monitor drift --reference A.csv --current B.csv [--psi 0.2] [--ks-p 0.05] [--experiment-name X] [--fail-on-drift] [--json]',
    options: [
      { name: 'reference', alias: 'r', value: 'FILE', description: 'The reference dataset (CSV with a header row, or .jsonl)' },
      { name: 'current', alias: 'c', value: 'FILE', description: 'The current dataset, compared against the reference' },
      { name: 'psi', value: 'X', description: 'A column drifts when its PSI is at least X (default 0.2)' },
      { name: 'ks-p', value: 'P', description: 'A numeric column drifts when the KS p-value is below P (default 0.05)' },
      { name: 'chi2-p', value: 'P', description: 'A categorical column drifts when the chi-square p-value is below P (default 0.05)' },
      { name: 'null-shift', value: 'X', description: 'A column drifts when its null rate moves by X or more (default 0.1 = 10 points)' },
      EXPERIMENT_OPTION,
      { name: 'run-name', value: 'NAME', description: 'Name of the run (default "drift: <reference> → <current>")' },
      { name: 'fail-on-drift', description: `Exit with ${DRIFT_EXIT_CODE} when any column drifted (for CI)` },
      JSON_OPTION,
      ...CONNECTION_OPTIONS,
    ],
  },
  async run(args, io) {
    const referencePath = existingFile(args, 'reference');
    const currentPath = existingFile(args, 'current');
    const thresholds = {
      psi: numberOption(args, 'psi', 0, Infinity),
      ksPValue: numberOption(args, 'ks-p', 0, 1),
      chi2PValue: numberOption(args, 'chi2-p', 0, 1),
      nullRateShift: numberOption(args, 'null-shift', 0, 1),
    };
    const given = Object.fromEntries(Object.entries(thresholds).filter(([, value]) => value !== undefined));
    const json = flag(args, 'json');
    if (!json) io.err(`Comparing ${path.basename(currentPath)} against ${path.basename(referencePath)}…`);
    const result = await withClient(args, io, (client) =>
      runDriftCheck({
        client,
        referencePath,
        currentPath,
        thresholds: given,
        experimentName: optionString(args, 'experiment-name'),
        runName: optionString(args, 'run-name'),
      }),
    );
    const report = result.report;
    if (json) {
      io.out(
        JSON.stringify(
          {
            run_id: result.runId,
            experiment_id: result.experimentId,
            summary: result.summary,
            drifted_columns: result.driftedColumns,
            drift_score: report.driftShare,
            mean_psi: Number.isFinite(report.meanPsi) ? report.meanPsi : null,
            reference_rows: report.rowCountRef,
            current_rows: report.rowCountCur,
            thresholds: report.thresholds,
            metrics: result.metrics,
            renamed_columns: result.renamedColumns,
            artifacts: result.artifacts,
            warnings: result.warnings,
          },
          null,
          2,
        ),
      );
    } else {
      io.out(result.summary);
      for (const warning of result.warnings) io.out(`Note: ${warning}`);
      io.out(`Logged run ${result.runId} in experiment ${result.experimentId}: drift.score ${report.driftShare.toFixed(3)}, report in ${result.artifacts.join(', ')}.`);
    }
    return flag(args, 'fail-on-drift') && result.driftedColumns.length > 0 ? DRIFT_EXIT_CODE : 0;
  },
};

const performance: CliCommand = {
  spec: {
    name: 'monitor performance',
    summary: "Score a model version on a labelled dataset and log perf.* metrics tagged with the version (its quality over time).",
    usage: 'trackside monitor performance -m models:/NAME/N -i labelled.csv --label COL [--prediction-column COL] [--positive-label L] [--json]',
    options: [
      { name: 'model-uri', alias: 'm', value: 'URI', description: 'models:/name/3, models:/name/Production, models:/name/latest or models:/name@alias' },
      { name: 'input', alias: 'i', value: 'FILE', description: 'Labelled CSV file (header row)' },
      { name: 'label', alias: 'l', value: 'COL', description: 'Column holding the true labels' },
      { name: 'prediction-column', alias: 'p', value: 'COL', description: "Column already holding the model's predictions (default: the model scores the file)" },
      { name: 'python', value: 'PATH', description: 'Python interpreter that scores with the model (default: $TRACKSIDE_PYTHON or python3)' },
      { name: 'task', value: 'KIND', description: 'regression or classification (default: detected from the labels)' },
      { name: 'positive-label', value: 'L', description: 'Classification: binary precision/recall/F1 of this label (default: 1/true/yes of two labels, else macro averages)' },
      EXPERIMENT_OPTION,
      JSON_OPTION,
      ...CONNECTION_OPTIONS,
    ],
  },
  async run(args, io) {
    const model = requireOption(args, 'model-uri');
    const labelledPath = existingFile(args, 'input');
    const labelColumn = requireOption(args, 'label');
    const predictionColumn = optionString(args, 'prediction-column');
    const json = flag(args, 'json');
    const task = optionString(args, 'task');
    if (task !== undefined && task !== 'regression' && task !== 'classification') {
      throw new UsageError(`--task must be regression or classification, got '${task}'.`);
    }
    const result = await withClient(args, io, (client) =>
      runPerformanceCheck({
        client,
        model,
        labelledPath,
        labelColumn,
        predictionColumn,
        score:
          predictionColumn === undefined
            ? scoreWithModel(client, cliPythonRuntime(args), cliModelCache(args), { onLog: json ? undefined : (line) => io.err(line) })
            : undefined,
        task,
        positiveLabel: optionString(args, 'positive-label'),
        experimentName: optionString(args, 'experiment-name'),
      }),
    );
    if (json) {
      io.out(
        JSON.stringify(
          {
            run_id: result.runId,
            experiment_id: result.experimentId,
            model: result.model,
            task: result.task,
            metrics: result.metrics,
            rows: result.rowCount,
            skipped_rows: result.skippedRows,
            summary: result.summary,
          },
          null,
          2,
        ),
      );
    } else {
      io.out(result.summary);
      if (result.skippedRows > 0) io.out(`Left out ${result.skippedRows} row${result.skippedRows === 1 ? '' : 's'} without a label or a prediction.`);
      io.out(`Logged run ${result.runId} in experiment ${result.experimentId}.`);
    }
    return 0;
  },
};

/** `trackside monitor …`: drift and performance checks, each logged as a run. */
export const monitorCommand: CliCommandGroup = {
  name: 'monitor',
  summary: 'Check data drift and model performance, each logged as a run in the Monitoring experiment.',
  subcommands: [drift, performance],
  notes: CONNECTION_NOTES,
};

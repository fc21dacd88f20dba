import path from 'node:path';
import type { TrackingClient } from '../client/trackingClient';
import { DriftReport } from './drift';
import { renderDriftChartPng } from './driftChartPng';
import { checkDriftFiles, DriftFilesOptions } from './driftFiles';
import { uniqueKeySegments } from './metricKeys';
import { ensureExperiment, monitoringExperimentName, monitorTag, tagValue, uploadArtifactBytes, withRun } from './monitoringRuns';
import { renderDriftReport } from './report';

export interface DriftRunOptions extends DriftFilesOptions {
  client: TrackingClient;
  referencePath: string;
  currentPath: string;
  /** The experiment to log into, by id; else by name (created when missing), "Monitoring" unless told. */
  experimentId?: string;
  experimentName?: string;
  /** Default `drift: <reference file> → <current file>`. */
  runName?: string;
  /** More tags for the run. */
  tags?: Record<string, string>;
}

export interface DriftRunResult {
  runId: string;
  experimentId: string;
  report: DriftReport;
  /** The report's one-sentence summary (which columns drifted, and by what). */
  summary: string;
  /** Names of the drifted columns, as in the files. */
  driftedColumns: string[];
  /** Every metric logged, key → value. */
  metrics: Record<string, number>;
  /** Metric key segment → column name, for the columns whose names had to change to be keys. */
  renamedColumns: Record<string, string>;
  /** Not drift but worth telling (JSON Lines schema drift, for example). */
  warnings: string[];
  /** Artifact paths written. */
  artifacts: string[];
  timings: { referenceMs: number; currentMs: number; compareMs: number; loggingMs: number };
}

/** The tags a drift run carries. */
export const driftTags = {
  driftedColumns: 'trackside.drifted_columns',
  columnKeys: 'trackside.drift.column_keys',
} as const;

export const driftArtifacts = { html: 'drift/report.html', png: 'drift/report.png', json: 'drift/summary.json' } as const;

/**
 * Checks two data files for drift (see `checkDriftFiles`) and logs the check as one run: params
 * (both paths, row counts, thresholds), a metric per column and test (`drift.psi.<column>`,
 * `drift.ks.<column>`, `drift.ks_pvalue.<column>`, `drift.chi2_pvalue.<column>`,
 * `drift.null_rate_shift.<column>`, …), `drift.score` (share of drifted columns) and
 * `drift.mean_psi`, the tags `trackside.monitor = drift` and `trackside.drifted_columns`, and the
 * artifacts `drift/report.html`, `drift/report.png` and `drift/summary.json`. The files are read
 * before any run is created, so a file that cannot be read leaves no run behind.
 */
export async function runDriftCheck(options: DriftRunOptions): Promise<DriftRunResult> {
  const { client } = options;
  const { report, warnings, timings } = await checkDriftFiles(options.referencePath, options.currentPath, options);
  const started = performance.now();
  const { segments, renamed } = uniqueKeySegments(report.columns.map((column) => column.column));
  const metrics = driftMetrics(report, segments);
  const driftedColumns = report.columns.filter((column) => column.drifted).map((column) => column.column);
  const referenceName = path.basename(options.referencePath);
  const currentName = path.basename(options.currentPath);
  const experimentId = options.experimentId ?? (await ensureExperiment(client, options.experimentName ?? monitoringExperimentName));
  const runName = options.runName ?? `drift: ${referenceName} → ${currentName}`;
  const tags: Record<string, string> = {
    ...options.tags,
    [monitorTag]: 'drift',
    [driftTags.driftedColumns]: tagValue(driftedColumns.join(',')),
    'mlflow.note.content': tagValue(report.summary),
  };
  if (Object.keys(renamed).length > 0) {
    tags[driftTags.columnKeys] = tagValue(JSON.stringify(renamed));
  }
  const run = await client.runs.create({ experimentId, runName, tags });
  const runId = run.info.run_id;
  const artifacts = await withRun(client, runId, async () => {
    const timestamp = Date.now();
    await client.runs.logBatch(runId, {
      params: driftParams(options, report),
      metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp, step: 0 })),
    });
    const generatedAt = new Date(timestamp);
    const html = renderDriftReport(report, { referenceName, currentName, generatedAt, warnings });
    await uploadArtifactBytes(client, runId, driftArtifacts.html, html);
    await uploadArtifactBytes(client, runId, driftArtifacts.png, renderDriftChartPng(report));
    await uploadArtifactBytes(client, runId, driftArtifacts.json, JSON.stringify(driftSummaryJson(report, segments, warnings), null, 2));
    return [driftArtifacts.html, driftArtifacts.png, driftArtifacts.json];
  });
  return {
    runId,
    experimentId,
    report,
    summary: report.summary,
    driftedColumns,
    metrics,
    renamedColumns: renamed,
    warnings,
    artifacts,
    timings: { ...timings, loggingMs: performance.now() - started },
  };
}

/** The run's metrics: per column (keyed by `segments`, column → key segment) and overall. Non-finite values are left out. */
export function driftMetrics(report: DriftReport, segments: ReadonlyMap<string, string>): Record<string, number> {
  const metrics: Record<string, number> = {};
  const put = (key: string, value: number | null | undefined): void => {
    if (value !== null && value !== undefined && Number.isFinite(value)) {
      metrics[key] = value;
    }
  };
  for (const column of report.columns) {
    const segment = segments.get(column.column) ?? column.column;
    put(`drift.psi.${segment}`, column.psi);
    put(`drift.ks.${segment}`, column.ks);
    put(`drift.ks_pvalue.${segment}`, column.ksPValue);
    put(`drift.chi2_pvalue.${segment}`, column.chi2PValue);
    put(`drift.null_rate_shift.${segment}`, column.nullRateCur - column.nullRateRef);
    put(`drift.mean_shift_std.${segment}`, column.meanShiftInStd);
    put(`drift.std_shift_std.${segment}`, column.stdShiftInStd);
    put(`drift.drifted.${segment}`, column.drifted ? 1 : 0);
  }
  put('drift.score', report.driftShare);
  put('drift.mean_psi', report.meanPsi);
  put('drift.drifted_columns', report.driftedCount);
  return metrics;
}

function driftParams(options: DriftRunOptions, report: DriftReport): Record<string, string> {
  const thresholds = report.thresholds;
  return {
    reference: path.resolve(options.referencePath),
    current: path.resolve(options.currentPath),
    reference_rows: String(report.rowCountRef),
    current_rows: String(report.rowCountCur),
    columns: String(report.columns.length),
    psi_threshold: String(thresholds.psi),
    ks_pvalue_threshold: String(thresholds.ksPValue),
    chi2_pvalue_threshold: String(thresholds.chi2PValue),
    null_rate_shift_threshold: String(thresholds.nullRateShift),
  };
}

/** `drift/summary.json`: the report without the histograms, each column with its metric key segment. */
function driftSummaryJson(report: DriftReport, segments: ReadonlyMap<string, string>, warnings: string[]): object {
  return {
    summary: report.summary,
    rowCountRef: report.rowCountRef,
    rowCountCur: report.rowCountCur,
    driftedCount: report.driftedCount,
    driftShare: report.driftShare,
    meanPsi: Number.isFinite(report.meanPsi) ? report.meanPsi : null,
    thresholds: report.thresholds,
    missingColumns: report.missingColumns,
    warnings,
    columns: report.columns.map(({ bins: _bins, ...column }) => ({ ...column, metricKey: segments.get(column.column) ?? column.column })),
  };
}

import type { MonitorCheck } from '../protocol/monitorProtocol';

/**
 * The model monitor's series: performance checks (one run each, one value per `perf.*` metric,
 * tagged with the model version) grouped into one series per metric and version, over check time.
 * DOM-free, shared by the host (which picks the keys) and the webview (which draws them).
 */

/** The quality metrics a check logs, in chart order (classification's, then regression's; the keys of `performanceMetricKeys`). */
export const PERFORMANCE_QUALITY_KEYS: readonly string[] = ['perf.accuracy', 'perf.precision', 'perf.recall', 'perf.f1', 'perf.rmse', 'perf.mae', 'perf.r2'];

/** Counts a check logs next to its quality metrics: listed in the table, not charted. */
export const PERFORMANCE_COUNT_KEYS: readonly string[] = ['perf.rows', 'perf.skipped_rows'];

const LABELS: Record<string, string> = {
  'perf.accuracy': 'Accuracy',
  'perf.precision': 'Precision',
  'perf.recall': 'Recall',
  'perf.f1': 'F1',
  'perf.rmse': 'RMSE',
  'perf.mae': 'MAE',
  'perf.r2': 'R²',
  'perf.rows': 'Rows',
  'perf.skipped_rows': 'Skipped',
};

const LOWER_IS_BETTER = new Set(['perf.rmse', 'perf.mae', 'perf.skipped_rows']);

export interface MonitorPoint {
  /** Check time (ms since the epoch). */
  x: number;
  y: number;
  runId: string;
}

export interface VersionSeries {
  version: string;
  points: MonitorPoint[];
}

export interface MetricSeries {
  key: string;
  /** One series per version that has a value of `key`, in version order. */
  versions: VersionSeries[];
}

/** `Accuracy`, `F1`, `RMSE`, `R²`; other keys without their `perf.` prefix. */
export function metricLabel(key: string): string {
  return LABELS[key] ?? key.replace(/^perf\./, '');
}

/** Whether a smaller value of the metric is the better one (errors), for the chart's caption. */
export function lowerIsBetter(key: string): boolean {
  return LOWER_IS_BETTER.has(key);
}

/** Version order: numerically (`2` before `10`), then as text. */
export function compareVersions(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (Number.isFinite(x) && Number.isFinite(y) && a.trim() !== '' && b.trim() !== '') return x - y || a.localeCompare(b);
  return a.localeCompare(b, undefined, { numeric: true });
}

/** The distinct versions of the checks, in version order. */
export function versionsOf(checks: readonly MonitorCheck[]): string[] {
  return [...new Set(checks.map((check) => check.version))].sort(compareVersions);
}

/**
 * The `perf.*` quality metrics any check has, one chart each: the known ones in
 * `PERFORMANCE_QUALITY_KEYS` order, then others alphabetically; counts (rows, skipped rows) are left out.
 */
export function chartedKeys(checks: readonly MonitorCheck[]): string[] {
  const present = new Set(checks.flatMap((check) => Object.keys(check.metrics)).filter((key) => key.startsWith('perf.') && !PERFORMANCE_COUNT_KEYS.includes(key)));
  const known = PERFORMANCE_QUALITY_KEYS.filter((key) => present.has(key));
  const others = [...present].filter((key) => !PERFORMANCE_QUALITY_KEYS.includes(key)).sort((a, b) => a.localeCompare(b));
  return [...known, ...others];
}

/** Checks in time order (oldest first; ties by run id, so the order is stable). */
export function byTime(checks: readonly MonitorCheck[]): MonitorCheck[] {
  return [...checks].sort((a, b) => a.time - b.time || a.runId.localeCompare(b.runId));
}

/**
 * The series of one metric: per version (in version order), its checks' values over check time.
 * Checks without the metric, or with a value that is not finite (NaN), leave no point.
 */
export function seriesOf(checks: readonly MonitorCheck[], key: string): VersionSeries[] {
  const byVersion = new Map<string, MonitorPoint[]>();
  for (const check of byTime(checks)) {
    const value = check.metrics[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isFinite(check.time)) continue;
    let points = byVersion.get(check.version);
    if (!points) byVersion.set(check.version, (points = []));
    points.push({ x: check.time, y: value, runId: check.runId });
  }
  return [...byVersion.keys()].sort(compareVersions).map((version) => ({ version, points: byVersion.get(version)! }));
}

/** Every charted metric's series (`keys` default: `chartedKeys(checks)`). */
export function monitorSeries(checks: readonly MonitorCheck[], keys: readonly string[] = chartedKeys(checks)): MetricSeries[] {
  return keys.map((key) => ({ key, versions: seriesOf(checks, key) }));
}

/** The latest value of each version for a metric (the figure next to a version in the legend). */
export function latestValues(checks: readonly MonitorCheck[], key: string): Map<string, number> {
  const latest = new Map<string, number>();
  for (const series of seriesOf(checks, key)) latest.set(series.version, series.points[series.points.length - 1].y);
  return latest;
}

/** A check's metric for reading at a glance: counts whole, scores to 4 significant digits (`0.9252`), NaN spelled out. */
export function formatCheckValue(value: number | undefined): string {
  if (value === undefined) return '—';
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

/** `3 checks of 2 versions` / `1 check of version 4` / `No checks`. */
export function describeChecks(checks: readonly MonitorCheck[]): string {
  if (checks.length === 0) return 'No checks';
  const versions = versionsOf(checks);
  const count = `${checks.length} check${checks.length === 1 ? '' : 's'}`;
  return versions.length === 1 ? `${count} of version ${versions[0]}` : `${count} of ${versions.length} versions`;
}

import type { XAxisKind } from '../protocol/chartsProtocol';
import { formatDateTime, formatNumber, formatSeconds } from '../displayFormat';
import { lowerBound, type SeriesColumns } from './seriesColumns';

export interface XAxisContext {
  /** The run's start time (ms); the relative-time axis counts from it (else from the first point). */
  runStart?: number | null;
  /** The series of the x-axis metric (same run) when `kind` is `metric`. */
  xSeries?: SeriesColumns;
}

/**
 * The x value of each bucket of `series`: its step; its wall time (ms since the epoch); seconds
 * since the run started; or the value another metric of the same run had at the same step (the
 * nearest earlier step it was logged at; NaN before its first point).
 */
export function xValues(kind: XAxisKind, series: SeriesColumns, context: XAxisContext = {}): Float64Array {
  const n = series.steps.length;
  const out = new Float64Array(n);
  switch (kind) {
    case 'step':
      out.set(series.steps);
      return out;
    case 'wallTime':
      out.set(series.times);
      return out;
    case 'relativeTime': {
      const origin = context.runStart ?? (n > 0 ? series.times[0] : 0);
      for (let i = 0; i < n; i++) out[i] = (series.times[i] - origin) / 1000;
      return out;
    }
    case 'metric': {
      const other = context.xSeries;
      if (!other || other.steps.length === 0) return out.fill(NaN);
      for (let i = 0; i < n; i++) out[i] = valueAtStep(other, series.steps[i]);
      return out;
    }
  }
}

/** The `last` value of `series` at `step`, or at the nearest earlier bucket; NaN before the first. */
export function valueAtStep(series: SeriesColumns, step: number): number {
  const at = lowerBound(series.steps, step);
  if (at < series.steps.length && series.steps[at] === step) return series.last[at];
  return at === 0 ? NaN : series.last[at - 1];
}

/** A tick label for an x value: steps as integers, wall time as a date-time, relative time as a duration. */
export function formatX(kind: XAxisKind, value: number): string {
  if (!Number.isFinite(value)) return '';
  switch (kind) {
    case 'step':
      return Math.abs(value) >= 1e6 ? value.toExponential(2) : String(Math.round(value));
    case 'wallTime':
      return formatDateTime(value);
    case 'relativeTime':
      return formatSeconds(value);
    case 'metric':
      return formatNumber(value);
  }
}

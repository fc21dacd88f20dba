import { binCounts, ColumnKind, ColumnProfile, DatasetProfile, parseFiniteNumber, quantileSorted } from '../data/columnStats';
import { chiSquareHomogeneityTest, kolmogorovSmirnovTest, populationStabilityIndex } from './statistics';

export interface DriftThresholds {
  /** A column drifts when its PSI is at least this; 0.2 unless told. */
  psi: number;
  /** A numeric column drifts when the KS p-value is below this; 0.05 unless told. */
  ksPValue: number;
  /** A categorical column drifts when the chi-square p-value is below this; 0.05 unless told. */
  chi2PValue: number;
  /** A column drifts when its null rate moves by at least this (0.1 = 10 points); 0.1 unless told. */
  nullRateShift: number;
}

export const defaultDriftThresholds: DriftThresholds = { psi: 0.2, ksPValue: 0.05, chi2PValue: 0.05, nullRateShift: 0.1 };

/** Number of quantile bins numeric PSI cuts from the reference. */
export const psiBinCount = 10;

/** One bar pair of a column's histogram: the share of non-null values in the bin on each side. */
export interface DriftBin {
  label: string;
  reference: number;
  current: number;
}

export interface ColumnDrift {
  column: string;
  /** How the column was compared: numeric only when both sides are numeric. */
  kind: ColumnKind;
  /** The kinds differed (a reason to drift on its own). */
  kindChange?: { reference: ColumnKind; current: ColumnKind };
  /** Null when a side has no non-null values. */
  psi: number | null;
  ks?: number;
  ksPValue?: number;
  chi2?: number;
  chi2PValue?: number;
  chi2DegreesOfFreedom?: number;
  nullRateRef: number;
  nullRateCur: number;
  meanRef?: number;
  meanCur?: number;
  stdRef?: number;
  stdCur?: number;
  /** meanCur - meanRef, and that in reference standard deviations (absent when stdRef is 0). */
  meanShift?: number;
  meanShiftInStd?: number;
  /** stdCur - stdRef, and that in reference standard deviations (absent when stdRef is 0). */
  stdShift?: number;
  stdShiftInStd?: number;
  /** Non-null values on each side. */
  valueCountRef: number;
  valueCountCur: number;
  /** PSI's bins (numeric) or the most common categories, for charts. */
  bins: DriftBin[];
  drifted: boolean;
  /** Why it drifted, one sentence each; empty when it did not. */
  reasons: string[];
  /** The first reason, short, for the summary: `PSI 0.41`, `KS p=0.001`. */
  headline?: string;
}

export interface DriftReport {
  columns: ColumnDrift[];
  /** Columns in only one dataset (not in `columns`). */
  missingColumns: { column: string; missingFrom: 'reference' | 'current' }[];
  rowCountRef: number;
  rowCountCur: number;
  driftedCount: number;
  /** Drifted share of the compared columns (0..1). */
  driftShare: number;
  /** Mean PSI over the columns that have one; NaN when none does. */
  meanPsi: number;
  thresholds: DriftThresholds;
  /** One plain sentence: `3 of 20 columns drifted: age (PSI 0.41), income (KS p=0.001), city (χ² p<0.001).` */
  summary: string;
}

/** Categories charted per column; the rest share one bar. */
const chartedCategories = 10;
/** Drifted columns named in the summary before "and N more". */
const summarisedColumns = 8;

/**
 * Compares every column that both datasets have: numeric columns by PSI over 10 reference-quantile
 * bins and the KS test, categorical ones (or a column whose kind differs) by PSI over categories
 * and the chi-square test of homogeneity, both by the null-rate shift. Nulls are left out of the
 * distribution tests. With a million rows the tests detect very small shifts: read p-values with
 * PSI and the mean shift beside them.
 */
export function checkDrift(reference: DatasetProfile, current: DatasetProfile, thresholds: Partial<DriftThresholds> = {}): DriftReport {
  const limits: DriftThresholds = { ...defaultDriftThresholds, ...thresholds };
  const currentByName = new Map(current.columns.map((column) => [column.name, column]));
  const referenceNames = new Set(reference.columns.map((column) => column.name));
  const columns: ColumnDrift[] = [];
  const missingColumns: DriftReport['missingColumns'] = [];
  for (const referenceColumn of reference.columns) {
    const currentColumn = currentByName.get(referenceColumn.name);
    if (currentColumn === undefined) {
      missingColumns.push({ column: referenceColumn.name, missingFrom: 'current' });
      continue;
    }
    columns.push(compareColumn(referenceColumn, currentColumn, limits));
  }
  for (const currentColumn of current.columns) {
    if (!referenceNames.has(currentColumn.name)) {
      missingColumns.push({ column: currentColumn.name, missingFrom: 'reference' });
    }
  }
  const drifted = columns.filter((column) => column.drifted);
  const psiValues = columns.map((column) => column.psi).filter((psi): psi is number => psi !== null);
  const report: DriftReport = {
    columns,
    missingColumns,
    rowCountRef: reference.rowCount,
    rowCountCur: current.rowCount,
    driftedCount: drifted.length,
    driftShare: columns.length === 0 ? 0 : drifted.length / columns.length,
    meanPsi: psiValues.length === 0 ? NaN : psiValues.reduce((total, psi) => total + psi, 0) / psiValues.length,
    thresholds: limits,
    summary: '',
  };
  report.summary = summarizeDrift(report);
  return report;
}

/** The report's one-sentence summary (see `DriftReport.summary`). */
export function summarizeDrift(report: Omit<DriftReport, 'summary'>): string {
  const total = report.columns.length;
  const drifted = report.columns.filter((column) => column.drifted);
  let sentence: string;
  if (total === 0) {
    sentence = 'No columns to compare: the two datasets share no column names.';
  } else if (drifted.length === 0) {
    const psi = Number.isNaN(report.meanPsi) ? '' : ` (mean PSI ${formatPsi(report.meanPsi)})`;
    sentence = `No drift: 0 of ${total} column${total === 1 ? '' : 's'} drifted${psi}.`;
  } else {
    const named = drifted.slice(0, summarisedColumns).map((column) => `${column.column} (${column.headline})`);
    const more = drifted.length > summarisedColumns ? ` and ${drifted.length - summarisedColumns} more` : '';
    sentence = `${drifted.length} of ${total} column${total === 1 ? '' : 's'} drifted: ${named.join(', ')}${more}.`;
  }
  const missingFromCurrent = report.missingColumns.filter((entry) => entry.missingFrom === 'current').map((entry) => entry.column);
  const newInCurrent = report.missingColumns.filter((entry) => entry.missingFrom === 'reference').map((entry) => entry.column);
  if (missingFromCurrent.length > 0) {
    sentence += ` Missing from the current data: ${missingFromCurrent.join(', ')}.`;
  }
  if (newInCurrent.length > 0) {
    sentence += ` Not in the reference data: ${newInCurrent.join(', ')}.`;
  }
  return sentence;
}

function compareColumn(reference: ColumnProfile, current: ColumnProfile, limits: DriftThresholds): ColumnDrift {
  const reasons: string[] = [];
  const headlines: string[] = [];
  const flag = (reason: string, headline: string): void => {
    reasons.push(reason);
    headlines.push(headline);
  };
  // An all-null column counts as numeric; its kind says nothing, so it cannot have changed.
  const bothHaveValues = reference.valueCount > 0 && current.valueCount > 0;
  const kindChanged = bothHaveValues && reference.kind !== current.kind;
  const result: ColumnDrift = {
    column: reference.name,
    kind: kindChanged ? 'categorical' : reference.valueCount > 0 ? reference.kind : current.kind,
    psi: null,
    nullRateRef: reference.nullRate,
    nullRateCur: current.nullRate,
    valueCountRef: reference.valueCount,
    valueCountCur: current.valueCount,
    bins: [],
    drifted: false,
    reasons,
  };
  if (kindChanged) {
    result.kindChange = { reference: reference.kind, current: current.kind };
    flag(`Its type changed from ${reference.kind} to ${current.kind}.`, `${reference.kind} → ${current.kind}`);
  }
  if (!bothHaveValues) {
    if (reference.valueCount !== current.valueCount) {
      const side = current.valueCount === 0 ? 'current' : 'reference';
      flag(`It has no non-empty values in the ${side} data.`, `all empty in ${side}`);
    }
  } else if (result.kind === 'numeric') {
    compareNumeric(reference, current, result, limits, flag);
  } else {
    compareCategorical(reference, current, kindChanged, result, limits, flag);
  }
  const nullShift = current.nullRate - reference.nullRate;
  if (Math.abs(nullShift) >= limits.nullRateShift) {
    flag(
      `Its null rate moved from ${formatPercent(reference.nullRate)} to ${formatPercent(current.nullRate)} (limit ±${formatPercent(limits.nullRateShift)}).`,
      `nulls ${formatPercent(reference.nullRate)} → ${formatPercent(current.nullRate)}`,
    );
  }
  result.drifted = reasons.length > 0;
  if (result.drifted) {
    result.headline = headlines[0];
  }
  return result;
}

type Flag = (reason: string, headline: string) => void;

function compareNumeric(reference: ColumnProfile, current: ColumnProfile, result: ColumnDrift, limits: DriftThresholds, flag: Flag): void {
  const referenceValues = reference.sortedValues as Float64Array;
  const currentValues = current.sortedValues as Float64Array;
  const cutPoints: number[] = [];
  for (let bin = 1; bin < psiBinCount; bin++) {
    const cut = quantileSorted(referenceValues, bin / psiBinCount);
    if (cutPoints.length === 0 || cut > cutPoints[cutPoints.length - 1]) {
      cutPoints.push(cut);
    }
  }
  const referenceCounts = binCounts(referenceValues, cutPoints);
  const currentCounts = binCounts(currentValues, cutPoints);
  result.psi = populationStabilityIndex(referenceCounts, currentCounts);
  result.bins = numericBinLabels(cutPoints).map((label, index) => ({
    label,
    reference: referenceCounts[index] / referenceValues.length,
    current: currentCounts[index] / currentValues.length,
  }));
  const ks = kolmogorovSmirnovTest(referenceValues, currentValues);
  result.ks = ks.statistic;
  result.ksPValue = ks.pValue;
  result.meanRef = reference.mean;
  result.meanCur = current.mean;
  result.stdRef = reference.std;
  result.stdCur = current.std;
  const meanRef = reference.mean as number;
  const stdRef = reference.std as number;
  result.meanShift = (current.mean as number) - meanRef;
  result.stdShift = (current.std as number) - stdRef;
  if (stdRef > 0) {
    result.meanShiftInStd = result.meanShift / stdRef;
    result.stdShiftInStd = result.stdShift / stdRef;
  }
  if (result.psi >= limits.psi) {
    flag(`PSI ${formatPsi(result.psi)} is at or above ${limits.psi}.`, `PSI ${formatPsi(result.psi)}`);
  }
  if (ks.pValue < limits.ksPValue) {
    flag(`KS test: D=${ks.statistic.toFixed(3)}, ${formatPValue(ks.pValue)} is below ${limits.ksPValue}.`, `KS ${formatPValue(ks.pValue)}`);
  }
}

function compareCategorical(
  reference: ColumnProfile,
  current: ColumnProfile,
  kindChanged: boolean,
  result: ColumnDrift,
  limits: DriftThresholds,
  flag: Flag,
): void {
  const referenceCounts = categoryCounts(reference, kindChanged);
  const currentCounts = categoryCounts(current, kindChanged);
  const names = [...new Set([...referenceCounts.keys(), ...currentCounts.keys()])];
  const referenceVector = names.map((name) => referenceCounts.get(name) ?? 0);
  const currentVector = names.map((name) => currentCounts.get(name) ?? 0);
  result.psi = populationStabilityIndex(referenceVector, currentVector);
  const chiSquare = chiSquareHomogeneityTest(referenceVector, currentVector);
  result.chi2 = chiSquare.statistic;
  result.chi2PValue = chiSquare.pValue;
  result.chi2DegreesOfFreedom = chiSquare.degreesOfFreedom;
  result.bins = categoryBins(names, referenceVector, currentVector);
  if (result.psi >= limits.psi) {
    flag(`PSI ${formatPsi(result.psi)} is at or above ${limits.psi}.`, `PSI ${formatPsi(result.psi)}`);
  }
  if (chiSquare.pValue < limits.chi2PValue) {
    flag(
      `Chi-square test: χ²=${chiSquare.statistic.toFixed(1)} with ${chiSquare.degreesOfFreedom} df, ${formatPValue(chiSquare.pValue)} is below ${limits.chi2PValue}.`,
      `χ² ${formatPValue(chiSquare.pValue)}`,
    );
  }
}

const otherValuesLabel = '(other values)';

/** Counts per category; with `canonical`, numbers are keyed as `String(x)` on both sides so "1.0" meets 1. */
function categoryCounts(column: ColumnProfile, canonical: boolean): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (key: string, count: number): void => {
    counts.set(key, (counts.get(key) ?? 0) + count);
  };
  if (column.kind === 'numeric') {
    const values = column.sortedValues as Float64Array;
    for (let start = 0; start < values.length; ) {
      let end = start + 1;
      while (end < values.length && values[end] === values[start]) {
        end++;
      }
      add(String(values[start]), end - start);
      start = end;
    }
    return counts;
  }
  for (const [key, count] of column.categories as Map<string, number>) {
    const number = canonical ? parseFiniteNumber(key) : NaN;
    add(Number.isNaN(number) ? key : String(number), count);
  }
  if ((column.otherCount ?? 0) > 0) {
    add(otherValuesLabel, column.otherCount as number);
  }
  return counts;
}

function categoryBins(names: string[], referenceCounts: number[], currentCounts: number[]): DriftBin[] {
  const referenceTotal = referenceCounts.reduce((total, count) => total + count, 0);
  const currentTotal = currentCounts.reduce((total, count) => total + count, 0);
  const bins = names.map((label, index) => ({
    label,
    reference: referenceCounts[index] / referenceTotal,
    current: currentCounts[index] / currentTotal,
  }));
  bins.sort((a, b) => Math.max(b.reference, b.current) - Math.max(a.reference, a.current) || a.label.localeCompare(b.label));
  if (bins.length <= chartedCategories + 1) {
    return bins;
  }
  const rest = bins.slice(chartedCategories);
  const grouped: DriftBin = {
    label: `${rest.length} other categories`,
    reference: rest.reduce((total, bin) => total + bin.reference, 0),
    current: rest.reduce((total, bin) => total + bin.current, 0),
  };
  return [...bins.slice(0, chartedCategories), grouped];
}

function numericBinLabels(cutPoints: readonly number[]): string[] {
  if (cutPoints.length === 0) {
    return ['all values'];
  }
  const labels = [`≤ ${formatNumber(cutPoints[0])}`];
  for (let index = 1; index < cutPoints.length; index++) {
    labels.push(`${formatNumber(cutPoints[index - 1])} – ${formatNumber(cutPoints[index])}`);
  }
  labels.push(`> ${formatNumber(cutPoints[cutPoints.length - 1])}`);
  return labels;
}

/** A number in at most 4 significant digits, without a trailing `.000`. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) {
    return String(value);
  }
  if (value !== 0 && (Math.abs(value) >= 1e6 || Math.abs(value) < 1e-3)) {
    return value.toExponential(2);
  }
  return String(Number(value.toPrecision(4)));
}

/** `p<0.001` or `p=0.013`. */
export function formatPValue(p: number): string {
  return p < 0.001 ? 'p<0.001' : `p=${p.toFixed(3)}`;
}

export function formatPsi(psi: number): string {
  return psi.toFixed(2);
}

export function formatPercent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

import { parseFiniteNumber } from '../data/columnStats';

export interface RegressionMetrics {
  count: number;
  mse: number;
  rmse: number;
  mae: number;
  /** Coefficient of determination; as scikit-learn: 1 for a perfect fit of constant targets, 0 for an imperfect one. */
  r2: number;
}

export type Label = string | number | boolean;

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Rows whose true label is this one. */
  support: number;
}

export interface ClassificationMetrics {
  count: number;
  accuracy: number;
  /** Binary: of the positive label. Macro: the unweighted mean over classes. */
  precision: number;
  recall: number;
  f1: number;
  average: 'binary' | 'macro';
  /** The positive label (binary only), as text. */
  positiveLabel?: string;
  /** Per class, in label order (numbers by value, then texts). */
  perClass: ClassMetrics[];
}

export interface ClassificationOptions {
  /** Score this label as positive (binary average). Without it, the average is macro. */
  positiveLabel?: Label;
}

export type TaskKind = 'regression' | 'classification';

/** Distinct numeric labels above which a numeric target is taken for regression. */
export const maximumClassCount = 20;

/** Mean squared and absolute error, their root, and R² of predictions against true values. */
export function regressionMetrics(actual: readonly number[], predicted: readonly number[]): RegressionMetrics {
  checkPairs(actual.length, predicted.length);
  const count = actual.length;
  let squared = 0;
  let absolute = 0;
  let mean = 0;
  for (let index = 0; index < count; index++) {
    const truth = actual[index];
    const guess = predicted[index];
    if (!Number.isFinite(truth) || !Number.isFinite(guess)) {
      throw new RangeError(`Row ${index + 1} is not a pair of finite numbers (true ${truth}, predicted ${guess})`);
    }
    const error = truth - guess;
    squared += error * error;
    absolute += Math.abs(error);
    mean += (truth - mean) / (index + 1);
  }
  let total = 0;
  for (const truth of actual) {
    total += (truth - mean) ** 2;
  }
  const mse = squared / count;
  const r2 = total === 0 ? (squared === 0 ? 1 : 0) : 1 - squared / total;
  return { count, mse, rmse: Math.sqrt(mse), mae: absolute / count, r2 };
}

/**
 * Accuracy, precision, recall and F1. With `positiveLabel`: the scores of that label against all
 * others (it must occur in one of the lists). Without:
 * macro averages over every label seen in either list. A score whose denominator is 0 is 0
 * (scikit-learn's `zero_division=0`). Labels match by text, numbers by value: 1, "1" and "1.0" are
 * one label, so CSV text meets a model's numbers.
 */
export function classificationMetrics(actual: readonly Label[], predicted: readonly Label[], options: ClassificationOptions = {}): ClassificationMetrics {
  checkPairs(actual.length, predicted.length);
  const count = actual.length;
  const truePositives = new Map<string, number>();
  const predictedCounts = new Map<string, number>();
  const actualCounts = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string): void => {
    map.set(key, (map.get(key) ?? 0) + 1);
  };
  let correct = 0;
  for (let index = 0; index < count; index++) {
    const truth = labelKey(actual[index]);
    const guess = labelKey(predicted[index]);
    bump(actualCounts, truth);
    bump(predictedCounts, guess);
    if (truth === guess) {
      correct++;
      bump(truePositives, truth);
    }
  }
  const labels = sortLabels([...new Set([...actualCounts.keys(), ...predictedCounts.keys()])]);
  const perClass = labels.map((label): ClassMetrics => {
    const hits = truePositives.get(label) ?? 0;
    const precision = ratio(hits, predictedCounts.get(label) ?? 0);
    const recall = ratio(hits, actualCounts.get(label) ?? 0);
    return { label, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support: actualCounts.get(label) ?? 0 };
  });
  const accuracy = correct / count;
  if (options.positiveLabel !== undefined) {
    const positive = labelKey(options.positiveLabel);
    const scores = perClass.find((entry) => entry.label === positive);
    if (scores === undefined) {
      throw new RangeError(`The positive label '${positive}' is in neither the true nor the predicted labels (${labels.join(', ')})`);
    }
    return { count, accuracy, precision: scores.precision, recall: scores.recall, f1: scores.f1, average: 'binary', positiveLabel: positive, perClass };
  }
  const mean = (pick: (entry: ClassMetrics) => number): number => perClass.reduce((total, entry) => total + pick(entry), 0) / perClass.length;
  return {
    count,
    accuracy,
    precision: mean((entry) => entry.precision),
    recall: mean((entry) => entry.recall),
    f1: mean((entry) => entry.f1),
    average: 'macro',
    perClass,
  };
}

/**
 * Regression or classification from the true labels: regression when every (non-empty) label is
 * a number and there are more than `maximumClassCount` distinct ones, or more than two distinct
 * ones of which some are fractional; classification otherwise (texts, booleans, a few integers).
 */
export function detectTask(labels: readonly (Label | null | undefined)[]): TaskKind {
  const distinct = new Set<number>();
  let fractional = false;
  for (const label of labels) {
    if (label === null || label === undefined || label === '') {
      continue;
    }
    const value = typeof label === 'number' ? label : typeof label === 'string' ? parseFiniteNumber(label) : NaN;
    if (!Number.isFinite(value)) {
      return 'classification';
    }
    distinct.add(value);
    if (!Number.isInteger(value)) {
      fractional = true;
    }
  }
  if (distinct.size > maximumClassCount || (fractional && distinct.size > 2)) {
    return 'regression';
  }
  return 'classification';
}

/** A label's identity: numbers (and numeric texts) by value, everything else by text. */
export function labelKey(label: Label): string {
  if (typeof label === 'number') {
    return String(label);
  }
  if (typeof label === 'boolean') {
    return String(label);
  }
  const value = parseFiniteNumber(label);
  return Number.isNaN(value) ? label : String(value);
}

function sortLabels(labels: string[]): string[] {
  return labels.sort((a, b) => {
    const x = parseFiniteNumber(a);
    const y = parseFiniteNumber(b);
    const aNumber = !Number.isNaN(x);
    const bNumber = !Number.isNaN(y);
    if (aNumber && bNumber) {
      return x - y;
    }
    if (aNumber !== bNumber) {
      return aNumber ? -1 : 1;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

function checkPairs(actualLength: number, predictedLength: number): void {
  if (actualLength !== predictedLength) {
    throw new RangeError(`There are ${actualLength} true values but ${predictedLength} predictions; they must pair up row by row`);
  }
  if (actualLength === 0) {
    throw new RangeError('There are no rows to score');
  }
}

import type { DiffValue } from './runDiff';

/** One vertical axis of a parallel-coordinates chart. */
export type ParallelAxis =
  | { id: string; label: string; kind: 'numeric'; min: number; max: number }
  | { id: string; label: string; kind: 'categorical'; categories: string[] };

/** A numeric axis when every present value is a number (or numeric text), else categories in natural order. */
export function buildAxis(id: string, label: string, values: readonly DiffValue[]): ParallelAxis {
  const present = values.filter((v): v is string | number => v !== undefined);
  const numbers = present.map((v) => (typeof v === 'number' ? v : v.trim() === '' ? NaN : Number(v)));
  if (present.length > 0 && numbers.every((n) => Number.isFinite(n))) {
    return { id, label, kind: 'numeric', min: Math.min(...numbers), max: Math.max(...numbers) };
  }
  const categories = [...new Set(present.map(String))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  return { id, label, kind: 'categorical', categories };
}

/**
 * Where a value sits on its axis, 0 (bottom) to 1 (top); undefined when the run has no value
 * there. A numeric axis whose values are all equal puts them in the middle; categories are spread
 * evenly (one category: the middle).
 */
export function axisPosition(axis: ParallelAxis, value: DiffValue): number | undefined {
  if (value === undefined) return undefined;
  if (axis.kind === 'numeric') {
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(n)) return undefined;
    return axis.max === axis.min ? 0.5 : (n - axis.min) / (axis.max - axis.min);
  }
  const index = axis.categories.indexOf(String(value));
  if (index < 0) return undefined;
  return axis.categories.length === 1 ? 0.5 : index / (axis.categories.length - 1);
}

/** Tick labels of an axis: its categories, or min / middle / max. */
export function axisTicks(axis: ParallelAxis, format: (n: number) => string): { position: number; label: string }[] {
  if (axis.kind === 'categorical') return axis.categories.map((label) => ({ position: axisPosition(axis, label)!, label }));
  if (axis.min === axis.max) return [{ position: 0.5, label: format(axis.min) }];
  return [0, 0.5, 1].map((position) => ({ position, label: format(axis.min + position * (axis.max - axis.min)) }));
}

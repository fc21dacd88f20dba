import type { CompareRun } from '../protocol/compareProtocol';

export type DiffSection = 'attribute' | 'param' | 'metric' | 'tag' | 'systemTag';
export type DiffValue = string | number | undefined;

export interface DiffRow {
  section: DiffSection;
  key: string;
  /** One value per run, in the runs' order (undefined: the run has none). */
  values: DiffValue[];
  /** Not every run has the same value (a missing value differs from any value). */
  differs: boolean;
  numeric: boolean;
  /** For numeric rows that differ: the runs holding the lowest and the highest value. */
  lowest?: number[];
  highest?: number[];
}

/** A compared value by axis id: `param:<k>`, `metric:<k>` (last value), `tag:<k>`, `attribute:<name|status|duration|user>`. */
export function compareValue(run: CompareRun, id: string): DiffValue {
  const colon = id.indexOf(':');
  const kind = id.slice(0, colon);
  const key = id.slice(colon + 1);
  switch (kind) {
    case 'param':
      return run.params[key];
    case 'tag':
      return run.tags[key];
    case 'metric': {
      const metric = run.metrics[key];
      return metric === undefined ? undefined : metric.last === 'NaN' ? NaN : metric.last;
    }
    case 'attribute':
      if (key === 'name') return run.name;
      if (key === 'status') return run.status;
      if (key === 'user') return run.userId ?? undefined;
      if (key === 'duration') return run.startTime !== null && run.endTime !== null ? run.endTime - run.startTime : undefined;
      if (key === 'start') return run.startTime ?? undefined;
      return undefined;
    default:
      return undefined;
  }
}

function same(a: DiffValue, b: DiffValue): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));
}

/** Builds one diff row from values (numeric when every present value is a finite number or numeric text). */
export function diffRow(section: DiffSection, key: string, values: DiffValue[]): DiffRow {
  const differs = values.some((v) => !same(v, values[0]));
  const present = values.filter((v) => v !== undefined);
  const numbers = present.map((v) => (typeof v === 'number' ? v : v!.trim() === '' ? NaN : Number(v)));
  const numeric = present.length > 0 && numbers.every((n) => Number.isFinite(n));
  const row: DiffRow = { section, key, values, differs, numeric };
  if (numeric && differs) {
    const asNumbers = values.map((v) => (v === undefined ? undefined : typeof v === 'number' ? v : Number(v)));
    const defined = asNumbers.filter((n): n is number => n !== undefined);
    const lo = Math.min(...defined);
    const hi = Math.max(...defined);
    if (lo !== hi) {
      row.lowest = asNumbers.flatMap((n, i) => (n === lo ? [i] : []));
      row.highest = asNumbers.flatMap((n, i) => (n === hi ? [i] : []));
    }
  }
  return row;
}

/** Every attribute, param, metric and tag of the runs, one row each, marking what differs. */
export function diffRuns(runs: readonly CompareRun[]): DiffRow[] {
  const rows: DiffRow[] = [];
  for (const key of ['status', 'duration', 'user']) rows.push(diffRow('attribute', key, runs.map((r) => compareValue(r, `attribute:${key}`))));
  const keys = (pick: (run: CompareRun) => Record<string, unknown>): string[] => [...new Set(runs.flatMap((r) => Object.keys(pick(r))))].sort();
  for (const key of keys((r) => r.params)) rows.push(diffRow('param', key, runs.map((r) => r.params[key])));
  for (const key of keys((r) => r.metrics)) rows.push(diffRow('metric', key, runs.map((r) => compareValue(r, `metric:${key}`))));
  for (const key of keys((r) => r.tags)) {
    if (key === 'mlflow.runName' || key === 'mlflow.log-model.history') continue;
    rows.push(diffRow(key.startsWith('mlflow.') ? 'systemTag' : 'tag', key, runs.map((r) => r.tags[key])));
  }
  return rows;
}

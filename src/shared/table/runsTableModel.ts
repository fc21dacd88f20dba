import type { SortDirection, TableRow } from '../protocol/runsTableProtocol';
import { cellValue, type TableColumn } from './runsTableColumns';

type SortKey = string | number | undefined;

/** Orders two cell values: numbers numerically, text naturally (`run-2` before `run-10`). */
export function compareValues(a: SortKey, b: SortKey): number {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number(Number.isNaN(a)) - Number(Number.isNaN(b));
    return a - b;
  }
  return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: 'base' });
}

/**
 * Rows sorted by one column (stable: ties keep the server's order). Runs without a value sort last
 * in either direction, NaN just before them; params that look numeric sort as numbers.
 */
export function sortRows(rows: readonly TableRow[], column: TableColumn | undefined, direction: SortDirection, now: number): TableRow[] {
  if (!column) return [...rows];
  const sign = direction === 'asc' ? 1 : -1;
  const keyed = rows.map((row, index) => {
    let value = cellValue(row, column, now);
    if (typeof value === 'string' && !column.numeric && value.trim() !== '' && Number.isFinite(Number(value))) value = Number(value);
    return { row, index, value };
  });
  keyed.sort((x, y) => {
    const xMissing = x.value === undefined;
    const yMissing = y.value === undefined;
    if (xMissing || yMissing) return xMissing === yMissing ? x.index - y.index : xMissing ? 1 : -1;
    const xNaN = typeof x.value === 'number' && Number.isNaN(x.value);
    const yNaN = typeof y.value === 'number' && Number.isNaN(y.value);
    if (xNaN || yNaN) return xNaN === yNaN ? x.index - y.index : xNaN ? 1 : -1;
    const mixed = typeof x.value !== typeof y.value;
    const order = mixed ? (typeof x.value === 'number' ? -1 : 1) : compareValues(x.value, y.value);
    return order * (mixed ? 1 : sign) || x.index - y.index;
  });
  return keyed.map((k) => k.row);
}

export interface GroupStat {
  mean: number;
  min: number;
  max: number;
  /** Runs of the group with a finite value. */
  count: number;
}

export interface RowGroup {
  /** The grouping value ('' for runs without one). */
  value: string;
  label: string;
  rows: TableRow[];
  /** By metric column id: mean/min/max of the runs' values (NaN and missing values left out). */
  stats: Record<string, GroupStat>;
}

export const NO_VALUE_LABEL = '(none)';

/** Groups rows (kept in their order inside each group) by a param or tag column, with metric stats per group. */
export function groupRows(rows: readonly TableRow[], by: TableColumn, metricColumns: readonly TableColumn[], now: number): RowGroup[] {
  const groups = new Map<string, TableRow[]>();
  for (const row of rows) {
    const value = cellValue(row, by, now);
    const key = value === undefined ? '' : String(value);
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(row);
  }
  const ordered = [...groups.keys()].sort((a, b) => (a === '' ? 1 : b === '' ? -1 : compareValues(numberOrText(a), numberOrText(b))));
  return ordered.map((value) => {
    const members = groups.get(value)!;
    const stats: Record<string, GroupStat> = {};
    for (const column of metricColumns) {
      const stat = columnStats(members, column, now);
      if (stat) stats[column.id] = stat;
    }
    return { value, label: value === '' ? NO_VALUE_LABEL : value, rows: members, stats };
  });
}

function numberOrText(value: string): string | number {
  return value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
}

/** Mean, min and max of a numeric column over rows (undefined when no row has a finite value). */
export function columnStats(rows: readonly TableRow[], column: TableColumn, now: number): GroupStat | undefined {
  let sum = 0;
  let count = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const row of rows) {
    const value = cellValue(row, column, now);
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    sum += value;
    count++;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return count === 0 ? undefined : { mean: sum / count, min, max, count };
}

/** One line of the virtual list: a group header or a run. */
export type DisplayItem = { kind: 'group'; group: RowGroup; collapsed: boolean } | { kind: 'run'; row: TableRow; depth: number };

/** The lines to draw: runs, or group headers each followed by its runs unless collapsed. */
export function displayItems(rows: readonly TableRow[], groups: readonly RowGroup[] | undefined, collapsed: ReadonlySet<string>): DisplayItem[] {
  if (!groups) return rows.map((row) => ({ kind: 'run', row, depth: 0 }));
  const out: DisplayItem[] = [];
  for (const group of groups) {
    const isCollapsed = collapsed.has(group.value);
    out.push({ kind: 'group', group, collapsed: isCollapsed });
    if (!isCollapsed) for (const row of group.rows) out.push({ kind: 'run', row, depth: 1 });
  }
  return out;
}

/** The run ids from `anchor` to `target` inclusive, in display order (shift-click selection). */
export function rangeBetween(orderedIds: readonly string[], anchor: string | undefined, target: string): string[] {
  const to = orderedIds.indexOf(target);
  if (to < 0) return [];
  const from = anchor === undefined ? -1 : orderedIds.indexOf(anchor);
  if (from < 0) return [target];
  return orderedIds.slice(Math.min(from, to), Math.max(from, to) + 1);
}

/**
 * The filter box: what is typed (`draft`), what the table shows (`applied`), and the host's verdict
 * on the draft. Answers for an older draft than the one now typed are ignored.
 */
export interface FilterState {
  draft: string;
  applied: string;
  error?: string;
  /** The draft a check is under way for. */
  checking?: string;
}

export type FilterEvent =
  | { kind: 'edited'; text: string }
  | { kind: 'checking'; text: string }
  | { kind: 'checked'; text: string; error?: string }
  | { kind: 'applied'; text: string };

export function nextFilterState(state: FilterState, event: FilterEvent): FilterState {
  switch (event.kind) {
    case 'edited':
      return { draft: event.text, applied: state.applied, ...(event.text === state.draft ? { error: state.error } : {}) };
    case 'checking':
      return event.text === state.draft ? { ...state, checking: event.text } : state;
    case 'checked':
      if (event.text !== state.draft) return state;
      return { draft: state.draft, applied: state.applied, ...(event.error ? { error: event.error } : {}) };
    case 'applied':
      return { draft: state.draft, applied: event.text, ...(event.text === state.draft ? {} : state.error ? { error: state.error } : {}) };
  }
}

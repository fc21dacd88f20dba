import type { ColumnLayout, TableData, TableRow } from '../protocol/runsTableProtocol';

/** What a runs-table column shows. Metric columns show the last value; min/max/count columns are optional. */
export type ColumnKind = 'attribute' | 'param' | 'metric' | 'metricMin' | 'metricMax' | 'metricCount' | 'tag';
export type AttributeKey = 'name' | 'status' | 'start' | 'duration' | 'user' | 'source' | 'experiment';

export interface TableColumn {
  /** `<kind>:<key>`, e.g. `metric:val_loss`, `attribute:start`. */
  id: string;
  kind: ColumnKind;
  key: string;
  label: string;
  /** Sorted as numbers (else as text). */
  numeric: boolean;
  width: number;
}

export const ATTRIBUTE_LABELS: Record<AttributeKey, string> = {
  name: 'Run Name',
  status: 'Status',
  start: 'Started',
  duration: 'Duration',
  user: 'User',
  source: 'Source',
  experiment: 'Experiment',
};
const ATTRIBUTE_WIDTHS: Record<AttributeKey, number> = { name: 200, status: 96, start: 150, duration: 90, user: 110, source: 150, experiment: 130 };
const NUMERIC_ATTRIBUTES = new Set<string>(['start', 'duration']);
const KIND_SUFFIX: Partial<Record<ColumnKind, string>> = { metricMin: ' (min)', metricMax: ' (max)', metricCount: ' (count)' };

export function columnId(kind: ColumnKind, key: string): string {
  return `${kind}:${key}`;
}

export function parseColumnId(id: string): { kind: ColumnKind; key: string } {
  const colon = id.indexOf(':');
  return { kind: id.slice(0, colon) as ColumnKind, key: id.slice(colon + 1) };
}

export function makeColumn(kind: ColumnKind, key: string): TableColumn {
  if (kind === 'attribute') {
    const attribute = key as AttributeKey;
    return { id: columnId(kind, key), kind, key, label: ATTRIBUTE_LABELS[attribute] ?? key, numeric: NUMERIC_ATTRIBUTES.has(key), width: ATTRIBUTE_WIDTHS[attribute] ?? 120 };
  }
  const numeric = kind === 'metric' || kind === 'metricMin' || kind === 'metricMax' || kind === 'metricCount';
  return { id: columnId(kind, key), kind, key, label: `${key}${KIND_SUFFIX[kind] ?? ''}`, numeric, width: numeric ? 110 : 120 };
}

/** Every column the data offers, in the chooser's order: attributes, params, metrics (+ min/max/count), tags. */
export function allColumns(data: TableData, options: { multipleExperiments: boolean; summaries: boolean }): TableColumn[] {
  const attributes: AttributeKey[] = ['name', 'status', 'start', 'duration', 'user', 'source'];
  if (options.multipleExperiments) attributes.splice(1, 0, 'experiment');
  const columns = attributes.map((key) => makeColumn('attribute', key));
  for (const key of data.columns.params) columns.push(makeColumn('param', key));
  for (const key of data.columns.metrics) {
    columns.push(makeColumn('metric', key));
    if (options.summaries) for (const kind of ['metricMin', 'metricMax', 'metricCount'] as const) columns.push(makeColumn(kind, key));
  }
  for (const key of data.columns.tags) columns.push(makeColumn('tag', key));
  return columns;
}

/** Shown by default: attributes, params, metrics' last values (tags, min/max/count on request). */
export function defaultVisible(columns: readonly TableColumn[]): string[] {
  return columns.filter((c) => c.kind === 'attribute' || c.kind === 'param' || c.kind === 'metric').map((c) => c.id);
}

/** The columns to draw: pinned first (in pin order), then the visible ones in their order. Unknown ids are dropped. */
export function visibleColumns(columns: readonly TableColumn[], layout: ColumnLayout | undefined): TableColumn[] {
  const byId = new Map(columns.map((c) => [c.id, c]));
  const visible = layout?.visible ?? defaultVisible(columns);
  const pinned = (layout?.pinned ?? ['attribute:name']).filter((id) => byId.has(id));
  const out = pinned.map((id) => byId.get(id)!);
  for (const id of visible) if (!pinned.includes(id) && byId.has(id)) out.push(byId.get(id)!);
  return out;
}

/** The value a cell sorts, groups and exports by: a number, a string, or undefined when the run has none. */
export function cellValue(row: TableRow, column: Pick<TableColumn, 'kind' | 'key'>, now: number): string | number | undefined {
  switch (column.kind) {
    case 'attribute':
      return attributeValue(row, column.key as AttributeKey, now);
    case 'param':
      return row.params[column.key];
    case 'tag':
      return row.tags[column.key];
    case 'metric': {
      const metric = row.metrics[column.key];
      if (!metric) return undefined;
      return metric[0] === 'NaN' ? NaN : metric[0];
    }
    case 'metricMin':
      return row.metrics[column.key]?.[1] ?? undefined;
    case 'metricMax':
      return row.metrics[column.key]?.[2] ?? undefined;
    case 'metricCount':
      return row.metrics[column.key]?.[3] ?? undefined;
  }
}

function attributeValue(row: TableRow, key: AttributeKey, now: number): string | number | undefined {
  switch (key) {
    case 'name':
      return row.run_name || row.run_id;
    case 'status':
      return row.status;
    case 'start':
      return row.start_time ?? undefined;
    case 'duration': {
      if (row.start_time === null) return undefined;
      const end = row.end_time ?? (row.status === 'RUNNING' ? now : null);
      return end === null ? undefined : end - row.start_time;
    }
    case 'user':
      return row.user_id ?? row.tags['mlflow.user'] ?? undefined;
    case 'source': {
      const source = row.tags['mlflow.source.name'];
      return source === undefined ? undefined : source.split(/[\\/]/).pop() || source;
    }
    case 'experiment':
      return row.experiment_id;
  }
}

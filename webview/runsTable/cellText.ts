import { formatDateTime, formatDuration, formatNumber } from '../../src/shared/displayFormat';
import type { TableRow } from '../../src/shared/protocol/runsTableProtocol';
import { cellValue, type TableColumn } from '../../src/shared/table/runsTableColumns';
import type { GroupStat } from '../../src/shared/table/runsTableModel';

let experimentNames = new Map<string, string>();

/** Names shown in the Experiment column (a search across experiments). */
export function setExperimentNames(names: Map<string, string>): void {
  experimentNames = names;
}

/** What a cell shows, and the fuller text of its tooltip. */
export function cellText(row: TableRow, column: TableColumn, now: number): { text: string; title?: string } {
  const value = cellValue(row, column, now);
  if (value === undefined) return { text: '' };
  if (column.kind === 'attribute') {
    if (column.key === 'start') return { text: formatDateTime(value as number) };
    if (column.key === 'duration') return { text: formatDuration(value as number) };
    if (column.key === 'source') return { text: String(value), title: row.tags['mlflow.source.name'] };
    if (column.key === 'experiment') return { text: experimentNames.get(String(value)) ?? String(value) };
    if (column.key === 'name') return { text: String(value), title: `${value}\n${row.run_id}` };
    return { text: String(value) };
  }
  if (column.kind === 'metric') {
    const metric = row.metrics[column.key];
    const [, min, max, count, step] = metric;
    const parts = [`last ${formatNumber(value as number)} (step ${step})`];
    if (min !== null) parts.push(`min ${formatNumber(min)}`);
    if (max !== null) parts.push(`max ${formatNumber(max)}`);
    if (count !== null) parts.push(`${count} point${count === 1 ? '' : 's'}`);
    return { text: formatNumber(value as number), title: parts.join(' · ') };
  }
  if (typeof value === 'number') return { text: formatNumber(value) };
  return { text: value, title: value.length > 20 ? value : undefined };
}

/** Four significant digits: enough for a group summary in a narrow cell. */
function short(value: number): string {
  return Number.isInteger(value) || !Number.isFinite(value) ? formatNumber(value) : formatNumber(Number(value.toPrecision(4)));
}

/** A group's mean with its min–max, for the group header's metric cells (full values in the title). */
export function groupStatText(stat: GroupStat | undefined): { mean: string; range: string; title: string } | undefined {
  if (!stat) return undefined;
  return {
    mean: short(stat.mean),
    range: stat.min === stat.max ? '' : `${short(stat.min)}–${short(stat.max)}`,
    title: `mean ${formatNumber(stat.mean)} · min ${formatNumber(stat.min)} · max ${formatNumber(stat.max)} · ${stat.count} run${stat.count === 1 ? '' : 's'}`,
  };
}

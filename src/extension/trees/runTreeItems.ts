import * as vscode from 'vscode';
import type { Experiment, Run, RunStatus, RunTreeRow } from '../../shared/entities';

/** Nodes of the Experiments view. Objects are reused across refreshes so VS Code keeps state. */
export type ExperimentsNode = ExperimentNode | RunNode | LoadMoreNode | MessageNode;

export interface ExperimentNode {
  kind: 'experiment';
  experiment: Experiment;
  runCount?: number;
}

export interface RunNode {
  kind: 'run';
  experimentId: string;
  row: RunTreeRow;
}

export interface LoadMoreNode {
  kind: 'loadMore';
  experimentId: string;
  parentRunId?: string;
  pageToken: string;
  shown: number;
}

export interface MessageNode {
  kind: 'message';
  id: string;
  label: string;
  icon: string;
  tooltip?: string;
}

const STATUS_ICONS: Record<RunStatus, [string, string | undefined]> = {
  RUNNING: ['sync~spin', 'charts.blue'],
  SCHEDULED: ['clock', 'charts.yellow'],
  FINISHED: ['pass', 'testing.iconPassed'],
  FAILED: ['error', 'testing.iconFailed'],
  KILLED: ['circle-slash', 'charts.orange'],
};

/** `2h 03m`, `4m 12s`, `850 ms`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function formatMetric(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e6) ? value.toExponential(3) : value.toPrecision(4).replace(/\.?0+$/, '');
}

export function experimentItem(node: ExperimentNode): vscode.TreeItem {
  const { experiment } = node;
  const deleted = experiment.lifecycle_stage === 'deleted';
  const item = new vscode.TreeItem(experiment.name, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `experiment:${experiment.experiment_id}`;
  item.contextValue = deleted ? 'experiment.deleted' : 'experiment';
  item.iconPath = new vscode.ThemeIcon(deleted ? 'trash' : 'beaker', deleted ? new vscode.ThemeColor('disabledForeground') : undefined);
  const count = node.runCount === undefined ? '' : `${node.runCount} run${node.runCount === 1 ? '' : 's'}`;
  item.description = [count, deleted ? 'deleted' : ''].filter(Boolean).join(' · ');
  item.tooltip = new vscode.MarkdownString(
    `**${escape(experiment.name)}** (id ${experiment.experiment_id})\n\n${count}\n\nArtifacts: \`${experiment.artifact_location}\``,
  );
  item.accessibilityInformation = { label: `Experiment ${experiment.name}, ${count}${deleted ? ', deleted' : ''}` };
  return item;
}

export function runItem(node: RunNode, keyMetric: string, now = Date.now()): vscode.TreeItem {
  const { row } = node;
  const deleted = row.lifecycle_stage === 'deleted';
  const item = new vscode.TreeItem(
    row.run_name || row.run_id.slice(0, 8),
    row.child_count > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
  );
  item.id = `run:${row.run_id}`;
  item.contextValue = deleted ? 'run.deleted' : row.entry_point ? 'run.project' : 'run';
  const [icon, color] = deleted ? ['trash', 'disabledForeground'] : STATUS_ICONS[row.status] ?? ['circle-outline', undefined];
  item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
  const parts: string[] = [];
  if (row.start_time) parts.push(formatDuration((row.end_time ?? (row.status === 'RUNNING' ? now : row.start_time)) - row.start_time));
  if (keyMetric && row.key_metric !== null && row.key_metric !== undefined) parts.push(`${keyMetric} ${formatMetric(row.key_metric)}`);
  if (row.entry_point) parts.push(`▶ ${row.entry_point}`);
  if (row.child_count > 0) parts.push(`${row.child_count} nested`);
  item.description = parts.filter(Boolean).join(' · ');
  item.command = { command: 'trackside.openRunDetails', title: 'Open Run Details', arguments: [node] };
  item.accessibilityInformation = { label: `Run ${item.label}, ${row.status.toLowerCase()}${deleted ? ', deleted' : ''}, ${item.description}` };
  return item;
}

/** The hover of a run: fetched lazily (resolveTreeItem) with params and latest metrics. */
export function runTooltip(run: Run): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escape(run.info.run_name)}** — ${run.info.status}\n\n`);
  md.appendMarkdown(`\`${run.info.run_id}\`\n\n`);
  if (run.info.start_time) md.appendMarkdown(`Started ${new Date(run.info.start_time).toLocaleString()}`);
  if (run.info.user_id) md.appendMarkdown(` by ${escape(run.info.user_id)}`);
  md.appendMarkdown('\n\n');
  const params = run.data.params ?? [];
  const metrics = run.data.metrics ?? [];
  if (params.length) {
    md.appendMarkdown('| Param | Value |\n|---|---|\n');
    for (const p of params.slice(0, 15)) md.appendMarkdown(`| ${escape(p.key)} | ${escape(p.value.slice(0, 60))} |\n`);
    if (params.length > 15) md.appendMarkdown(`| … | ${params.length - 15} more |\n`);
    md.appendMarkdown('\n');
  }
  if (metrics.length) {
    md.appendMarkdown('| Metric | Last | Step |\n|---|---|---|\n');
    for (const m of metrics.slice(0, 15)) md.appendMarkdown(`| ${escape(m.key)} | ${formatMetric(m.value)} | ${m.step} |\n`);
    if (metrics.length > 15) md.appendMarkdown(`| … | ${metrics.length - 15} more | |\n`);
  }
  return md;
}

export function loadMoreItem(node: LoadMoreNode): vscode.TreeItem {
  const item = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
  item.id = `more:${node.experimentId}:${node.parentRunId ?? ''}:${node.pageToken}`;
  item.iconPath = new vscode.ThemeIcon('ellipsis');
  item.description = `${node.shown} shown`;
  item.contextValue = 'loadMore';
  item.command = { command: 'trackside.loadMoreRuns', title: 'Load More Runs', arguments: [node] };
  return item;
}

export function messageItem(node: MessageNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  item.iconPath = new vscode.ThemeIcon(node.icon);
  item.tooltip = node.tooltip;
  item.contextValue = 'message';
  return item;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}

import type { RunStatus } from '../entities';
import type {
  CellRunStatus,
  ParameterField,
  PipelineCellSelection,
  PipelineCellView,
  PipelineDocument,
  PipelineHistoryRun,
  PipelineRunView,
} from '../protocol/pipelineProtocol';

/** What the pipeline panel draws, computed without the DOM (unit-tested in Node). */

/** The lines of a cell with their line numbers in the file. */
export function numberedLines(cell: Pick<PipelineCellView, 'source' | 'sourceStartLine'>): { line: number; text: string }[] {
  if (cell.source === '') return [];
  return cell.source.split('\n').map((text, i) => ({ line: cell.sourceStartLine + i, text }));
}

export type MarkdownBlock = { kind: 'heading'; level: number; text: string } | { kind: 'paragraph'; text: string } | { kind: 'item'; text: string };

/** A markdown cell as plain text blocks: headings, list items and paragraphs (no HTML is produced). */
export function markdownBlocks(source: string): MarkdownBlock[] {
  const blocks: MarkdownBlock[] = [];
  let paragraph: string[] = [];
  const flush = (): void => {
    if (paragraph.length > 0) blocks.push({ kind: 'paragraph', text: paragraph.join(' ') });
    paragraph = [];
  };
  for (const raw of source.split('\n')) {
    const line = raw.trim();
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^(?:[-*+]|\d+[.)])\s+(.*)$/.exec(line);
    if (line === '') flush();
    else if (heading) {
      flush();
      blocks.push({ kind: 'heading', level: heading[1].length, text: heading[2] });
    } else if (item) {
      flush();
      blocks.push({ kind: 'item', text: item[1] });
    } else paragraph.push(line);
  }
  flush();
  return blocks;
}

/** "Cell 3 · Load the CSV", "Parameters", or "Cell 3" for an untitled cell. */
export function cellHeading(cell: Pick<PipelineCellView, 'index' | 'title' | 'isParameters' | 'kind'>): string {
  const label = cell.isParameters ? `Cell ${cell.index} · parameters` : `Cell ${cell.index}`;
  return cell.title ? `${label} · ${cell.title}` : label;
}

/** A short symbol per cell status (with a text label beside it for screen readers). */
export function cellStatusSymbol(status: CellRunStatus | undefined): string {
  switch (status) {
    case 'queued':
      return '○';
    case 'running':
      return '◐';
    case 'ok':
      return '✓';
    case 'error':
      return '✗';
    case 'interrupted':
      return '■';
    case 'skipped':
      return '–';
    default:
      return '';
  }
}

export function cellStatusLabel(status: CellRunStatus | undefined): string {
  switch (status) {
    case 'queued':
      return 'queued';
    case 'running':
      return 'running';
    case 'ok':
      return 'done';
    case 'error':
      return 'failed';
    case 'interrupted':
      return 'stopped';
    case 'skipped':
      return 'not run';
    default:
      return 'not run yet';
  }
}

/** The form's starting text: the values kept from before where the parameter is unchanged, else its default. */
export function initialValues(fields: readonly ParameterField[], kept: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(fields.map((field) => [field.name, kept?.[field.name] ?? field.defaultText]));
}

/** The parameters whose text differs from the default (those are injected as overrides). */
export function changedParameters(fields: readonly ParameterField[], values: Record<string, string>): string[] {
  return fields.filter((field) => values[field.name] !== undefined && values[field.name] !== field.defaultText).map((field) => field.name);
}

/** "Run All", "Run Cell 3", "Run to Cell 3". */
export function selectionLabel(selection: PipelineCellSelection): string {
  if (selection === 'all') return 'Run All';
  return 'only' in selection ? `Run Cell ${selection.only}` : `Run to Cell ${selection.upTo}`;
}

/** The code cells (the ones a run executes). */
export function runnableCells(document: PipelineDocument): number[] {
  return document.cells.filter((cell) => cell.kind === 'code').map((cell) => cell.index);
}

/** One line for the run bar: what is happening or how it ended. */
export function runSummary(run: PipelineRunView, now: number): string {
  const steps = run.cells.filter((cell) => !cell.injected);
  const done = steps.filter((cell) => cell.status === 'ok').length;
  switch (run.phase) {
    case 'starting':
      return run.stopping ? 'Stopping…' : 'Starting the Python kernel…';
    case 'running': {
      const running = run.cells.find((cell) => cell.status === 'running');
      const where = running ? (running.injected ? 'injected parameters' : `cell ${running.cell}`) : 'between cells';
      return `${run.stopping ? 'Stopping' : 'Running'} ${where} · ${done} of ${steps.length} done · ${formatElapsed(now - run.startedAt)}`;
    }
    case 'FINISHED':
      return `Finished · ${steps.length} cell${steps.length === 1 ? '' : 's'} in ${formatElapsed(run.durationMs ?? 0)}`;
    case 'FAILED':
      if (run.startFailed) return 'Failed: the Python kernel did not start';
      return `Failed in ${run.failedCell === -1 ? 'the injected parameters' : `cell ${run.failedCell}`} after ${formatElapsed(run.durationMs ?? 0)}`;
    case 'KILLED':
      return `Stopped${run.failedCell !== undefined ? ` in cell ${run.failedCell}` : ''} after ${formatElapsed(run.durationMs ?? 0)}`;
  }
}

/** `850 ms`, `4.2 s`, `3m 05s`. */
export function formatElapsed(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms > 0 && ms < 1) return '< 1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return minutes < 60 ? `${minutes}m ${String(seconds).padStart(2, '0')}s` : `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** The history's parameter column: the form's parameters first (in the cell's order), then the rest. */
export function historyParameters(run: PipelineHistoryRun, fields: readonly ParameterField[]): string {
  const order = fields.map((field) => field.name);
  const keys = Object.keys(run.params).sort((a, b) => {
    const ia = order.indexOf(a);
    const ib = order.indexOf(b);
    if (ia !== -1 || ib !== -1) return (ia === -1 ? Infinity : ia) - (ib === -1 ? Infinity : ib);
    return a.localeCompare(b);
  });
  return keys.map((key) => `${key}=${run.params[key]}`).join(', ');
}

/**
 * A history run's label: its name without the script's file name the runner puts first (the
 * default name is then its start time), and the start time when the name says something else.
 */
export function historyRunLabel(run: Pick<PipelineHistoryRun, 'name' | 'startTime'>, fileName: string, formatTime: (ms: number | null) => string): { name: string; started?: string } {
  const name = run.name.startsWith(`${fileName} `) ? run.name.slice(fileName.length + 1) : run.name;
  const started = formatTime(run.startTime);
  return started && started !== name ? { name, started } : { name };
}

/** A history run's duration (running runs count until `now`). */
export function historyDuration(run: Pick<PipelineHistoryRun, 'startTime' | 'endTime' | 'status'>, now: number): string {
  if (run.startTime === null) return '';
  const end = run.endTime ?? (run.status === 'RUNNING' ? now : null);
  return end === null ? '' : formatElapsed(end - run.startTime);
}

export function statusClass(status: RunStatus | 'starting' | 'running'): string {
  return `status-${status.toLowerCase()}`;
}

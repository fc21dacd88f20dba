import type { SystemView } from '../../core/store/sqlViews';

/**
 * The text of Trackside's SQL editor: a commented list of the `system.ml.*` views and their
 * columns, then an example query to edit and run. Its first line marks the document as a
 * Trackside query editor, so one restored after a window reload still gets "Run Query".
 */

/** The first line of every editor "Trackside: Query Store with SQL…" opens. */
export const SQL_EDITOR_MARKER = '-- Trackside SQL';

/** The limits the editor's header states (the server's defaults). */
export interface SqlEditorLimits {
  maxRows: number;
  timeoutSeconds: number;
}

export const EXAMPLE_QUERY = [
  "SELECT r.run_name, r.status, e.name AS experiment, m.last AS loss, m.count AS loss_points",
  '  FROM system.ml.runs r',
  '  JOIN system.ml.experiments e ON e.experiment_id = r.experiment_id',
  "  LEFT JOIN system.ml.metric_summaries m ON m.run_id = r.run_id AND m.key = 'loss'",
  " WHERE r.lifecycle_stage = 'active'",
  ' ORDER BY r.start_time DESC',
  ' LIMIT 50;',
].join('\n');

/** The editor's initial text. */
export function sqlEditorTemplate(views: readonly SystemView[], limits: SqlEditorLimits): string {
  const lines = [
    `${SQL_EDITOR_MARKER}: read-only queries over this store's views. Run with "Run Query" (above, or the editor's title bar).`,
    `-- One SELECT (or WITH … SELECT) at a time; writes are refused. A query stops after ${limits.timeoutSeconds} s and returns at most ${limits.maxRows.toLocaleString('en-US')} rows.`,
    '-- With text selected, only the selection runs. Times are epoch milliseconds; NaN metric values read as NULL.',
    '--',
  ];
  for (const view of views) {
    const width = Math.max(...view.columns.map((c) => c.name.length));
    lines.push(`-- ${view.name} — ${view.description}`);
    for (const column of view.columns) lines.push(`--   ${column.name.padEnd(width)}  ${column.description}`);
    lines.push('--');
  }
  lines.push('-- Example: the 50 latest runs with their last loss.', EXAMPLE_QUERY, '');
  return lines.join('\n');
}

/** Whether a document's text is one of Trackside's query editors (its first line is the marker). */
export function isSqlEditorText(text: string): boolean {
  return text.startsWith(SQL_EDITOR_MARKER);
}

function firstQueryLine(lines: readonly string[]): number {
  return lines.findIndex((l) => l.trim() !== '' && !l.trimStart().startsWith('--'));
}

/** The line the query starts on (the first that is neither blank nor a `--` comment), 0 when there is none. */
export function queryStartLine(text: string): number {
  return Math.max(0, firstQueryLine(text.split(/\r?\n/)));
}

/**
 * The text from the query's first line on: the comment block above it (the list of views) is not
 * sent, nor shown above the results. Empty when the text holds only comments.
 */
export function withoutLeadingComments(text: string): string {
  const lines = text.split(/\r?\n/);
  const first = firstQueryLine(lines);
  return first < 0 ? '' : lines.slice(first).join('\n');
}

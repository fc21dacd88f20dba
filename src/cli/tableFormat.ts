/** Plain-text tables and values for people reading the CLI's output. */

export interface TableColumn {
  header: string;
  /** Right-align (numbers, sizes). */
  right?: boolean;
  /** Never shorten this column (ids people copy). */
  keep?: boolean;
}

export interface TableOptions {
  /** Longest a cell may be before it is cut with `…` (default 48). */
  maxCell?: number;
  /** Total width to fit in (default: the terminal's, when stdout is one; else no limit). */
  width?: number;
}

const GAP = '  ';
const MIN_CELL = 8;

function cut(text: string, width: number): string {
  if (text.length <= width) return text;
  return width <= 1 ? '…'.slice(0, width) : `${text.slice(0, width - 1)}…`;
}

/** One line per row, columns aligned and separated by two spaces; wide cells cut with `…`. */
export function formatTable(columns: readonly TableColumn[], rows: readonly (readonly string[])[], options: TableOptions = {}): string {
  const maxCell = options.maxCell ?? 48;
  const clean = rows.map((row) => columns.map((_, i) => (row[i] ?? '').replace(/[\r\n\t]+/g, ' ')));
  const widths = columns.map((column, i) => {
    const natural = Math.max(column.header.length, ...clean.map((row) => row[i].length));
    return column.keep ? natural : Math.min(natural, Math.max(maxCell, column.header.length));
  });
  const limit = options.width ?? (process.stdout.isTTY ? process.stdout.columns : undefined);
  if (limit) {
    // Shrink the widest shortenable column, one character at a time, until the table fits.
    let total = widths.reduce((a, b) => a + b, 0) + GAP.length * (columns.length - 1);
    while (total > limit) {
      let widest = -1;
      columns.forEach((column, i) => {
        if (!column.keep && widths[i] > Math.max(MIN_CELL, column.header.length) && (widest < 0 || widths[i] > widths[widest])) widest = i;
      });
      if (widest < 0) break;
      widths[widest]--;
      total--;
    }
  }
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => {
        const text = cut(cell, widths[i]);
        return columns[i].right ? text.padStart(widths[i]) : i === cells.length - 1 ? text : text.padEnd(widths[i]);
      })
      .join(GAP)
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...clean.map(line)].join('\n');
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Epoch milliseconds as local time, ISO 8601 with a space: `2024-03-01 13:05:09`; empty when unset. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A byte count for people: `512 B`, `1.4 kB`, `23.0 MB`. */
export function formatSize(bytes: number | undefined): string {
  if (bytes === undefined) return '';
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** A duration between two epoch-ms times: `4.2s`, `3m 05s`, `2h 10m`; empty when either is unset. */
export function formatDuration(start: number | null | undefined, end: number | null | undefined): string {
  if (!start || !end || end < start) return '';
  const seconds = (end - start) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${pad(Math.floor(seconds % 60))}s`;
  return `${Math.floor(seconds / 3600)}h ${pad(Math.floor((seconds % 3600) / 60))}m`;
}

/** A metric value as the table shows it (full precision, NaN as `NaN`). */
export function formatValue(value: number | string | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'number' ? String(value) : value;
}

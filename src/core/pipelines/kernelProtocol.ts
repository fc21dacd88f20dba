/**
 * The JSON-lines protocol between the host and `trackside_kernel.bootstrap` (see that module's
 * docstring). Requests go to the kernel's stdin; events come back on its stdout, which the
 * bootstrap keeps for the protocol alone (the user's output arrives as `stream` events).
 */

export type KernelRequest =
  | { op: 'execute'; cell: number; code: string; filename: string; firstLine: number }
  | { op: 'interrupt' }
  | { op: 'shutdown' };

export type StreamName = 'stdout' | 'stderr';

/** Whether a package can be imported in the kernel's interpreter (checked without importing it). */
export interface KernelPackages {
  pandas: boolean;
  polars: boolean;
  mlflow: boolean;
}

export interface KernelReadyEvent {
  event: 'ready';
  /** `platform.python_version()`, e.g. `3.11.7`. */
  python: string;
  implementation: string;
  executable: string;
  pid: number;
  packages: KernelPackages;
  /** `enabled`, `disabled`, `unavailable` (no mlflow) or `failed: <error>`. */
  autolog: string;
}

export interface CellError {
  ename: string;
  evalue: string;
  /** The formatted traceback, one entry per line, without the kernel's own frames. */
  traceback: string[];
  /** 1-based line of the script where it failed (innermost frame in the script); null when none. */
  line: number | null;
}

export interface DataFrameSummary {
  name: string;
  rows: number;
  /** null when the object has neither `shape` nor `columns`. */
  columns: number | null;
}

export interface KernelStreamEvent {
  event: 'stream';
  /** The cell running when the output was written; null between cells. */
  cell: number | null;
  name: StreamName;
  text: string;
}

export type CellStatus = 'ok' | 'error' | 'interrupted';

export type KernelEvent =
  | KernelReadyEvent
  | KernelStreamEvent
  | { event: 'dataframes'; cell: number; dataframes: DataFrameSummary[] }
  | { event: 'result'; cell: number; status: CellStatus; durationMs: number; error?: CellError }
  | { event: 'log'; text: string };

/** Splits a text stream into lines without re-scanning or re-joining earlier chunks. */
export class LineSplitter {
  private parts: string[] = [];

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    let start = 0;
    let newline = chunk.indexOf('\n');
    while (newline !== -1) {
      this.parts.push(chunk.slice(start, newline));
      const line = this.parts.length === 1 ? this.parts[0] : this.parts.join('');
      this.parts = [];
      if (line.trim() !== '') this.onLine(line);
      start = newline + 1;
      newline = chunk.indexOf('\n', start);
    }
    if (start < chunk.length) this.parts.push(chunk.slice(start));
  }
}

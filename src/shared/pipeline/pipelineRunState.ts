import type {
  CellRunView,
  OutputStream,
  OutputText,
  PipelineCellSelection,
  PipelineRunEvent,
  PipelineRunView,
} from '../protocol/pipelineProtocol';

/**
 * The state of one pipeline run as the panel shows it, built from the engine's events. The host
 * keeps one (so a panel shown again draws the run where it is) and the webview applies the same
 * events to its copy. DOM-free: unit-tested in Node.
 */

/** Characters of output kept per cell for display (the host keeps the whole output). */
export const DISPLAY_OUTPUT_LIMIT = 20_000;

/** The cell index of the injected parameters. */
export const INJECTED_CELL = -1;

export function emptyOutput(): OutputText {
  return { parts: [], dropped: 0, pendingReturn: false };
}

/** A run that was asked for: every planned cell queued until the engine confirms its steps. */
export function createRunView(selection: PipelineCellSelection, startedAt: number, planned: { cell: number; title: string; code?: string }[]): PipelineRunView {
  return {
    selection,
    phase: 'starting',
    startedAt,
    cells: planned.map(({ cell, title, code }) => ({ ...newCell(cell, cell === INJECTED_CELL, title), ...(code !== undefined ? { code } : {}) })),
    startFailed: false,
    stopping: false,
    warnings: [],
  };
}

function newCell(cell: number, injected: boolean, title: string): CellRunView {
  return { cell, injected, title, status: 'queued', output: emptyOutput(), dataframes: [] };
}

// ANSI colour and cursor sequences (CSI … final byte) and OSC titles: shown as plain text.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

/** Removes terminal escape sequences. */
export function stripAnsi(text: string): string {
  return text.includes('\u001b') ? text.replace(ANSI, '') : text;
}

/**
 * Appends a chunk of a stream to an output, as a terminal shows it: `\r\n` is a newline, a lone
 * `\r` makes the next text replace the current line (progress bars), escape sequences are dropped,
 * and only the last `limit` characters are kept (cut at a line start when there is one nearby).
 */
export function appendOutput(output: OutputText, name: OutputStream, chunk: string, limit = DISPLAY_OUTPUT_LIMIT): OutputText {
  const text = stripAnsi(chunk).replace(/\r\n/g, '\n');
  if (text === '') return output;
  let last = output.parts[output.parts.length - 1];
  if (!last || last.name !== name) {
    last = { name, text: '' };
    output.parts.push(last);
    output.pendingReturn = false;
  }
  if (!text.includes('\r') && !output.pendingReturn) {
    last.text += text;
  } else {
    let current = last.text;
    for (const piece of text.split(/(\r|\n)/)) {
      if (piece === '') continue;
      if (piece === '\r') {
        output.pendingReturn = true;
      } else if (piece === '\n') {
        output.pendingReturn = false;
        current += '\n';
      } else {
        if (output.pendingReturn) current = current.slice(0, current.lastIndexOf('\n') + 1);
        output.pendingReturn = false;
        current += piece;
      }
    }
    last.text = current;
  }
  trimOutput(output, limit);
  return output;
}

function trimOutput(output: OutputText, limit: number): void {
  let total = output.parts.reduce((sum, part) => sum + part.text.length, 0);
  while (total > limit && output.parts.length > 0) {
    const first = output.parts[0];
    const excess = total - limit;
    if (first.text.length <= excess) {
      output.parts.shift();
      output.dropped += first.text.length;
      total -= first.text.length;
      continue;
    }
    // Cut at the next line start within 200 characters, so the first line shown is whole.
    const newline = first.text.indexOf('\n', excess);
    const cut = newline !== -1 && newline - excess < 200 ? newline + 1 : excess;
    first.text = first.text.slice(cut);
    output.dropped += cut;
    total -= cut;
  }
}

/** The output's text, streams joined (for tests and the host's snapshot). */
export function outputText(output: OutputText): string {
  return output.parts.map((part) => part.text).join('');
}

/** The step of the run for `cell` (undefined for output written between cells). */
export function cellOf(run: PipelineRunView, cell: number | null): CellRunView | undefined {
  return cell === null ? undefined : run.cells.find((candidate) => candidate.cell === cell);
}

/** Applies one engine event to the run (in place) and returns it. */
export function applyRunEvent(run: PipelineRunView, event: PipelineRunEvent, limit = DISPLAY_OUTPUT_LIMIT): PipelineRunView {
  switch (event.type) {
    case 'runCreated': {
      run.runId = event.runId;
      run.runName = event.runName;
      const before = new Map(run.cells.map((cell) => [cell.cell, cell]));
      run.cells = event.steps.map((step) => before.get(step.cell) ?? newCell(step.cell, step.injected, step.title));
      for (const step of event.steps) {
        const cell = cellOf(run, step.cell)!;
        cell.title = step.title;
        cell.injected = step.injected;
      }
      return run;
    }
    case 'kernelReady':
      run.phase = 'running';
      run.python = event.python;
      run.executable = event.executable;
      return run;
    case 'cellStarted': {
      run.phase = 'running';
      const cell = cellOf(run, event.cell);
      if (cell) {
        cell.status = 'running';
        cell.startedAt = event.at;
      }
      return run;
    }
    case 'output':
      for (const chunk of event.chunks) {
        const cell = cellOf(run, chunk.cell) ?? lastStarted(run);
        if (cell) appendOutput(cell.output, chunk.name, chunk.text, limit);
      }
      return run;
    case 'cellFinished': {
      const cell = cellOf(run, event.cell);
      if (cell) {
        cell.status = event.status;
        cell.durationMs = event.durationMs;
        cell.dataframes = event.dataframes;
        if (event.error) cell.error = event.error;
        else delete cell.error;
      }
      return run;
    }
    case 'warning':
      run.warnings.push(event.message);
      return run;
    case 'stopping':
      run.stopping = true;
      return run;
    case 'runFinished':
      run.phase = event.status;
      run.runId = event.runId;
      run.durationMs = event.durationMs;
      run.startFailed = event.startFailed;
      run.stopping = false;
      if (event.failedCell !== undefined) run.failedCell = event.failedCell;
      if (event.error !== undefined) run.error = event.error;
      for (const cell of run.cells) {
        if (cell.status === 'queued') cell.status = 'skipped';
        else if (cell.status === 'running') cell.status = event.status === 'KILLED' ? 'interrupted' : 'error';
      }
      return run;
  }
}

/** The cell that ran last (output between cells is shown with it). */
function lastStarted(run: PipelineRunView): CellRunView | undefined {
  for (let i = run.cells.length - 1; i >= 0; i--) {
    if (run.cells[i].status !== 'queued') return run.cells[i];
  }
  return undefined;
}

/** True while the run has not ended. */
export function isRunActive(run: PipelineRunView | undefined): boolean {
  return run !== undefined && (run.phase === 'starting' || run.phase === 'running');
}

/** "3 of 6 cells" — the progress line of the status bar and the panel. */
export function runProgress(run: PipelineRunView): { done: number; total: number; running?: CellRunView } {
  const steps = run.cells.filter((cell) => !cell.injected);
  return {
    done: steps.filter((cell) => cell.status === 'ok' || cell.status === 'error' || cell.status === 'interrupted').length,
    total: steps.length,
    running: run.cells.find((cell) => cell.status === 'running'),
  };
}

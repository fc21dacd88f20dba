import { INJECTED_CELL } from '../../src/shared/pipeline/pipelineRunState';
import { cellHeading, cellStatusLabel, cellStatusSymbol, formatElapsed, markdownBlocks, numberedLines } from '../../src/shared/pipeline/pipelineView';
import type { CellRunView, PipelineCellSelection, PipelineCellView, PipelineDocument, PipelineRunView } from '../../src/shared/protocol/pipelineProtocol';
import { h, replaceChildren } from '../common/dom';

export interface CellListCallbacks {
  run(selection: PipelineCellSelection): void;
  revealLine(line: number): void;
  showFullOutput(cell: number): void;
}

interface CellElements {
  article: HTMLElement;
  status: HTMLElement;
  duration: HTMLElement;
  output: HTMLElement;
  error: HTMLElement;
  frames: HTMLElement;
  /** The injected parameters' code. */
  code?: HTMLElement;
  lines: Map<number, HTMLElement>;
  buttons: HTMLElement[];
}

/**
 * The script's cells, as in the file: titles, markdown as text, code with the file's line numbers,
 * and per cell its status, duration, live output (the last characters, with "Show Full Output"),
 * the traceback of an error with a link to its line, and the DataFrames it changed.
 */
export class CellList {
  readonly element = h('section', { class: 'cells', 'aria-label': 'Cells' });
  private readonly cells = new Map<number, CellElements>();
  private run: PipelineRunView | undefined;
  private busy = false;

  constructor(private readonly callbacks: CellListCallbacks) {}

  render(document: PipelineDocument, run: PipelineRunView | undefined): void {
    this.cells.clear();
    const articles: HTMLElement[] = [];
    for (const cell of document.cells) {
      articles.push(this.cellElement(cell));
      if (cell.isParameters) articles.push(this.injectedElement());
    }
    if (document.parametersCell === undefined) articles.unshift(this.injectedElement());
    if (document.cells.length === 0) articles.push(h('p', { class: 'muted' }, document.error ?? 'The script is empty.'));
    replaceChildren(this.element, articles);
    this.setRun(run);
  }

  /** Draws every cell's state from the run (a new run, or the panel drawn again). */
  setRun(run: PipelineRunView | undefined): void {
    this.run = run;
    for (const index of this.cells.keys()) this.updateCell(index);
  }

  /** Redraws one cell's status, duration, output and error. */
  updateCell(index: number): void {
    const elements = this.cells.get(index);
    if (!elements) return;
    const state = this.run?.cells.find((cell) => cell.cell === index);
    if (index === INJECTED_CELL) elements.article.hidden = !state;
    if (elements.code) elements.code.textContent = state?.code?.replace(/^# Parameters\n/, '').trimEnd() ?? '';
    elements.article.dataset.status = state?.status ?? 'none';
    elements.status.textContent = cellStatusSymbol(state?.status);
    elements.status.title = cellStatusLabel(state?.status);
    elements.status.setAttribute('aria-label', `Status: ${cellStatusLabel(state?.status)}`);
    this.updateDuration(elements, state);
    this.drawOutput(elements, state, index);
    this.drawError(elements, state);
    elements.frames.textContent = state && state.dataframes.length > 0 ? `DataFrames: ${state.dataframes.map((f) => `${f.name} ${f.rows.toLocaleString('en-US')} rows${f.columns !== null ? ` × ${f.columns}` : ''}`).join(', ')}` : '';
    elements.frames.hidden = elements.frames.textContent === '';
    for (const [line, element] of elements.lines) element.classList.toggle('error-line', state?.error?.line === line);
  }

  /** The running cell's clock (called every half second while a run goes on). */
  tick(now: number): void {
    const running = this.run?.cells.find((cell) => cell.status === 'running');
    if (!running) return;
    const elements = this.cells.get(running.cell);
    if (elements && running.startedAt !== undefined) elements.duration.textContent = formatElapsed(now - running.startedAt);
  }

  /** Disables the run buttons while a run goes on. */
  setBusy(busy: boolean): void {
    this.busy = busy;
    for (const elements of this.cells.values()) for (const button of elements.buttons) (button as HTMLElement & { disabled: boolean }).disabled = busy;
  }

  private updateDuration(elements: CellElements, state: CellRunView | undefined): void {
    elements.duration.textContent = state?.durationMs !== undefined ? formatElapsed(state.durationMs) : '';
  }

  private cellElement(cell: PipelineCellView): HTMLElement {
    const heading = h('h2', { class: 'cell-title' }, cellHeading(cell));
    const status = h('span', { class: 'cell-status', role: 'img', 'aria-label': 'Status: not run yet' });
    const duration = h('span', { class: 'cell-duration muted' });
    const buttons =
      cell.kind === 'code'
        ? [
            h('vscode-button', { appearance: 'icon', class: 'run-cell', title: `Run cell ${cell.index} alone (in a new kernel)`, 'aria-label': `Run cell ${cell.index}`, onclick: () => this.callbacks.run({ only: cell.index }) }, '▶'),
            h('vscode-button', { appearance: 'secondary', class: 'run-to-here', title: `Run every cell up to cell ${cell.index}`, onclick: () => this.callbacks.run({ upTo: cell.index }) }, 'Run to Here'),
          ]
        : [];
    const lines = new Map<number, HTMLElement>();
    let body: HTMLElement;
    if (cell.kind === 'markdown') {
      body = h('div', { class: 'markdown' }, markdownBlocks(cell.source).map((block) =>
        block.kind === 'heading' ? h('p', { class: `md-heading md-h${block.level}` }, block.text) : block.kind === 'item' ? h('p', { class: 'md-item' }, `• ${block.text}`) : h('p', null, block.text),
      ));
    } else {
      body = h('div', { class: `code kind-${cell.kind}`, role: 'group', 'aria-label': `Code of cell ${cell.index}` }, numberedLines(cell).map(({ line, text }) => {
        const element = h('div', { class: 'line', 'data-line': String(line) }, h('button', { class: 'line-number', tabindex: -1, title: `Show line ${line} in the editor`, onclick: () => this.callbacks.revealLine(line) }, String(line)), h('span', { class: 'source' }, text || ' '));
        lines.set(line, element);
        return element;
      }));
    }
    const elements = this.cellParts(cell.index, status, duration, buttons, lines);
    const article = h(
      'article',
      { class: `cell cell-${cell.kind}${cell.isParameters ? ' cell-parameters' : ''}`, 'data-cell': String(cell.index), 'aria-label': cellHeading(cell) },
      h('header', null, status, heading, h('button', { class: 'link line-link muted', title: 'Show in the editor', onclick: () => this.callbacks.revealLine(cell.markerLine ?? cell.sourceStartLine) }, `line ${cell.markerLine ?? cell.sourceStartLine}`), h('span', { class: 'spacer' }), duration, buttons),
      body,
      elements.error,
      elements.output,
      elements.frames,
    );
    elements.article = article;
    for (const button of buttons) (button as HTMLElement & { disabled: boolean }).disabled = this.busy;
    return article;
  }

  private injectedElement(): HTMLElement {
    const status = h('span', { class: 'cell-status', role: 'img' });
    const duration = h('span', { class: 'cell-duration muted' });
    const elements = this.cellParts(INJECTED_CELL, status, duration, [], new Map());
    elements.code = h('pre', { class: 'code injected-code', title: 'The values changed in the form, set right after the parameters cell' });
    elements.article = h(
      'article',
      { class: 'cell cell-injected', 'data-cell': String(INJECTED_CELL), 'aria-label': 'Injected parameters', hidden: true },
      h('header', null, status, h('h2', { class: 'cell-title' }, 'Injected parameters'), h('span', { class: 'spacer' }), duration),
      elements.code,
      elements.error,
      elements.output,
      elements.frames,
    );
    return elements.article;
  }

  private cellParts(index: number, status: HTMLElement, duration: HTMLElement, buttons: HTMLElement[], lines: Map<number, HTMLElement>): CellElements {
    const elements: CellElements = {
      article: h('article'),
      status,
      duration,
      output: h('div', { class: 'output', hidden: true, 'aria-label': 'Output', 'aria-live': 'off' }),
      error: h('div', { class: 'cell-error', hidden: true, role: 'alert' }),
      frames: h('div', { class: 'dataframes muted', hidden: true }),
      lines,
      buttons,
    };
    this.cells.set(index, elements);
    return elements;
  }

  private drawOutput(elements: CellElements, state: CellRunView | undefined, index: number): void {
    const output = state?.output;
    const empty = !output || output.parts.every((part) => part.text === '');
    elements.output.hidden = empty;
    if (empty) {
      elements.output.textContent = '';
      return;
    }
    const note = output.dropped > 0
      ? h('div', { class: 'output-note muted' }, `${output.dropped.toLocaleString('en-US')} earlier characters are not shown here. `, h('button', { class: 'link', onclick: () => this.callbacks.showFullOutput(index) }, 'Show Full Output'))
      : null;
    const pre = h('pre', { class: 'output-text' }, output.parts.map((part) => h('span', { class: `stream-${part.name}` }, part.text)));
    replaceChildren(elements.output, note, pre);
    if (state?.status === 'running') pre.scrollTop = pre.scrollHeight;
  }

  private drawError(elements: CellElements, state: CellRunView | undefined): void {
    const error = state?.error;
    elements.error.hidden = !error;
    if (!error) {
      elements.error.textContent = '';
      return;
    }
    const summary = `${error.ename}: ${error.evalue.split('\n')[0]}`;
    replaceChildren(
      elements.error,
      h(
        'div',
        { class: 'error-summary' },
        summary,
        error.line !== null ? h('button', { class: 'link error-line-link', onclick: () => this.callbacks.revealLine(error.line!) }, ` (line ${error.line})`) : null,
      ),
      error.traceback.length > 0 ? h('pre', { class: 'traceback' }, error.traceback.join('\n')) : null,
    );
  }
}

import type { SqlResultCell } from '../../src/shared/protocol/sqlResultsProtocol';
import { sqlCellText, sqlResultColumns, type SqlResultColumn } from '../../src/shared/table/sqlResultColumns';
import { h, replaceChildren } from '../common/dom';
import { VirtualWindow } from '../common/virtualWindow';

export const ROW_HEIGHT = 24;
export const HEADER_HEIGHT = 28;
/** Cells longer than this get their whole text as a tooltip. */
const TOOLTIP_ABOVE = 40;

/**
 * The rows of a SQL result in a virtual grid: a sticky header, a row-number column, and only the
 * rows on screen in the DOM (100,000 rows cost what 40 do). Keyboard: the grid is one tab stop and
 * scrolls with the arrow keys, Page Up/Down, Home and End.
 */
export class ResultGrid {
  readonly element: HTMLElement;
  private readonly canvas: HTMLElement;
  private readonly header: HTMLElement;
  private readonly body: HTMLElement;
  private readonly window: VirtualWindow;
  private columns: SqlResultColumn[] = [];
  private rows: readonly (readonly SqlResultCell[])[] = [];
  private numberWidth = 48;

  constructor(onScroll: () => void) {
    this.header = h('div', { class: 'result-header', role: 'row', 'aria-rowindex': 1 });
    this.body = h('div', { class: 'result-body', role: 'rowgroup' });
    this.canvas = h('div', { class: 'result-canvas' }, this.header, this.body);
    this.element = h('div', { class: 'result-grid', role: 'grid', tabindex: 0, 'aria-label': 'Query results', 'aria-readonly': 'true' }, this.canvas);
    this.window = new VirtualWindow(this.element, this.canvas, ROW_HEIGHT, (first, last) => this.renderRows(first, last), 10, HEADER_HEIGHT);
    this.element.addEventListener('scroll', onScroll, { passive: true });
    this.element.addEventListener('keydown', (e) => this.onKey(e));
  }

  show(columns: readonly string[], rows: readonly (readonly SqlResultCell[])[]): void {
    this.columns = sqlResultColumns(columns, rows);
    this.rows = rows;
    this.numberWidth = Math.max(40, String(rows.length).length * 8 + 20);
    const width = this.numberWidth + this.columns.reduce((sum, c) => sum + c.width, 0);
    this.canvas.style.width = `${width}px`;
    this.element.setAttribute('aria-rowcount', String(rows.length + 1));
    this.element.setAttribute('aria-colcount', String(columns.length + 1));
    replaceChildren(
      this.header,
      h('div', { class: 'cell row-number', role: 'columnheader', style: { width: `${this.numberWidth}px` } }, '#'),
      this.columns.map((c, i) =>
        h('div', { class: `cell head${c.numeric ? ' numeric' : ''}`, role: 'columnheader', 'aria-colindex': i + 2, title: c.name, style: { width: `${c.width}px` } }, c.name),
      ),
    );
    this.body.textContent = '';
    this.window.setCount(rows.length);
  }

  get scrollTop(): number {
    return this.element.scrollTop;
  }

  set scrollTop(value: number) {
    this.element.scrollTop = value;
  }

  private renderRows(first: number, last: number): void {
    const fragment = document.createDocumentFragment();
    for (let index = first; index <= last; index++) {
      const row = this.rows[index];
      if (!row) continue;
      const element = h(
        'div',
        { class: 'result-row', role: 'row', 'aria-rowindex': index + 2, style: { transform: `translateY(${HEADER_HEIGHT + index * ROW_HEIGHT}px)` } },
        h('div', { class: 'cell row-number', role: 'rowheader', style: { width: `${this.numberWidth}px` } }, String(index + 1)),
      );
      this.columns.forEach((column, i) => {
        const value = row[i] ?? null;
        const text = sqlCellText(value);
        const cell = h(
          'div',
          { class: `cell${column.numeric ? ' numeric' : ''}${value === null ? ' null' : ''}`, role: 'gridcell', style: { width: `${column.width}px` } },
          text,
        );
        if (text.length > TOOLTIP_ABOVE) cell.title = text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
        element.appendChild(cell);
      });
      fragment.appendChild(element);
    }
    this.body.textContent = '';
    this.body.appendChild(fragment);
  }

  private onKey(event: KeyboardEvent): void {
    const page = this.window.pageSize * ROW_HEIGHT;
    const moves: Record<string, number | 'top' | 'bottom'> = { ArrowDown: ROW_HEIGHT, ArrowUp: -ROW_HEIGHT, PageDown: page, PageUp: -page, Home: 'top', End: 'bottom' };
    const move = moves[event.key];
    if (move === undefined) return;
    event.preventDefault();
    if (move === 'top') this.element.scrollTop = 0;
    else if (move === 'bottom') this.element.scrollTop = this.element.scrollHeight;
    else this.element.scrollTop += move;
  }
}

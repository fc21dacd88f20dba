import type { SortState } from '../../src/shared/protocol/runsTableProtocol';
import type { TableColumn } from '../../src/shared/table/runsTableColumns';
import type { DisplayItem } from '../../src/shared/table/runsTableModel';
import { h } from '../common/dom';
import { VirtualWindow } from '../common/virtualWindow';
import { createRow, fillRow, HEADER_HEIGHT, ROW_HEIGHT, SELECT_WIDTH, type PooledRow } from './rowPool';

const ACTIVE_CELL_ID = 'runs-grid-active-cell';
/** Below this width of scrolling columns every column is drawn (no column windowing). */
const WINDOW_COLUMNS_ABOVE_PX = 3000;
const COLUMN_OVERSCAN_PX = 400;

export interface GridModel {
  /** Pinned columns first. */
  columns: TableColumn[];
  pinnedCount: number;
  items: DisplayItem[];
  sort?: SortState;
  selected: ReadonlySet<string>;
  now: number;
}

export interface GridEvents {
  sort(columnId: string): void;
  toggleGroup(value: string): void;
  select(runId: string, mode: 'only' | 'toggle' | 'range'): void;
  selectAll(): void;
  clearSelection(): void;
  open(runId: string): void;
  /** The focused run or the scroll position changed (view state to save). */
  moved(): void;
}

/**
 * The runs grid: a virtual list of rows (only those on screen exist), pinned columns that stay
 * put while scrolling sideways, column windowing for tables with hundreds of columns, and the
 * keyboard model of an ARIA grid (arrows, Home/End, Page Up/Down, Space selects, Enter opens).
 */
export class TableGrid {
  readonly element: HTMLElement;
  private readonly canvas: HTMLElement;
  private readonly header: HTMLElement;
  private readonly body: HTMLElement;
  private readonly window: VirtualWindow;
  private model: GridModel = { columns: [], pinnedCount: 0, items: [], selected: new Set(), now: Date.now() };
  private readonly rows = new Map<number, PooledRow>();
  private free: PooledRow[] = [];
  private offsets: number[] = [];
  private pinnedWidth = SELECT_WIDTH;
  private columnWindow: [number, number] = [0, -1];
  /** Active cell: row -1 is the header, column -1 the selection column. */
  private active = { row: -1, column: 0 };
  private activeCell: HTMLElement | undefined;

  constructor(private readonly events: GridEvents) {
    this.header = h('div', { class: 'grid-header', role: 'row', 'aria-rowindex': 1 });
    this.body = h('div', { class: 'grid-body', role: 'rowgroup' });
    this.canvas = h('div', { class: 'grid-canvas' }, this.header, this.body);
    this.element = h('div', { class: 'grid', role: 'grid', tabindex: 0, 'aria-label': 'Runs', 'aria-multiselectable': 'true' }, this.canvas);
    this.window = new VirtualWindow(this.element, this.canvas, ROW_HEIGHT, (first, last) => this.renderRows(first, last), 6, HEADER_HEIGHT);
    this.element.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.body.addEventListener('click', (e) => this.onBodyEvent(e));
    this.body.addEventListener('dblclick', (e) => this.onBodyEvent(e));
    this.element.addEventListener('keydown', (e) => this.onKey(e));
    this.element.addEventListener('focus', () => this.showActive());
  }

  setModel(model: GridModel): void {
    this.model = model;
    this.offsets = [];
    let x = 0;
    for (const column of model.columns.slice(model.pinnedCount)) {
      this.offsets.push(x);
      x += column.width;
    }
    this.offsets.push(x);
    this.pinnedWidth = SELECT_WIDTH + model.columns.slice(0, model.pinnedCount).reduce((sum, c) => sum + c.width, 0);
    this.canvas.style.width = `${this.pinnedWidth + x}px`;
    this.element.setAttribute('aria-rowcount', String(model.items.length + 1));
    this.element.setAttribute('aria-colcount', String(model.columns.length + 1));
    this.active.row = Math.min(this.active.row, model.items.length - 1);
    this.active.column = Math.min(this.active.column, model.columns.length - 1);
    this.columnWindow = this.computeColumnWindow();
    this.renderHeader();
    this.clearRows();
    this.window.setCount(model.items.length);
  }

  /** Redraws selection marks without rebuilding rows. */
  updateSelection(selected: ReadonlySet<string>): void {
    this.model = { ...this.model, selected };
    for (const [index, pooled] of this.rows) {
      const item = this.model.items[index];
      if (item?.kind !== 'run') continue;
      const on = selected.has(item.row.run_id);
      pooled.element.classList.toggle('selected', on);
      pooled.element.setAttribute('aria-selected', String(on));
      pooled.box.checked = on;
    }
  }

  get scrollTop(): number {
    return this.element.scrollTop;
  }

  set scrollTop(value: number) {
    this.element.scrollTop = value;
  }

  /** The run of the active row, if it is a run. */
  get activeRun(): string | undefined {
    const item = this.model.items[this.active.row];
    return item?.kind === 'run' ? item.row.run_id : undefined;
  }

  /** Makes the row of `runId` active and visible. */
  activateRun(runId: string): void {
    const index = this.model.items.findIndex((item) => item.kind === 'run' && item.row.run_id === runId);
    if (index >= 0) this.moveTo(index, Math.max(0, this.active.column));
  }

  private computeColumnWindow(): [number, number] {
    const count = this.offsets.length - 1;
    if (count <= 0) return [0, -1];
    if (this.offsets[count] <= WINDOW_COLUMNS_ABOVE_PX) return [0, count - 1];
    const left = this.element.scrollLeft - COLUMN_OVERSCAN_PX;
    const right = this.element.scrollLeft + this.element.clientWidth - this.pinnedWidth + COLUMN_OVERSCAN_PX;
    let first = 0;
    while (first < count - 1 && this.offsets[first + 1] <= left) first++;
    let last = first;
    while (last < count - 1 && this.offsets[last + 1] < right) last++;
    return [first, last];
  }

  private onScroll(): void {
    const next = this.computeColumnWindow();
    if (next[0] !== this.columnWindow[0] || next[1] !== this.columnWindow[1]) {
      this.columnWindow = next;
      this.renderHeader();
      this.clearRows();
      this.window.refresh();
    }
    this.events.moved();
  }

  /** The columns drawn: every pinned one, then the scrolling window (index into `columns`). */
  private drawnColumns(): { index: number; column: TableColumn; left?: number }[] {
    const out: { index: number; column: TableColumn; left?: number }[] = [];
    let left = SELECT_WIDTH;
    for (let i = 0; i < this.model.pinnedCount; i++) {
      out.push({ index: i, column: this.model.columns[i], left });
      left += this.model.columns[i].width;
    }
    for (let j = this.columnWindow[0]; j <= this.columnWindow[1]; j++) {
      const index = this.model.pinnedCount + j;
      out.push({ index, column: this.model.columns[index] });
    }
    return out;
  }

  private gap(): HTMLElement | undefined {
    const width = this.offsets[this.columnWindow[0]] ?? 0;
    return width > 0 ? h('div', { class: 'cell gap', 'aria-hidden': 'true', style: { width: `${width}px` } }) : undefined;
  }

  private renderHeader(): void {
    const { sort } = this.model;
    const cells: HTMLElement[] = [h('div', { class: 'cell select pinned', role: 'columnheader', 'data-column': -1, style: { left: '0px', width: `${SELECT_WIDTH}px` }, title: 'Select' }, h('span', { class: 'visually-hidden' }, 'Selected'))];
    const gap = this.gap();
    for (const { index, column, left } of this.drawnColumns()) {
      if (gap && index === this.model.pinnedCount) cells.push(gap);
      const sorted = sort?.column === column.id ? sort.direction : undefined;
      const cell = h(
        'div',
        {
          class: `cell head ${column.numeric ? 'numeric' : ''} ${left !== undefined ? 'pinned' : ''} ${sorted ? 'sorted' : ''}`,
          role: 'columnheader',
          'data-column': index,
          'aria-colindex': index + 2,
          'aria-sort': sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none',
          title: `${column.label} — sort`,
          style: { width: `${column.width}px`, ...(left !== undefined ? { left: `${left}px` } : {}) },
          onclick: () => this.events.sort(column.id),
        },
        h('span', { class: `kind kind-${column.kind}`, 'aria-hidden': 'true' }),
        h('span', { class: 'label' }, column.label),
        sorted ? h('span', { class: 'sort', 'aria-hidden': 'true' }, sorted === 'asc' ? '▲' : '▼') : null,
      );
      cells.push(cell);
    }
    if (this.activeCell && this.header.contains(this.activeCell)) this.activeCell = undefined;
    this.header.replaceChildren(...cells);
    this.header.style.width = this.canvas.style.width;
    if (this.active.row === -1) this.showActive();
  }

  private clearRows(): void {
    this.rows.clear();
    this.free = [];
    this.body.replaceChildren();
  }

  /**
   * Shows rows `first`..`last`. Row elements are pooled: rows that scrolled out are refilled with
   * the rows that scrolled in (text and attributes only), so scrolling creates and removes no
   * elements once the pool holds a screenful.
   */
  private renderRows(first: number, last: number): void {
    for (const [index, pooled] of this.rows) {
      if (index < first || index > last) {
        this.rows.delete(index);
        this.free.push(pooled);
      }
    }
    for (let index = first; index <= last; index++) {
      if (this.rows.has(index)) continue;
      const pooled = this.free.pop() ?? this.createRow();
      if (this.activeCell && pooled.element.contains(this.activeCell)) {
        this.activeCell.classList.remove('active');
        this.activeCell.removeAttribute('id');
        this.activeCell = undefined;
      }
      fillRow(pooled, this.model.items[index], index, this.model);
      this.rows.set(index, pooled);
    }
    for (const pooled of this.free) pooled.element.hidden = true;
    this.showActive();
  }

  /** An empty row with one cell per drawn column (filled by `fillRow`). */
  private createRow(): PooledRow {
    const drawn = this.drawnColumns();
    const gap = this.gap();
    const pooled = createRow(drawn, gap ? { before: this.model.pinnedCount, element: gap } : undefined);
    this.body.appendChild(pooled.element);
    return pooled;
  }

  private onBodyEvent(event: MouseEvent): void {
    const target = event.target as HTMLElement;
    const rowElement = target.closest<HTMLElement>('.row');
    if (!rowElement?.dataset.index) return;
    const index = Number(rowElement.dataset.index);
    const item = this.model.items[index];
    if (!item) return;
    if (event.type === 'dblclick') {
      if (item.kind === 'run') this.events.open(item.row.run_id);
      return;
    }
    if (target instanceof HTMLInputElement && item.kind === 'run') {
      this.active = { row: index, column: -1 };
      this.events.select(item.row.run_id, event.shiftKey ? 'range' : 'toggle');
      return;
    }
    this.onRowClick(index, event);
  }

  private onRowClick(index: number, event: MouseEvent | undefined): void {
    const item = this.model.items[index];
    const cell = (event?.target as HTMLElement | undefined)?.closest<HTMLElement>('.cell');
    const pooled = this.rows.get(index);
    const at = cell && pooled ? pooled.cells.indexOf(cell) : -1;
    const column = at >= 0 && pooled ? pooled.columns[at] : cell && pooled && cell === pooled.select ? -1 : this.active.column;
    this.active = { row: index, column };
    this.element.focus({ preventScroll: true });
    if (item.kind === 'group') this.events.toggleGroup(item.group.value);
    else this.events.select(item.row.run_id, event && (event.metaKey || event.ctrlKey) ? 'toggle' : event?.shiftKey ? 'range' : 'only');
    this.showActive();
    this.events.moved();
  }

  private onKey(e: KeyboardEvent): void {
    const rows = this.model.items.length;
    const { row, column } = this.active;
    const lastColumn = this.model.columns.length - 1;
    let next: { row: number; column: number } | undefined;
    switch (e.key) {
      case 'ArrowDown':
        next = { row: Math.min(rows - 1, row + 1), column };
        break;
      case 'ArrowUp':
        next = { row: Math.max(-1, row - 1), column };
        break;
      case 'ArrowRight':
        next = { row, column: Math.min(lastColumn, column + 1) };
        break;
      case 'ArrowLeft':
        next = { row, column: Math.max(-1, column - 1) };
        break;
      case 'Home':
        next = e.ctrlKey ? { row: 0, column } : { row, column: -1 };
        break;
      case 'End':
        next = e.ctrlKey ? { row: rows - 1, column } : { row, column: lastColumn };
        break;
      case 'PageDown':
        next = { row: Math.min(rows - 1, row + this.window.pageSize), column };
        break;
      case 'PageUp':
        next = { row: Math.max(0, row - this.window.pageSize), column };
        break;
      case ' ':
      case 'Enter':
        this.activate(e.key === 'Enter');
        break;
      case 'a':
        if (!(e.ctrlKey || e.metaKey)) return;
        this.events.selectAll();
        break;
      case 'Escape':
        this.events.clearSelection();
        break;
      default:
        return;
    }
    e.preventDefault();
    if (next) {
      this.moveTo(next.row, next.column);
      const item = this.model.items[next.row];
      if (e.shiftKey && item?.kind === 'run' && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) this.events.select(item.row.run_id, 'range');
    }
  }

  private activate(open: boolean): void {
    const { row, column } = this.active;
    if (row === -1) {
      const target = this.model.columns[column];
      if (target) this.events.sort(target.id);
      return;
    }
    const item = this.model.items[row];
    if (!item) return;
    if (item.kind === 'group') this.events.toggleGroup(item.group.value);
    else if (open) this.events.open(item.row.run_id);
    else this.events.select(item.row.run_id, 'toggle');
  }

  private moveTo(row: number, column: number): void {
    this.active = { row, column };
    if (row >= 0) this.window.reveal(row);
    this.revealColumn(column);
    this.showActive();
    this.events.moved();
  }

  private revealColumn(column: number): void {
    if (column < this.model.pinnedCount) return;
    const j = column - this.model.pinnedCount;
    const left = this.pinnedWidth + this.offsets[j];
    const right = this.pinnedWidth + this.offsets[j + 1];
    const view = this.element;
    if (left - this.pinnedWidth < view.scrollLeft) view.scrollLeft = left - this.pinnedWidth;
    else if (right > view.scrollLeft + view.clientWidth) view.scrollLeft = right - view.clientWidth;
    this.onScroll();
  }

  /** Marks the active cell: it alone carries the id `aria-activedescendant` points at. */
  private showActive(): void {
    const cell = this.activeCellElement();
    if (this.activeCell && this.activeCell !== cell) {
      this.activeCell.classList.remove('active');
      this.activeCell.removeAttribute('id');
    }
    this.activeCell = cell;
    if (cell) {
      cell.classList.add('active');
      cell.id = ACTIVE_CELL_ID;
      this.element.setAttribute('aria-activedescendant', ACTIVE_CELL_ID);
    } else this.element.removeAttribute('aria-activedescendant');
  }

  private activeCellElement(): HTMLElement | undefined {
    const { row, column } = this.active;
    if (row === -1) return this.header.querySelector<HTMLElement>(`[data-column="${column}"]`) ?? undefined;
    const pooled = this.rows.get(row);
    if (!pooled) return undefined;
    if (column === -1) return pooled.select;
    const at = pooled.columns.indexOf(column);
    return at < 0 ? undefined : pooled.cells[at];
  }

}

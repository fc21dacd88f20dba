import type { TableColumn } from '../../src/shared/table/runsTableColumns';
import type { DisplayItem } from '../../src/shared/table/runsTableModel';
import { h } from '../common/dom';
import { cellText, groupStatText } from './cellText';

export const ROW_HEIGHT = 26;
export const HEADER_HEIGHT = 30;
export const SELECT_WIDTH = 32;

/** A row element kept for reuse, with its cells (one per drawn column, `columns` their indexes). */
export interface PooledRow {
  element: HTMLElement;
  select: HTMLElement;
  box: HTMLInputElement;
  twisty: HTMLElement;
  cells: HTMLElement[];
  columns: number[];
}

export interface DrawnColumn {
  index: number;
  column: TableColumn;
  /** Left offset of a pinned (sticky) column; absent for scrolling ones. */
  left?: number;
}

/** An empty row: the selection cell, then one cell per drawn column (a gap element before the first scrolling one). */
export function createRow(drawn: readonly DrawnColumn[], gap: { before: number; element: HTMLElement } | undefined): PooledRow {
  const box = h('input', { type: 'checkbox', tabindex: -1 });
  const twisty = h('span', { class: 'twisty', 'aria-hidden': 'true' });
  const select = h('div', { class: 'cell select pinned', role: 'gridcell', style: { left: '0px', width: `${SELECT_WIDTH}px` } }, box, twisty);
  const children: HTMLElement[] = [select];
  const cells: HTMLElement[] = [];
  for (const { index, column, left } of drawn) {
    if (gap && index === gap.before) children.push(gap.element);
    const cell = h('div', { class: `cell ${column.numeric ? 'numeric' : ''} ${left !== undefined ? 'pinned' : ''}`, role: 'gridcell', style: { width: `${column.width}px`, ...(left !== undefined ? { left: `${left}px` } : {}) } });
    cells.push(cell);
    children.push(cell);
  }
  return { element: h('div', { class: 'row', role: 'row' }, children), select, box, twisty, cells, columns: drawn.map((d) => d.index) };
}

/**
 * Fills a pooled row with line `index` of the list: a run (texts, status dot, selection) or a group
 * header (label, run count, each metric's mean and min–max). Only text and attributes change.
 */
export function fillRow(pooled: PooledRow, item: DisplayItem, index: number, model: { columns: TableColumn[]; selected: ReadonlySet<string>; now: number }): void {
  const { element, box, twisty, cells, columns } = pooled;
  element.hidden = false;
  element.style.top = `${HEADER_HEIGHT + index * ROW_HEIGHT}px`;
  element.dataset.index = String(index);
  element.setAttribute('aria-rowindex', String(index + 2));
  if (item.kind === 'group') {
    const { group } = item;
    element.className = 'row group';
    element.setAttribute('aria-expanded', String(!item.collapsed));
    element.removeAttribute('aria-selected');
    box.hidden = true;
    twisty.hidden = false;
    twisty.textContent = item.collapsed ? '▸' : '▾';
    columns.forEach((c, i) => {
      const column = model.columns[c];
      const stat = groupStatText(group.stats[column.id]);
      const content = i === 0 ? [group.label, h('span', { class: 'count' }, ` ${group.rows.length} run${group.rows.length === 1 ? '' : 's'}`)] : stat ? [h('span', { class: 'mean' }, `μ ${stat.mean}`), stat.range ? h('span', { class: 'range' }, stat.range) : ''] : [];
      cells[i].replaceChildren(...content);
      cells[i].title = stat?.title ?? '';
      cells[i].classList.remove('indented');
    });
    return;
  }
  const { row } = item;
  const selected = model.selected.has(row.run_id);
  element.className = `row${selected ? ' selected' : ''}${row.status === 'RUNNING' ? ' running' : ''}`;
  element.setAttribute('aria-selected', String(selected));
  element.removeAttribute('aria-expanded');
  box.hidden = false;
  box.checked = selected;
  box.setAttribute('aria-label', `Select ${row.run_name || row.run_id}`);
  twisty.hidden = true;
  columns.forEach((c, i) => {
    const column = model.columns[c];
    const cell = cells[i];
    const { text, title } = cellText(row, column, model.now);
    const only = cell.firstChild;
    if (only && only === cell.lastChild && only.nodeType === Node.TEXT_NODE && !(column.kind === 'attribute' && column.key === 'status')) (only as Text).data = text;
    else if (column.kind === 'attribute' && column.key === 'status') {
      let dot = cell.firstChild as HTMLElement | null;
      if (!dot || dot.nodeType !== Node.ELEMENT_NODE || !dot.classList.contains('status-dot')) {
        dot = h('span', { 'aria-hidden': 'true' });
        cell.replaceChildren(dot, '');
      }
      dot.className = `status-dot status-${row.status.toLowerCase()}`;
      (cell.lastChild as Text).data = text;
    } else cell.textContent = text;
    if (cell.title !== (title ?? '')) cell.title = title ?? '';
    if (column.kind === 'attribute' && column.key === 'name') cell.classList.toggle('indented', item.depth > 0);
  });
}

import type { ColumnLayout } from '../../src/shared/protocol/runsTableProtocol';
import { defaultVisible, type ColumnKind, type TableColumn } from '../../src/shared/table/runsTableColumns';
import { h, replaceChildren } from '../common/dom';

const SECTIONS: { title: string; kinds: ColumnKind[] }[] = [
  { title: 'Attributes', kinds: ['attribute'] },
  { title: 'Parameters', kinds: ['param'] },
  { title: 'Metrics', kinds: ['metric', 'metricMin', 'metricMax', 'metricCount'] },
  { title: 'Tags', kinds: ['tag'] },
];

/**
 * The column chooser: a dialog listing every column by section with a search box; a checkbox
 * shows or hides a column, a pin button keeps it at the left. Changes apply at once.
 */
export class ColumnChooser {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly search: HTMLInputElement;
  private columns: TableColumn[] = [];
  private layout: ColumnLayout = { pinned: [] };
  private opener: HTMLElement | undefined;

  constructor(private readonly changed: (layout: ColumnLayout) => void) {
    this.search = h('input', { type: 'search', class: 'chooser-search', placeholder: 'Find a column', 'aria-label': 'Find a column', oninput: () => this.render() });
    this.list = h('div', { class: 'chooser-list', role: 'group', 'aria-label': 'Columns' });
    const reset = h('button', { class: 'text-button', onclick: () => this.apply({ pinned: ['attribute:name'] }) }, 'Reset');
    const all = h('button', { class: 'text-button', onclick: () => this.apply({ ...this.layout, visible: this.columns.map((c) => c.id) }) }, 'Show All');
    const close = h('button', { class: 'text-button', 'aria-label': 'Close the column chooser', onclick: () => this.close() }, 'Close');
    this.element = h(
      'div',
      { class: 'chooser', role: 'dialog', 'aria-label': 'Choose columns', hidden: true, onkeydown: (e: KeyboardEvent) => e.key === 'Escape' && this.close() },
      h('div', { class: 'chooser-head' }, this.search, all, reset, close),
      this.list,
    );
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  open(columns: TableColumn[], layout: ColumnLayout, opener: HTMLElement): void {
    this.columns = columns;
    this.layout = layout;
    this.opener = opener;
    this.element.hidden = false;
    this.render();
    this.search.focus();
  }

  update(columns: TableColumn[], layout: ColumnLayout): void {
    this.columns = columns;
    this.layout = layout;
    if (this.isOpen) this.render();
  }

  close(): void {
    this.element.hidden = true;
    this.opener?.focus();
  }

  private apply(layout: ColumnLayout): void {
    this.layout = layout;
    this.changed(layout);
    this.render();
  }

  private render(): void {
    const query = this.search.value.trim().toLowerCase();
    const visible = new Set(this.layout.visible ?? defaultVisible(this.columns));
    const pinned = new Set(this.layout.pinned);
    const sections = SECTIONS.map(({ title, kinds }) => {
      const columns = this.columns.filter((c) => kinds.includes(c.kind) && (!query || c.label.toLowerCase().includes(query)));
      if (columns.length === 0) return null;
      return h(
        'fieldset',
        { class: 'chooser-section' },
        h('legend', null, `${title} (${columns.length})`),
        columns.map((column) => {
          const box = h('input', { type: 'checkbox', id: `show-${column.id}` });
          box.checked = visible.has(column.id) || pinned.has(column.id);
          box.addEventListener('change', () => {
            const ids = (this.layout.visible ?? defaultVisible(this.columns)).filter((id) => id !== column.id);
            if (box.checked) ids.push(column.id);
            this.apply({ ...this.layout, visible: ids, pinned: box.checked ? this.layout.pinned : this.layout.pinned.filter((id) => id !== column.id) });
          });
          const isPinned = pinned.has(column.id);
          const pin = h(
            'button',
            {
              class: `pin ${isPinned ? 'on' : ''}`,
              'aria-pressed': String(isPinned),
              'aria-label': `${isPinned ? 'Unpin' : 'Pin'} ${column.label}`,
              title: isPinned ? 'Unpin' : 'Pin to the left',
              onclick: () => {
                const next = isPinned ? this.layout.pinned.filter((id) => id !== column.id) : [...this.layout.pinned, column.id];
                const shown = this.layout.visible ?? defaultVisible(this.columns);
                this.apply({ ...this.layout, pinned: next, visible: shown.includes(column.id) || isPinned ? shown : [...shown, column.id] });
              },
            },
            isPinned ? '◆' : '◇',
          );
          return h('div', { class: 'chooser-item' }, box, h('label', { for: `show-${column.id}` }, column.label), pin);
        }),
      );
    });
    replaceChildren(this.list, sections.some(Boolean) ? sections : h('p', { class: 'placeholder' }, 'No column matches.'));
  }
}

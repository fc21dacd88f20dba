import { formatBytes } from '../../src/shared/displayFormat';
import type { FileInfo } from '../../src/shared/entities';
import type { ArtifactPreview } from '../../src/shared/protocol/runDetailsProtocol';
import { h, replaceChildren } from '../common/dom';

export interface ArtifactHost {
  list(path: string): Promise<FileInfo[]>;
  preview(path: string): Promise<ArtifactPreview>;
  open(path: string): void;
  download(path: string): void;
  /** Expanded folders or the previewed file changed (view state to save). */
  changed(expanded: string[], previewPath: string | undefined): void;
}

const LANGUAGE_LABELS: Record<string, string> = { json: 'JSON', yaml: 'YAML', mlmodel: 'MLmodel (YAML)', python: 'Python', markdown: 'Markdown', text: 'Text' };

/**
 * The artifact browser: a tree of folders (listed when expanded) and a preview of the chosen file
 * with "Open in Editor" and "Download". Arrow keys move in the tree, Right/Left expand and collapse,
 * Enter previews.
 */
export class ArtifactBrowser {
  readonly element: HTMLElement;
  private readonly tree: HTMLElement;
  private readonly preview: HTMLElement;
  private readonly expanded = new Set<string>();
  private readonly children = new Map<string, FileInfo[]>();
  private current: string | undefined;
  private focused = '';

  constructor(private readonly host: ArtifactHost) {
    this.tree = h('ul', { class: 'artifact-tree', role: 'tree', 'aria-label': 'Artifacts', onkeydown: (e: KeyboardEvent) => this.onKey(e) });
    this.preview = h('div', { class: 'artifact-preview', 'aria-live': 'polite' }, h('p', { class: 'placeholder' }, 'Choose a file to preview it.'));
    this.element = h('div', { class: 'artifacts' }, h('div', { class: 'artifact-side' }, h('div', { class: 'side-head' }, h('button', { class: 'text-button', onclick: () => this.host.download('') }, 'Download All…')), this.tree), this.preview);
  }

  async load(expanded: readonly string[], previewPath: string | undefined): Promise<void> {
    await this.fetch('');
    for (const path of expanded) {
      this.expanded.add(path);
      await this.fetch(path).catch(() => this.expanded.delete(path));
    }
    this.render();
    if (previewPath) await this.show(previewPath);
  }

  /** Re-lists the open folders (artifacts were logged). */
  async refresh(): Promise<void> {
    this.children.clear();
    await this.load([...this.expanded], undefined);
  }

  async show(path: string): Promise<void> {
    this.current = path;
    this.focused = path;
    this.render();
    this.host.changed([...this.expanded], path);
    replaceChildren(this.preview, h('p', { class: 'placeholder' }, `Loading ${path}…`));
    try {
      const preview = await this.host.preview(path);
      if (this.current === path) replaceChildren(this.preview, this.previewHeader(path, preview), this.previewBody(path, preview));
    } catch (e) {
      replaceChildren(this.preview, this.previewHeader(path, undefined), h('div', { class: 'error-banner', role: 'alert' }, `Could not preview ${path}: ${(e as Error).message}`));
    }
  }

  private async fetch(path: string): Promise<void> {
    if (this.children.has(path)) return;
    const files = await this.host.list(path);
    files.sort((a, b) => Number(b.is_dir) - Number(a.is_dir) || a.path.localeCompare(b.path));
    this.children.set(path, files);
  }

  private async toggle(path: string): Promise<void> {
    if (this.expanded.has(path)) this.expanded.delete(path);
    else {
      this.expanded.add(path);
      await this.fetch(path);
    }
    this.focused = path;
    this.render();
    this.host.changed([...this.expanded], this.current);
  }

  private render(): void {
    const items = this.items('', 1);
    replaceChildren(this.tree, items.length ? items : h('li', { class: 'placeholder', role: 'none' }, 'No artifacts logged.'));
    const target = this.tree.querySelector<HTMLElement>(`[data-path="${CSS.escape(this.focused)}"]`) ?? this.tree.querySelector<HTMLElement>('[role="treeitem"]');
    target?.setAttribute('tabindex', '0');
    if (this.tree.contains(document.activeElement)) target?.focus();
  }

  private items(folder: string, level: number): HTMLElement[] {
    return (this.children.get(folder) ?? []).map((file) => {
      const name = file.path.split('/').pop() ?? file.path;
      const open = this.expanded.has(file.path);
      const row = h(
        'div',
        { class: `tree-row ${this.current === file.path ? 'current' : ''}`, style: { paddingLeft: `${(level - 1) * 14 + 6}px` } },
        h('span', { class: 'twisty', 'aria-hidden': 'true' }, file.is_dir ? (open ? '▾' : '▸') : ''),
        h('span', { class: file.is_dir ? 'folder' : 'file' }, name),
        file.is_dir ? null : h('span', { class: 'size' }, formatBytes(file.file_size)),
      );
      return h(
        'li',
        {
          role: 'treeitem',
          tabindex: -1,
          'data-path': file.path,
          'data-dir': file.is_dir ? '1' : '',
          'aria-level': level,
          'aria-expanded': file.is_dir ? String(open) : undefined,
          'aria-selected': String(this.current === file.path),
          onclick: (e: MouseEvent) => {
            e.stopPropagation();
            void (file.is_dir ? this.toggle(file.path) : this.show(file.path));
          },
        },
        row,
        file.is_dir && open ? h('ul', { role: 'group' }, this.items(file.path, level + 1)) : null,
      );
    });
  }

  private onKey(e: KeyboardEvent): void {
    const items = [...this.tree.querySelectorAll<HTMLElement>('[role="treeitem"]')];
    const index = items.indexOf(document.activeElement as HTMLElement);
    const item = items[index];
    if (!item) return;
    const path = item.dataset.path!;
    const isDir = item.dataset.dir === '1';
    const move = (to: number): void => {
      const next = items[Math.max(0, Math.min(items.length - 1, to))];
      items.forEach((i) => i.setAttribute('tabindex', '-1'));
      next.setAttribute('tabindex', '0');
      next.focus();
      this.focused = next.dataset.path!;
    };
    if (e.key === 'ArrowDown') move(index + 1);
    else if (e.key === 'ArrowUp') move(index - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(items.length - 1);
    else if (e.key === 'ArrowRight' && isDir && !this.expanded.has(path)) void this.toggle(path);
    else if (e.key === 'ArrowLeft' && isDir && this.expanded.has(path)) void this.toggle(path);
    else if (e.key === 'Enter' || e.key === ' ') void (isDir ? this.toggle(path) : this.show(path));
    else return;
    e.preventDefault();
  }

  private previewHeader(path: string, preview: ArtifactPreview | undefined): HTMLElement {
    const kind = preview?.kind === 'text' ? LANGUAGE_LABELS[preview.language] : preview?.kind === 'table' ? 'CSV' : preview?.kind;
    return h(
      'div',
      { class: 'preview-head' },
      h('code', { class: 'path' }, path),
      h('span', { class: 'muted' }, [kind, preview ? formatBytes(preview.size) : ''].filter(Boolean).join(' · ')),
      h('span', { class: 'spacer' }),
      h('vscode-button', { appearance: 'secondary', onclick: () => this.host.open(path) }, 'Open in Editor'),
      h('vscode-button', { appearance: 'secondary', onclick: () => this.host.download(path) }, 'Download…'),
    );
  }

  private previewBody(path: string, preview: ArtifactPreview): HTMLElement {
    switch (preview.kind) {
      case 'text':
        return h('div', null, h('pre', { class: `text-preview language-${preview.language}`, tabindex: 0, 'aria-label': `Contents of ${path}` }, preview.text), preview.truncated ? h('p', { class: 'muted' }, 'Only the beginning is shown: open the file in an editor to see all of it.') : null);
      case 'table': {
        const numeric = preview.header.map((_, c) => preview.rows.length > 0 && preview.rows.every((row) => row[c] === undefined || row[c] === '' || Number.isFinite(Number(row[c]))));
        return h(
          'div',
          { class: 'table-preview', tabindex: 0, 'aria-label': `Table ${path}` },
          h('table', { class: 'data' }, h('thead', null, h('tr', null, preview.header.map((c, i) => h('th', { scope: 'col', class: numeric[i] ? 'numeric' : '' }, c)))), h('tbody', null, preview.rows.map((row) => h('tr', null, row.map((c, i) => h('td', { class: numeric[i] ? 'numeric' : '' }, c)))))),
          h('p', { class: 'muted' }, `${preview.shownRows.toLocaleString()} row${preview.shownRows === 1 ? '' : 's'} shown${preview.truncated ? ' (the first rows only: open the file to see all)' : ''}.`),
        );
      }
      case 'image':
        return h('div', { class: 'image-preview' }, h('img', { src: preview.dataUri, alt: path }));
      case 'html': {
        const frame = h('iframe', { class: 'html-preview', title: `Preview of ${path} (scripts disabled)` });
        frame.setAttribute('sandbox', '');
        frame.srcdoc = preview.html;
        return h('div', null, frame, h('p', { class: 'muted' }, 'Shown in a sandbox: scripts, forms and network requests are blocked.'));
      }
      case 'binary':
        return h('p', { class: 'placeholder' }, 'This file is binary: open it in an editor or download it.');
      case 'tooLarge':
        return h('p', { class: 'placeholder' }, `This file is ${formatBytes(preview.size)}, more than the ${formatBytes(preview.limit)} a preview reads: open it in an editor or download it.`);
    }
  }
}

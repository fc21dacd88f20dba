import { csvText, type CsvCell } from '../../src/shared/csvText';
import type { PanelState, RunAction } from '../../src/shared/protocol/panelMessages';
import type { ColumnLayout, RunsTableFromWebview, RunsTableInput, RunsTableResults, RunsTableToWebview, RunsTableView, TableData } from '../../src/shared/protocol/runsTableProtocol';
import { allColumns, cellValue, visibleColumns, type TableColumn } from '../../src/shared/table/runsTableColumns';
import { displayItems, groupRows, nextFilterState, rangeBetween, sortRows, type DisplayItem, type FilterState } from '../../src/shared/table/runsTableModel';
import { buttonComponent, dropdownComponent, optionComponent, progressRingComponent, registerComponents, textFieldComponent, type ToolkitInput } from '../common/components';
import { announce, debounce, h, replaceChildren } from '../common/dom';
import { PanelChannel } from '../common/vscodeApi';
import { cellText, setExperimentNames } from './cellText';
import { ColumnChooser } from './columnChooser';
import { TableGrid } from './tableGrid';

registerComponents(buttonComponent, textFieldComponent, dropdownComponent, optionComponent, progressRingComponent);

type State = PanelState<RunsTableInput, RunsTableView>;
const channel = new PanelChannel<RunsTableToWebview, RunsTableFromWebview, RunsTableResults, State>(onMessage);

let input: RunsTableInput | undefined = channel.state?.input;
let view: RunsTableView = channel.state?.view ?? { selected: [], scrollTop: 0 };
let layout: ColumnLayout = { pinned: ['attribute:name'] };
let data: TableData | undefined;
let hasSummaries = true;
let columns: TableColumn[] = [];
let items: DisplayItem[] = [];
let selected = new Set<string>(view.selected);
let anchor: string | undefined;
const collapsed = new Set<string>(view.collapsedGroups ?? []);
let filter: FilterState = { draft: input?.filter ?? '', applied: input?.filter ?? '' };
let restoredScroll = false;
let firstTable = true;
let partial = false;

const filterField = h('vscode-text-field', { class: 'filter', placeholder: "metrics.rmse < 0.8 and params.model = 'cnn' OR tags.stage = 'prod'", 'aria-label': 'Filter runs', 'aria-describedby': 'filter-error' }) as ToolkitInput;
const applyButton = h('vscode-button', { appearance: 'primary', onclick: () => void applyFilter() }, 'Apply');
const filterError = h('div', { id: 'filter-error', class: 'filter-error', role: 'alert', 'aria-live': 'assertive' });
const columnsButton = h('vscode-button', { appearance: 'secondary', 'aria-haspopup': 'dialog', onclick: () => chooser.open(allColumns(data ?? emptyData(), columnOptions()), layout, columnsButton) }, 'Columns…');
const groupBy = h('vscode-dropdown', { class: 'group-by', 'aria-label': 'Group runs by', onchange: () => setLayout({ ...layout, groupBy: (groupBy as ToolkitInput).value || undefined }) });
const actions: Record<RunAction, HTMLElement> = {
  charts: h('vscode-button', { appearance: 'secondary', disabled: true, onclick: () => runAction('charts'), title: 'Chart the selected runs' }, 'Chart'),
  compare: h('vscode-button', { appearance: 'secondary', disabled: true, onclick: () => runAction('compare'), title: 'Compare the selected runs' }, 'Compare'),
  details: h('vscode-button', { appearance: 'secondary', disabled: true, onclick: () => runAction('details'), title: 'Open the selected run' }, 'Details'),
};
const exportButton = h('vscode-button', { appearance: 'secondary', onclick: () => void exportCsv() }, 'Export CSV');
const refreshButton = h('vscode-button', { appearance: 'icon', 'aria-label': 'Refresh', title: 'Refresh', onclick: () => channel.post({ type: 'refresh' }) }, '⟳');
const spinner = h('vscode-progress-ring', { class: 'spinner', hidden: true, 'aria-label': 'Loading runs' });
const status = h('div', { class: 'status', role: 'status' });
const chooser = new ColumnChooser((next) => setLayout(next));
const grid = new TableGrid({
  sort: (id) => setLayout({ ...layout, sort: { column: id, direction: layout.sort?.column === id && layout.sort.direction === 'asc' ? 'desc' : 'asc' } }),
  toggleGroup: (value) => {
    if (collapsed.has(value)) collapsed.delete(value);
    else collapsed.add(value);
    rebuild();
    saveView();
  },
  select,
  selectAll: () => setSelection(new Set(runIdsInOrder())),
  clearSelection: () => setSelection(new Set()),
  open: (runId) => channel.post({ type: 'runAction', action: 'details', runIds: [runId] }),
  moved: () => saveView(true),
});

const app = document.getElementById('app')!;
replaceChildren(
  app,
  h('header', { class: 'toolbar' }, h('div', { class: 'filter-row' }, filterField, applyButton, spinner), filterError, h('div', { class: 'action-row' }, columnsButton, h('label', { class: 'inline-label' }, 'Group by', groupBy), h('span', { class: 'spacer' }), actions.charts, actions.compare, actions.details, exportButton, refreshButton)),
  grid.element,
  h('footer', null, status),
  chooser.element,
);
app.removeAttribute('aria-busy');
filterField.value = filter.draft;
filterField.addEventListener('input', () => {
  filter = nextFilterState(filter, { kind: 'edited', text: filterField.value });
  showFilterError();
  checkLater(filterField.value);
});
filterField.addEventListener('keydown', (e) => {
  if ((e as KeyboardEvent).key === 'Enter') void applyFilter();
});
channel.ready();

function onMessage(message: Exclude<RunsTableToWebview, { type: 'response' }>): void {
  switch (message.type) {
    case 'init':
      input = message.input;
      hasSummaries = message.hasSummaries;
      layout = message.layout ?? layout;
      setExperimentNames(new Map(message.experiments.map((e) => [e.id, e.name])));
      filter = { draft: message.input.filter ?? '', applied: message.input.filter ?? '' };
      filterField.value = filter.draft;
      document.title = message.experiments.map((e) => e.name).join(', ');
      saveView();
      return;
    case 'loading':
      spinner.hidden = false;
      status.textContent = 'Loading runs…';
      return;
    case 'table':
      spinner.hidden = !message.partial;
      data = message.data;
      filter = nextFilterState(filter, { kind: 'applied', text: message.filter });
      showFilterError();
      partial = message.partial;
      if (!message.live && !message.partial) {
        const present = new Set(message.data.runs.map((r) => r.run_id));
        selected = new Set([...selected].filter((id) => present.has(id)));
      }
      rebuild();
      if (!restoredScroll) {
        grid.scrollTop = view.scrollTop;
        if (view.focusedRun) grid.activateRun(view.focusedRun);
        restoredScroll = true;
      }
      if (!message.live && !message.partial) announce(`${message.data.runs.length} runs`);
      showStatus(message.loadedMs);
      if (firstTable) {
        firstTable = false;
        requestAnimationFrame(() => window.dispatchEvent(new CustomEvent('trackside:rendered', { detail: { panel: 'runsTable', runs: message.data.runs.length } })));
      }
      return;
    case 'tableError':
      spinner.hidden = true;
      filterError.textContent = message.message;
      status.textContent = 'The runs could not be read.';
      return;
  }
}

function emptyData(): TableData {
  return { columns: { params: [], metrics: [], tags: [] }, runs: [] };
}

function columnOptions(): { multipleExperiments: boolean; summaries: boolean } {
  return { multipleExperiments: (input?.experimentIds.length ?? 1) > 1, summaries: hasSummaries };
}

/** Recomputes columns, order, groups and the grid from the data and the layout. */
function rebuild(): void {
  const table = data ?? emptyData();
  const now = Date.now();
  const all = allColumns(table, columnOptions());
  columns = visibleColumns(all, layout);
  const pinned = new Set(layout.pinned);
  const pinnedCount = columns.findIndex((c) => !pinned.has(c.id));
  const sortColumn = all.find((c) => c.id === layout.sort?.column);
  const sorted = sortRows(table.runs, sortColumn, layout.sort?.direction ?? 'asc', now);
  const groupColumn = all.find((c) => c.id === layout.groupBy);
  const statColumns = columns.filter((c) => c.numeric && c.kind !== 'attribute');
  const groups = groupColumn ? groupRows(sorted, groupColumn, statColumns, now) : undefined;
  items = displayItems(sorted, groups, collapsed);
  grid.setModel({ columns, pinnedCount: pinnedCount < 0 ? columns.length : pinnedCount, items, sort: layout.sort, selected, now });
  chooser.update(all, layout);
  fillGroupBy(all);
  updateActions();
}

function fillGroupBy(all: TableColumn[]): void {
  const choices = all.filter((c) => c.kind === 'param' || c.kind === 'tag');
  const signature = choices.map((c) => c.id).join('\n');
  if (groupBy.dataset.signature !== signature) {
    groupBy.dataset.signature = signature;
    replaceChildren(groupBy, h('vscode-option', { value: '' }, 'No grouping'), choices.map((c) => h('vscode-option', { value: c.id }, `${c.kind === 'param' ? 'param' : 'tag'}: ${c.key}`)));
  }
  requestAnimationFrame(() => ((groupBy as ToolkitInput).value = layout.groupBy ?? ''));
}

function setLayout(next: ColumnLayout): void {
  layout = next;
  channel.post({ type: 'saveLayout', layout });
  rebuild();
}

function runIdsInOrder(): string[] {
  return items.flatMap((item) => (item.kind === 'run' ? [item.row.run_id] : []));
}

function select(runId: string, mode: 'only' | 'toggle' | 'range'): void {
  const next = mode === 'only' ? new Set([runId]) : mode === 'range' ? new Set(rangeBetween(runIdsInOrder(), anchor, runId)) : new Set(selected);
  if (mode === 'toggle') {
    if (next.has(runId)) next.delete(runId);
    else next.add(runId);
  }
  if (mode !== 'range') anchor = runId;
  setSelection(next);
}

function setSelection(next: Set<string>): void {
  selected = next;
  grid.updateSelection(selected);
  updateActions();
  showStatus();
  saveView();
}

function updateActions(): void {
  const count = selected.size;
  actions.charts.toggleAttribute('disabled', count < 1);
  actions.compare.toggleAttribute('disabled', count < 2);
  actions.details.toggleAttribute('disabled', count !== 1);
}

function runAction(action: RunAction): void {
  const ids = runIdsInOrder().filter((id) => selected.has(id));
  if (ids.length > 0) channel.post({ type: 'runAction', action, runIds: ids });
}

let lastLoadMs: number | undefined;
function showStatus(loadedMs?: number): void {
  if (loadedMs !== undefined) lastLoadMs = loadedMs;
  const runs = data?.runs.length ?? 0;
  const running = data?.runs.filter((r) => r.status === 'RUNNING').length ?? 0;
  const parts = [partial ? `first ${runs.toLocaleString()} runs (reading the rest…)` : `${runs.toLocaleString()} run${runs === 1 ? '' : 's'}`];
  if (running) parts.push(`${running} running (live)`);
  if (selected.size) parts.push(`${selected.size} selected`);
  if (filter.applied) parts.push(`filter: ${filter.applied}`);
  if (lastLoadMs !== undefined) parts.push(`read in ${lastLoadMs} ms`);
  status.textContent = parts.join(' · ');
}

/** Saves the view state: at once after an action, `soon` (coalesced) while scrolling. */
function saveView(soon = false): void {
  if (!input) return;
  view = { selected: [...selected], scrollTop: grid.scrollTop, focusedRun: grid.activeRun, collapsedGroups: [...collapsed] };
  channel.saveState({ input: { ...input, filter: filter.applied || undefined }, view }, soon);
}

function showFilterError(): void {
  filterError.textContent = filter.error ? `${filter.error}` : '';
  filterField.toggleAttribute('aria-invalid', !!filter.error);
}

const checkLater = debounce(async (text: string) => {
  filter = nextFilterState(filter, { kind: 'checking', text });
  const check = await channel.request({ type: 'checkFilter', filter: text }).catch((e: Error) => ({ error: e.message }));
  filter = nextFilterState(filter, { kind: 'checked', text, error: check.error });
  showFilterError();
}, 250);

async function applyFilter(): Promise<void> {
  const text = filterField.value;
  const check = await channel.request({ type: 'applyFilter', filter: text }).catch((e: Error) => ({ error: e.message }));
  filter = nextFilterState(filter, { kind: 'checked', text, error: check.error });
  showFilterError();
  if (check.error) filterField.focus();
}

async function exportCsv(): Promise<void> {
  if (!data) return;
  const now = Date.now();
  const rows: CsvCell[][] = [];
  const byId = new Map(data.runs.map((r) => [r.run_id, r]));
  const shown = columns;
  for (const id of runIdsInOrder()) {
    const row = byId.get(id)!;
    rows.push([row.run_id, ...shown.map((c) => (c.kind === 'attribute' ? cellText(row, c, now).text : cellValue(row, c, now)))]);
  }
  const name = (document.title || 'runs').replace(/[^\w.-]+/g, '_').slice(0, 60);
  const answer = await channel.request({ type: 'exportFile', fileName: `${name}.csv`, encoding: 'text', content: csvText(['run_id', ...shown.map((c) => c.label)], rows) }).catch((e: Error) => {
    announce(`Export failed: ${e.message}`);
    return { saved: undefined };
  });
  if (answer.saved) announce(`Saved ${answer.saved}`);
}

setInterval(() => {
  if (data?.runs.some((r) => r.status === 'RUNNING')) grid.setModel({ columns, pinnedCount: columns.findIndex((c) => !layout.pinned.includes(c.id)) < 0 ? columns.length : columns.findIndex((c) => !layout.pinned.includes(c.id)), items, sort: layout.sort, selected, now: Date.now() });
}, 10_000);

import { buildAxis } from '../../src/shared/compare/parallelAxes';
import { compareValue } from '../../src/shared/compare/runDiff';
import type { CompareFromWebview, CompareInput, CompareRun, CompareToWebview, CompareView } from '../../src/shared/protocol/compareProtocol';
import type { PanelState } from '../../src/shared/protocol/panelMessages';
import { readChartTheme, seriesColor, setUpCharts } from '../common/chartTheme';
import { buttonComponent, checkboxComponent, dropdownComponent, optionComponent, registerComponents, type ToolkitInput } from '../common/components';
import { h, replaceChildren } from '../common/dom';
import { onThemeChange } from '../common/theme';
import { PanelChannel } from '../common/vscodeApi';
import { diffTable } from './diffTable';
import { axisLabel, ParallelCoordinates } from './parallelCoordinates';
import { ScatterChart } from './scatterChart';

registerComponents(buttonComponent, checkboxComponent, dropdownComponent, optionComponent);

type State = PanelState<CompareInput, CompareView>;
const channel = new PanelChannel<CompareToWebview, CompareFromWebview, Record<string, never>, State>(onMessage);
let input: CompareInput | undefined = channel.state?.input;
let view: CompareView = { onlyDifferences: false, ...channel.state?.view };
let runs: CompareRun[] = [];
let theme = readChartTheme();
setUpCharts(theme);
let first = true;

const parallel = new ParallelCoordinates();
const scatter = new ScatterChart();
const axisChips = h('div', { class: 'chips', role: 'group', 'aria-label': 'Axes of the parallel-coordinates chart' });
const colorBy = h('vscode-dropdown', { 'aria-label': 'Color lines by', onchange: () => setView({ colorBy: (colorBy as ToolkitInput).value || undefined }) });
const scatterX = h('vscode-dropdown', { 'aria-label': 'Scatter x axis', onchange: () => setView({ scatterX: (scatterX as ToolkitInput).value }) });
const scatterY = h('vscode-dropdown', { 'aria-label': 'Scatter y axis', onchange: () => setView({ scatterY: (scatterY as ToolkitInput).value }) });
const onlyDiff = h('vscode-checkbox', { onchange: () => setView({ onlyDifferences: (onlyDiff as ToolkitInput).checked }) }, 'Only differences') as ToolkitInput;
const runList = h('ul', { class: 'run-list', 'aria-label': 'Compared runs' });
const diffHost = h('div', { class: 'diff-host' });
const notice = h('div', { class: 'notice', role: 'status' });

replaceChildren(
  document.getElementById('app')!,
  h(
    'header',
    { class: 'toolbar' },
    h('div', { class: 'toolbar-row' }, h('h1', { class: 'title' }, 'Compare runs'), h('span', { class: 'spacer' }), h('vscode-button', { appearance: 'secondary', onclick: () => post('charts') }, 'Open Charts'), onlyDiff),
    notice,
  ),
  h(
    'div',
    { class: 'compare-scroll' },
    h('section', { class: 'card', 'aria-labelledby': 'pc-title' }, h('header', null, h('h2', { id: 'pc-title' }, 'Parallel coordinates'), h('label', { class: 'inline-label' }, 'Color by', colorBy)), axisChips, h('div', { class: 'pc-row' }, parallel.element, runList)),
    h('section', { class: 'card', 'aria-labelledby': 'sc-title' }, h('header', null, h('h2', { id: 'sc-title' }, 'Scatter'), h('label', { class: 'inline-label' }, 'X', scatterX), h('label', { class: 'inline-label' }, 'Y', scatterY)), scatter.element),
    h('section', { class: 'card', 'aria-labelledby': 'diff-title' }, h('header', null, h('h2', { id: 'diff-title' }, 'Differences')), diffHost),
  ),
);
document.getElementById('app')!.removeAttribute('aria-busy');
onThemeChange(() => {
  theme = readChartTheme();
  setUpCharts(theme);
  render();
});
channel.ready();

function onMessage(message: Exclude<CompareToWebview, { type: 'response' }>): void {
  switch (message.type) {
    case 'init':
      input = message.input;
      runs = message.runs;
      notice.textContent = message.missing.length ? `Some runs could not be read: ${message.missing.join('; ')}` : '';
      chooseDefaults();
      render();
      saveView();
      if (first) {
        first = false;
        requestAnimationFrame(() => window.dispatchEvent(new CustomEvent('trackside:rendered', { detail: { panel: 'compare' } })));
      }
      return;
    case 'runs':
      runs = message.runs;
      render();
      return;
  }
}

function post(action: 'charts' | 'details'): void {
  channel.post({ type: 'runAction', action, runIds: runs.map((r) => r.runId) });
}

function saveView(): void {
  if (input) channel.saveState({ input, view });
}

function setView(change: Partial<CompareView>): void {
  view = { ...view, ...change };
  saveView();
  render();
}

/** Every param and metric id the runs have. */
function candidateIds(): { params: string[]; metrics: string[] } {
  const keys = (pick: (r: CompareRun) => object): string[] => [...new Set(runs.flatMap((r) => Object.keys(pick(r))))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  return { params: keys((r) => r.params).map((k) => `param:${k}`), metrics: keys((r) => r.metrics).map((k) => `metric:${k}`) };
}

/** Axes: params that differ (up to 6) then metrics (up to 4); scatter: the first such param against the first metric. */
function chooseDefaults(): void {
  const { params, metrics } = candidateIds();
  const differing = params.filter((id) => new Set(runs.map((r) => compareValue(r, id))).size > 1);
  const all = [...params, ...metrics];
  if (!view.axes || !view.axes.every((id) => all.includes(id))) view.axes = [...differing.slice(0, 6), ...metrics.slice(0, 4)];
  if (!view.scatterX || !all.includes(view.scatterX)) view.scatterX = differing[0] ?? params[0] ?? metrics[0];
  if (!view.scatterY || !metrics.includes(view.scatterY)) view.scatterY = metrics[0];
  if (view.colorBy && !metrics.includes(view.colorBy)) view.colorBy = undefined;
}

function render(): void {
  const { params, metrics } = candidateIds();
  const axes = view.axes ?? [];
  replaceChildren(
    axisChips,
    [...params, ...metrics].map((id) => {
      const on = axes.includes(id);
      return h('button', { class: `chip ${on ? 'on' : ''} ${id.startsWith('metric:') ? 'metric' : ''}`, 'aria-pressed': String(on), onclick: () => setView({ axes: on ? axes.filter((a) => a !== id) : [...axes, id] }) }, axisLabel(id));
    }),
  );
  fillDropdown(colorBy, [{ value: '', label: 'Run color' }, ...metrics.map((id) => ({ value: id, label: axisLabel(id) }))], view.colorBy ?? '');
  fillDropdown(scatterX, [...params, ...metrics].map((id) => ({ value: id, label: `${id.startsWith('param:') ? 'param' : 'metric'}: ${axisLabel(id)}` })), view.scatterX ?? '');
  fillDropdown(scatterY, metrics.map((id) => ({ value: id, label: axisLabel(id) })), view.scatterY ?? '');
  parallel.draw(runs, axes, view.colorBy, theme);
  if (view.scatterX && view.scatterY) scatter.draw(runs, view.scatterX, view.scatterY, theme);
  replaceChildren(
    runList,
    runs.map((run, index) =>
      h(
        'li',
        null,
        h('span', { class: 'swatch', 'aria-hidden': 'true', style: { background: seriesColor(theme, index) } }),
        h('button', { class: 'link', onmouseenter: () => parallel.highlight(run.runId), onmouseleave: () => parallel.highlight(undefined), onfocus: () => parallel.highlight(run.runId), onblur: () => parallel.highlight(undefined), onclick: () => channel.post({ type: 'runAction', action: 'details', runIds: [run.runId] }) }, run.name),
        view.colorBy ? h('span', { class: 'muted' }, ` ${formatColorValue(run)}`) : null,
      ),
    ),
  );
  onlyDiff.checked = view.onlyDifferences;
  replaceChildren(diffHost, diffTable(runs, { onlyDifferences: view.onlyDifferences, theme, openRun: (runId) => channel.post({ type: 'runAction', action: 'details', runIds: [runId] }) }));
}

function formatColorValue(run: CompareRun): string {
  const value = compareValue(run, view.colorBy!);
  const axis = buildAxis(view.colorBy!, '', runs.map((r) => compareValue(r, view.colorBy!)));
  return value === undefined ? '—' : axis.kind === 'numeric' ? String(Number(Number(value).toPrecision(4))) : String(value);
}

function fillDropdown(dropdown: HTMLElement, options: { value: string; label: string }[], value: string): void {
  const signature = options.map((o) => o.value).join('\n');
  if (dropdown.dataset.signature !== signature) {
    dropdown.dataset.signature = signature;
    replaceChildren(dropdown, options.map((o) => h('vscode-option', { value: o.value }, o.label)));
  }
  requestAnimationFrame(() => ((dropdown as ToolkitInput).value = value));
}

import { stepRangeForX } from '../../src/shared/charts/bucketMerge';
import { MAX_SMOOTHING } from '../../src/shared/charts/emaSmoothing';
import { bucketsForWidth } from '../../src/shared/charts/seriesColumns';
import { formatCount } from '../../src/shared/displayFormat';
import type { ChartRun, ChartsFromWebview, ChartsInput, ChartsResults, ChartsToWebview, ChartsView, XAxisKind } from '../../src/shared/protocol/chartsProtocol';
import type { PanelState } from '../../src/shared/protocol/panelMessages';
import { readChartTheme, seriesColor, setUpCharts } from '../common/chartTheme';
import { buttonComponent, checkboxComponent, dropdownComponent, optionComponent, registerComponents, textFieldComponent, type ToolkitInput } from '../common/components';
import { announce, debounce, h, replaceChildren } from '../common/dom';
import { onThemeChange } from '../common/theme';
import { PanelChannel } from '../common/vscodeApi';
import { MetricChart, type ChartOptions } from './metricChart';
import { SeriesStore } from './seriesStore';

registerComponents(buttonComponent, checkboxComponent, dropdownComponent, optionComponent, textFieldComponent);

type State = PanelState<ChartsInput, ChartsView>;
const DEFAULT_KEYS = 6;
const channel = new PanelChannel<ChartsToWebview, ChartsFromWebview, ChartsResults, State>(onMessage);
const saved = channel.state;
let input: ChartsInput | undefined = saved?.input;
let view: ChartsView = { keys: [], xAxis: 'step', logY: false, smoothing: 0, hiddenRuns: [], zoom: {}, wide: [], ...saved?.view };
let runs: ChartRun[] = [];
let allKeys: string[] = [];
let theme = readChartTheme();
let firstDraw = true;
setUpCharts(theme);
const store = new SeriesStore((request) => channel.request({ type: 'loadSeries', ...request }));
const charts = new Map<string, { card: HTMLElement; chart: MetricChart; badge: HTMLElement }>();

const keyFilter = h('vscode-text-field', { placeholder: 'Find metrics', 'aria-label': 'Find metrics', oninput: () => renderKeys() }) as ToolkitInput;
const keyList = h('div', { class: 'chips', role: 'group', 'aria-label': 'Metrics to chart' });
const xAxis = h('vscode-dropdown', { 'aria-label': 'X axis', onchange: () => setXAxis((xAxis as ToolkitInput).value as XAxisKind) }, [
  h('vscode-option', { value: 'step' }, 'Step'),
  h('vscode-option', { value: 'wallTime' }, 'Wall time'),
  h('vscode-option', { value: 'relativeTime' }, 'Relative time'),
  h('vscode-option', { value: 'metric' }, 'Another metric…'),
]);
const xMetric = h('vscode-dropdown', { 'aria-label': 'X axis metric', hidden: true, onchange: () => setXAxis('metric', (xMetric as ToolkitInput).value) });
const logY = h('vscode-checkbox', { onchange: () => update({ logY: (logY as ToolkitInput).checked }) }, 'Log scale') as ToolkitInput;
const smoothing = h('input', { type: 'range', min: 0, max: MAX_SMOOTHING, step: 0.01, 'aria-label': 'Smoothing', class: 'smoothing' });
const smoothingValue = h('span', { class: 'smoothing-value', 'aria-hidden': 'true' });
const legend = h('div', { class: 'legend', role: 'group', 'aria-label': 'Runs (click to hide or show)' });
const grid = h('div', { class: 'charts-grid' });
const status = h('div', { class: 'status', role: 'status' });

replaceChildren(
  document.getElementById('app')!,
  h(
    'header',
    { class: 'toolbar' },
    h('div', { class: 'toolbar-row' }, h('span', { class: 'inline-label' }, 'Metrics'), keyFilter, keyList),
    h(
      'div',
      { class: 'toolbar-row' },
      h('label', { class: 'inline-label' }, 'X axis', xAxis, xMetric),
      logY,
      h('label', { class: 'inline-label' }, 'Smoothing', smoothing, smoothingValue),
      h('span', { class: 'spacer' }),
      h('vscode-button', { appearance: 'secondary', onclick: () => resetZoom() }, 'Reset Zoom'),
      h('vscode-button', { appearance: 'secondary', onclick: () => void exportCsv(view.keys) }, 'Export CSV'),
    ),
    legend,
  ),
  h('div', { class: 'charts-scroll' }, grid),
  h('footer', null, status),
);
document.getElementById('app')!.removeAttribute('aria-busy');
smoothing.addEventListener('input', () => update({ smoothing: Number(smoothing.value) }));
onThemeChange(() => {
  theme = readChartTheme();
  setUpCharts(theme);
  renderLegend();
  drawAll();
});
new ResizeObserver(debounce(() => void reloadIfWider(), 400)).observe(grid);
channel.ready();

function onMessage(message: Exclude<ChartsToWebview, { type: 'response' }>): void {
  switch (message.type) {
    case 'init': {
      input = message.input;
      runs = message.runs;
      allKeys = message.keys;
      const wanted = view.keys.length ? view.keys : (input.keys ?? []);
      view.keys = wanted.filter((k) => allKeys.includes(k));
      if (view.keys.length === 0) view.keys = allKeys.slice(0, DEFAULT_KEYS);
      syncControls();
      void loadAndDraw();
      return;
    }
    case 'runsChanged':
      runs = message.runs;
      allKeys = message.keys;
      syncControls();
      drawAll();
      return;
    case 'seriesChanged':
      void appendLive(message.runs);
      return;
  }
}

function runIds(): string[] {
  return runs.map((r) => r.runId);
}

function saveView(): void {
  if (input) channel.saveState({ input, view });
}

function syncControls(): void {
  (xAxis as ToolkitInput).value = view.xAxis;
  xMetric.hidden = view.xAxis !== 'metric';
  replaceChildren(xMetric, allKeys.map((k) => h('vscode-option', { value: k }, k)));
  requestAnimationFrame(() => ((xMetric as ToolkitInput).value = view.xMetric ?? allKeys[0] ?? ''));
  logY.checked = view.logY;
  smoothing.value = String(view.smoothing);
  smoothingValue.textContent = view.smoothing.toFixed(2);
  renderKeys();
  renderLegend();
}

function renderKeys(): void {
  const query = keyFilter.value?.trim().toLowerCase() ?? '';
  const shown = allKeys.filter((k) => !query || k.toLowerCase().includes(query)).slice(0, 80);
  replaceChildren(
    keyList,
    shown.map((key) => {
      const on = view.keys.includes(key);
      return h('button', { class: `chip ${on ? 'on' : ''}`, 'aria-pressed': String(on), onclick: () => toggleKey(key) }, key);
    }),
    allKeys.length === 0 ? h('span', { class: 'placeholder' }, 'These runs have no metrics yet.') : null,
  );
}

function renderLegend(): void {
  const hidden = new Set(view.hiddenRuns);
  replaceChildren(
    legend,
    runs.map((run, index) => {
      const on = !hidden.has(run.runId);
      const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true', style: { background: seriesColor(theme, index) } });
      return h(
        'button',
        {
          class: `legend-item ${on ? '' : 'off'}`,
          'aria-pressed': String(on),
          title: `${run.name} (${run.status.toLowerCase()}) — click to hide or show, Alt+click to show only this run, double-click for details`,
          onclick: (e: MouseEvent) => toggleRun(run.runId, e.altKey),
          ondblclick: () => channel.post({ type: 'openRun', runId: run.runId }),
        },
        swatch,
        run.name,
        run.status === 'RUNNING' ? h('span', { class: 'live', title: 'running: updates live' }, ' ●') : null,
      );
    }),
  );
}

function toggleRun(runId: string, solo: boolean): void {
  const hidden = new Set(view.hiddenRuns);
  if (solo) update({ hiddenRuns: runIds().filter((id) => id !== runId) });
  else {
    if (hidden.has(runId)) hidden.delete(runId);
    else hidden.add(runId);
    update({ hiddenRuns: [...hidden] });
  }
  renderLegend();
}

function toggleKey(key: string): void {
  view.keys = view.keys.includes(key) ? view.keys.filter((k) => k !== key) : [...view.keys, key];
  renderKeys();
  saveView();
  void loadAndDraw();
}

function setXAxis(kind: XAxisKind, metric?: string): void {
  view = { ...view, xAxis: kind, xMetric: kind === 'metric' ? (metric ?? view.xMetric ?? allKeys[0]) : view.xMetric, zoom: {} };
  xMetric.hidden = kind !== 'metric';
  for (const key of view.keys) void store.zoom(key, undefined, runIds(), 0);
  saveView();
  void loadAndDraw();
}

function update(change: Partial<ChartsView>): void {
  view = { ...view, ...change };
  smoothingValue.textContent = view.smoothing.toFixed(2);
  saveView();
  drawAll();
}

function chartOptions(): ChartOptions {
  const companion = view.xAxis === 'metric' ? view.xMetric : undefined;
  return {
    xKind: view.xAxis,
    xMetric: companion,
    logY: view.logY,
    smoothing: view.smoothing,
    runs,
    hidden: new Set(view.hiddenRuns),
    theme,
    xSeries: (runId) => (companion ? store.get(companion, runId) : undefined),
  };
}

/** Adds and removes chart cards to match the chosen keys (existing charts are kept and reused). */
function syncCards(): void {
  for (const [key, entry] of charts) {
    if (!view.keys.includes(key)) {
      entry.chart.destroy();
      entry.card.remove();
      charts.delete(key);
      store.drop(key);
    }
  }
  for (const key of view.keys) {
    if (charts.has(key)) continue;
    const chart = new MetricChart(key, { zoomed: (k, range) => onZoom(k, range) }, theme);
    const badge = h('span', { class: 'badge' });
    const title = h('h2', { id: `title-${cssId(key)}` }, key);
    const wide = h('vscode-button', { appearance: 'icon', 'aria-label': `Widen ${key}`, title: 'Full width', onclick: () => toggleWide(key) }, '⤢');
    const card = h(
      'section',
      { class: `chart-card ${view.wide.includes(key) ? 'wide' : ''}`, 'aria-labelledby': title.id },
      h('header', null, title, badge, h('span', { class: 'spacer' }), wide, h('vscode-button', { appearance: 'icon', 'aria-label': `Export ${key} as PNG`, title: 'Export PNG', onclick: () => void exportPng(key) }, 'PNG'), h('vscode-button', { appearance: 'icon', 'aria-label': `Export ${key} as CSV`, title: 'Export CSV', onclick: () => void exportCsv([key]) }, 'CSV')),
      chart.element,
    );
    charts.set(key, { card, chart, badge });
  }
  const order = view.keys.map((k) => charts.get(k)!.card);
  if (order.some((card, i) => grid.children[i] !== card)) replaceChildren(grid, order);
  if (view.keys.length === 0) replaceChildren(grid, h('p', { class: 'placeholder' }, 'Pick metrics above to chart them.'));
}

function budgetFor(key?: string): number {
  const chart = key ? charts.get(key)?.chart : [...charts.values()][0]?.chart;
  return bucketsForWidth(chart ? chart.plotWidth : grid.clientWidth / 2 - 80);
}

async function loadAndDraw(): Promise<void> {
  syncCards();
  const companion = view.xAxis === 'metric' && view.xMetric ? [view.xMetric] : [];
  status.textContent = 'Loading…';
  const budget = budgetFor();
  const requestAt = performance.now();
  try {
    await store.ensure([...view.keys, ...companion], runIds(), budget);
    for (const [key, range] of Object.entries(view.zoom)) if (view.keys.includes(key)) await fetchZoom(key, range);
  } catch (e) {
    status.textContent = `Could not load the series: ${(e as Error).message}`;
    return;
  }
  const drawStart = performance.now();
  drawAll();
  const drawMs = performance.now() - drawStart;
  if (firstDraw) {
    firstDraw = false;
    // For UI tests and the bench: the event at the frame that shows the first drawing, and (one
    // frame later, when that frame is surely on screen) the timings on `window.__tracksideFirstFrame`.
    const detail = { panel: 'charts', keys: view.keys.length, requestAt, drawStart, drawMs };
    requestAnimationFrame(() => {
      window.dispatchEvent(new CustomEvent('trackside:rendered', { detail }));
      requestAnimationFrame(() => ((window as { __tracksideFirstFrame?: object }).__tracksideFirstFrame = { ...detail, frameAt: performance.now() }));
    });
  }
}

function drawAll(): void {
  const options = chartOptions();
  let buckets = 0;
  for (const [key, { chart, badge }] of charts) {
    const series = store.series(key);
    chart.update(series, options, view.zoom[key]);
    const exact = [...series.values()].every((s) => s.exact);
    badge.textContent = exact ? 'all points' : 'downsampled (min/max kept)';
    for (const s of series.values()) buckets += s.steps.length;
  }
  status.textContent = `${runs.length} run${runs.length === 1 ? '' : 's'} · ${view.keys.length} metric${view.keys.length === 1 ? '' : 's'} · ${formatCount(buckets)} buckets drawn`;
}

/** Zoom/pan: draw the new range at once, then fetch finer buckets for it. */
function onZoom(key: string, range: [number, number] | undefined): void {
  if (range) view.zoom[key] = range;
  else delete view.zoom[key];
  saveView();
  drawAll();
  fetchZoomLater(key, range);
}

const pendingZoom = new Map<string, ReturnType<typeof setTimeout>>();
function fetchZoomLater(key: string, range: [number, number] | undefined): void {
  clearTimeout(pendingZoom.get(key));
  pendingZoom.set(
    key,
    setTimeout(() => {
      void fetchZoom(key, range).then(() => drawAll(), (e: Error) => (status.textContent = `Zoom: ${e.message}`));
    }, 150),
  );
}

async function fetchZoom(key: string, range: [number, number] | undefined): Promise<void> {
  const entry = charts.get(key);
  const companion = view.xAxis === 'metric' && view.xMetric ? [view.xMetric] : [];
  if (!range || !entry) return store.zoom(key, undefined, runIds(), 0, companion);
  let steps: [number, number] | undefined;
  for (const runId of runIds()) {
    const drawn = entry.chart.xsOf(runId);
    const found = drawn && stepRangeForX(drawn.steps, drawn.xs, range[0], range[1]);
    if (found) steps = steps ? [Math.min(steps[0], found[0]), Math.max(steps[1], found[1])] : found;
  }
  if (steps) await store.zoom(key, steps, runIds(), budgetFor(key), companion);
}

function resetZoom(): void {
  for (const key of Object.keys(view.zoom)) onZoom(key, undefined);
}

function toggleWide(key: string): void {
  view.wide = view.wide.includes(key) ? view.wide.filter((k) => k !== key) : [...view.wide, key];
  charts.get(key)?.card.classList.toggle('wide', view.wide.includes(key));
  saveView();
}

let lastBudget = 0;
async function reloadIfWider(): Promise<void> {
  const budget = budgetFor();
  if (lastBudget === 0) lastBudget = budget;
  if (budget < lastBudget * 1.5 || charts.size === 0) return;
  lastBudget = budget;
  await store.ensure(view.keys, runIds(), budget, true);
  drawAll();
}

async function appendLive(changed: Record<string, string[]>): Promise<void> {
  const work: Promise<void>[] = [];
  for (const key of view.keys) {
    const ids = Object.entries(changed).flatMap(([runId, keys]) => (keys.includes(key) ? [runId] : []));
    if (ids.length > 0) work.push(store.append(key, ids));
  }
  await Promise.all(work).catch(() => undefined);
  drawAll();
}

async function exportPng(key: string): Promise<void> {
  const content = charts.get(key)?.chart.png(theme.background);
  if (!content) return;
  const answer = await channel.request({ type: 'exportFile', fileName: `${key.replace(/[^\w.-]+/g, '_')}.png`, encoding: 'base64', content });
  if (answer.saved) announce(`Saved ${answer.saved}`);
}

async function exportCsv(keys: string[]): Promise<void> {
  const hidden = new Set(view.hiddenRuns);
  const zoom = keys.length === 1 ? store.zoomOf(keys[0]) : undefined;
  const answer = await channel.request({ type: 'exportCsv', runIds: runIds().filter((id) => !hidden.has(id)), keys, startStep: zoom?.[0], endStep: zoom?.[1] });
  if (answer.saved) announce(`Saved ${answer.saved}`);
}

function cssId(text: string): string {
  return text.replace(/[^\w-]/g, '_');
}

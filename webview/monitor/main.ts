import { formatDateTime, formatNumber } from '../../src/shared/displayFormat';
import { byTime, describeChecks, formatCheckValue, metricLabel, PERFORMANCE_COUNT_KEYS, seriesOf } from '../../src/shared/monitor/monitorSeries';
import { timeRange } from '../../src/shared/monitor/timeAxis';
import type { MonitorData, MonitorFromWebview, MonitorInput, MonitorToWebview, MonitorVersion, MonitorView } from '../../src/shared/protocol/monitorProtocol';
import type { PanelState } from '../../src/shared/protocol/panelMessages';
import { readChartTheme, seriesColor, setUpCharts } from '../common/chartTheme';
import { buttonComponent, registerComponents } from '../common/components';
import { announce, h, replaceChildren } from '../common/dom';
import { onThemeChange } from '../common/theme';
import { PanelChannel } from '../common/vscodeApi';
import { VersionChart } from './versionChart';

registerComponents(buttonComponent);

/** At most this many checks are listed (newest first); the charts show every one. */
const TABLE_LIMIT = 500;

type State = PanelState<MonitorInput, MonitorView>;
const channel = new PanelChannel<MonitorToWebview, MonitorFromWebview, Record<string, never>, State>(onMessage);
let input: MonitorInput | undefined = channel.state?.input;
let view: MonitorView = { hidden: [], ...channel.state?.view };
let data: MonitorData | undefined;
let theme = readChartTheme();
setUpCharts(theme);
let first = true;
const charts = new Map<string, VersionChart>();

const app = document.getElementById('app')!;
const heading = h('h1', { class: 'title' }, input ? `Monitor: ${input.name}` : 'Model monitor');
const summary = h('span', { class: 'muted summary', role: 'status' });
const highlightSelect = h('select', { id: 'highlight', onchange: () => setHighlight(highlightSelect.value || undefined) });
const highlightBox = h('span', { class: 'highlight-box' }, h('label', { class: 'inline-label', for: 'highlight' }, 'Highlight'), highlightSelect);
const checkButton = h('vscode-button', { appearance: 'primary', onclick: () => checkPerformance() }, 'Check Performance…');
const legend = h('div', { class: 'legend', role: 'group', 'aria-label': 'Versions shown (click to show or hide)' });
const notice = h('div', { class: 'notice', role: 'alert' });
const grid = h('div', { class: 'charts-grid' });
const checks = h('section', { class: 'checks', 'aria-labelledby': 'checks-title' });
const body = h('div', { class: 'monitor-scroll' }, grid, checks);

replaceChildren(
  app,
  h(
    'header',
    { class: 'toolbar' },
    h(
      'div',
      { class: 'toolbar-row' },
      heading,
      summary,
      h('span', { class: 'spacer' }),
      highlightBox,
      h('vscode-button', { appearance: 'secondary', title: 'Read the checks again', onclick: () => channel.post({ type: 'refresh' }) }, 'Refresh'),
      checkButton,
    ),
    h('div', { class: 'toolbar-row' }, legend),
    notice,
  ),
  body,
);
onThemeChange(() => {
  theme = readChartTheme();
  setUpCharts(theme);
  render();
});
channel.ready();

function onMessage(message: Exclude<MonitorToWebview, { type: 'response' }>): void {
  switch (message.type) {
    case 'init':
      input = message.input;
      if (message.input.version !== undefined) view = { ...view, highlight: message.input.version };
      data = message.data;
      notice.textContent = '';
      saveView();
      render();
      if (first) {
        first = false;
        requestAnimationFrame(() => window.dispatchEvent(new CustomEvent('trackside:rendered', { detail: { panel: 'monitor', checks: data!.checks.length } })));
      }
      return;
    case 'data': {
      const before = data?.checks.length ?? 0;
      data = message.data;
      notice.textContent = '';
      render();
      const added = data.checks.length - before;
      if (added > 0) announce(`${added} new check${added === 1 ? '' : 's'}`);
      return;
    }
    case 'highlight':
      setHighlight(message.version);
      return;
    case 'failed':
      if (!data) {
        replaceChildren(app, h('div', { class: 'error-banner', role: 'alert' }, message.message));
        app.removeAttribute('aria-busy');
      } else notice.textContent = message.message;
      return;
  }
}

function saveView(): void {
  if (input) channel.saveState({ input: { name: input.name, ...(view.highlight !== undefined ? { version: view.highlight } : {}) }, view });
}

function setHighlight(version: string | undefined): void {
  view = { ...view, highlight: version, hidden: version === undefined ? view.hidden : view.hidden.filter((v) => v !== version) };
  saveView();
  render();
  announce(version === undefined ? 'No version highlighted' : `Version ${version} highlighted`);
}

function toggleVersion(version: string): void {
  const hidden = view.hidden.includes(version) ? view.hidden.filter((v) => v !== version) : [...view.hidden, version];
  view = { ...view, hidden };
  saveView();
  render();
}

/** Runs "Check Model Performance…" for the highlighted version, else the newest one that has checks. */
function checkPerformance(): void {
  const versions = data?.versions ?? [];
  const version = view.highlight ?? versions[versions.length - 1]?.version;
  channel.post({ type: 'checkPerformance', ...(version !== undefined ? { version } : {}) });
}

function versionLabel(version: MonitorVersion): string {
  const parts = [`v${version.version}`, ...version.aliases.map((alias) => `@${alias}`)];
  if (version.stage && version.stage !== 'None') parts.push(version.stage);
  if (version.stage === undefined) parts.push('(not in the registry)');
  return parts.join(' ');
}

function render(): void {
  if (!data || !input) return;
  app.removeAttribute('aria-busy');
  heading.textContent = `Monitor: ${data.name}`;
  const versions = data.versions.map((v) => v.version);
  const last = data.checks[data.checks.length - 1];
  summary.textContent = last ? `${describeChecks(data.checks)} · last ${formatDateTime(last.time)}` : '';
  if (data.registryError) notice.textContent = `The registry could not be read (${data.registryError}); the checks are shown without stages and aliases.`;
  renderHighlight(data.versions);
  renderLegend(data.versions);
  if (data.checks.length === 0) {
    charts.forEach((chart) => chart.destroy());
    charts.clear();
    replaceChildren(
      grid,
      h(
        'div',
        { class: 'empty' },
        h('h2', null, `No performance checks of ${data.name} yet`),
        h('p', null, 'Run “Check Model Performance…” on labelled data: each check is a run tagged with the model version, and its accuracy, precision, recall and F1 (or RMSE, MAE and R²) become a point here, one line per version.'),
        h('vscode-button', { appearance: 'primary', onclick: () => checkPerformance() }, 'Check Performance…'),
      ),
    );
    replaceChildren(checks);
    return;
  }
  renderCharts(data, versions);
  renderTable(data);
}

function renderHighlight(versions: readonly MonitorVersion[]): void {
  const options = [h('option', { value: '' }, 'None'), ...versions.map((v) => h('option', { value: v.version }, versionLabel(v)))];
  highlightBox.hidden = versions.length === 0;
  // Without checks the empty state holds the button.
  checkButton.hidden = versions.length === 0;
  replaceChildren(highlightSelect, options);
  highlightSelect.value = view.highlight !== undefined && versions.some((v) => v.version === view.highlight) ? view.highlight : '';
}

function renderLegend(versions: readonly MonitorVersion[]): void {
  replaceChildren(
    legend,
    versions.map((version, index) => {
      const shown = !view.hidden.includes(version.version);
      const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true', style: { background: seriesColor(theme, index) } });
      const count = data!.checks.filter((check) => check.version === version.version).length;
      return h(
        'button',
        {
          class: `legend-item${shown ? '' : ' off'}${view.highlight === version.version ? ' highlighted' : ''}`,
          'aria-pressed': String(shown),
          title: `${shown ? 'Hide' : 'Show'} version ${version.version} (${count} check${count === 1 ? '' : 's'}); double-click to highlight it`,
          onclick: () => toggleVersion(version.version),
          ondblclick: () => setHighlight(version.version),
        },
        swatch,
        versionLabel(version),
        h('span', { class: 'muted count' }, `${count} check${count === 1 ? '' : 's'}`),
      );
    }),
  );
}

function renderCharts(current: MonitorData, versions: string[]): void {
  for (const [key, chart] of charts) {
    if (!current.keys.includes(key)) {
      chart.destroy();
      charts.delete(key);
    }
  }
  const hidden = new Set(view.hidden);
  const range = timeRange(current.checks.filter((check) => !hidden.has(check.version)).map((check) => check.time)) ?? timeRange(current.checks.map((check) => check.time))!;
  const cards: HTMLElement[] = [];
  for (const key of current.keys) {
    let chart = charts.get(key);
    if (!chart) charts.set(key, (chart = new VersionChart(key, (runId) => channel.post({ type: 'openRun', runId }))));
    cards.push(chart.element);
  }
  // Cards are moved, not rebuilt, so each chart keeps its canvas.
  if (cards.some((card, index) => grid.children[index] !== card) || grid.children.length !== cards.length) replaceChildren(grid, cards);
  for (const key of current.keys) charts.get(key)!.update(seriesOf(current.checks, key), { versions, hidden, highlight: view.highlight, range, theme });
}

function renderTable(current: MonitorData): void {
  const keys = [...current.keys, ...PERFORMANCE_COUNT_KEYS.filter((key) => current.checks.some((check) => key in check.metrics))];
  const newest = byTime(current.checks).reverse();
  const listed = newest.slice(0, TABLE_LIMIT);
  const index = new Map(current.versions.map((v, i) => [v.version, i]));
  replaceChildren(
    checks,
    h('h2', { id: 'checks-title' }, 'Checks', h('span', { class: 'muted' }, ` · newest first${newest.length > listed.length ? ` · the latest ${TABLE_LIMIT} of ${newest.length}` : ''}`)),
    h(
      'table',
      { class: 'data checks-table' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, 'Checked'),
          h('th', { scope: 'col' }, 'Version'),
          keys.map((key) => h('th', { scope: 'col', class: 'numeric', title: key }, metricLabel(key))),
          h('th', { scope: 'col' }, 'Run'),
        ),
      ),
      h(
        'tbody',
        null,
        listed.map((check) => {
          const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true', style: { background: seriesColor(theme, index.get(check.version) ?? current.versions.length) } });
          const classes = [view.highlight === check.version ? 'this-version' : '', view.hidden.includes(check.version) ? 'hidden-version' : ''].filter(Boolean).join(' ');
          return h(
            'tr',
            { class: classes },
            h('td', null, formatDateTime(check.time)),
            h('td', null, swatch, `v${check.version}`),
            keys.map((key) => h('td', { class: 'numeric', title: key in check.metrics ? formatNumber(check.metrics[key]) : undefined }, formatCheckValue(check.metrics[key]))),
            h('td', null, h('button', { class: 'link', title: `Open run ${check.runName}`, 'aria-label': `Open Run ${check.runName}`, onclick: () => channel.post({ type: 'openRun', runId: check.runId }) }, 'Open Run')),
          );
        }),
      ),
    ),
  );
}

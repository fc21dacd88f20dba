import { unpackSeries } from '../../src/shared/charts/packedSeries';
import type { SeriesColumns } from '../../src/shared/charts/seriesColumns';
import { formatDateTime, formatDuration, formatNumber } from '../../src/shared/displayFormat';
import type { PanelState } from '../../src/shared/protocol/panelMessages';
import type { RunDetailsData, RunDetailsFromWebview, RunDetailsInput, RunDetailsResults, RunDetailsToWebview, RunDetailsView, RunLink } from '../../src/shared/protocol/runDetailsProtocol';
import { readChartTheme } from '../common/chartTheme';
import { buttonComponent, panelsComponent, panelTabComponent, panelViewComponent, registerComponents } from '../common/components';
import { h, replaceChildren } from '../common/dom';
import { onThemeChange } from '../common/theme';
import { PanelChannel } from '../common/vscodeApi';
import { ArtifactBrowser } from './artifactBrowser';
import { sparkline } from './sparkline';

registerComponents(buttonComponent, panelsComponent, panelTabComponent, panelViewComponent);

type State = PanelState<RunDetailsInput, RunDetailsView>;
const TABS = ['overview', 'metrics', 'artifacts'] as const;
const channel = new PanelChannel<RunDetailsToWebview, RunDetailsFromWebview, RunDetailsResults, State>(onMessage);
let input: RunDetailsInput | undefined = channel.state?.input;
let view: RunDetailsView = { tab: 'overview', expanded: [], ...channel.state?.view };
let details: RunDetailsData | undefined;
let sparklines = new Map<string, SeriesColumns>();
let artifactsLoaded = false;
let first = true;

const app = document.getElementById('app')!;
const heading = h('header', { class: 'run-head' });
const overview = h('div', { class: 'overview' });
const metrics = h('div', { class: 'metrics' });
const artifacts = new ArtifactBrowser({
  list: (path) => channel.request({ type: 'listArtifacts', path }),
  preview: (path) => channel.request({ type: 'previewArtifact', path }),
  open: (path) => channel.post({ type: 'openArtifact', path }),
  download: (path) => channel.post({ type: 'downloadArtifact', path }),
  changed: (expanded, previewPath) => {
    view = { ...view, expanded, previewPath };
    saveView();
  },
});
const tabs = h(
  'vscode-panels',
  { class: 'tabs', activeid: `tab-${view.tab}`, 'aria-label': 'Run details' },
  TABS.map((tab) => h('vscode-panel-tab', { id: `tab-${tab}` }, tab[0].toUpperCase() + tab.slice(1))),
  h('vscode-panel-view', { id: 'view-overview' }, overview),
  h('vscode-panel-view', { id: 'view-metrics' }, metrics),
  h('vscode-panel-view', { id: 'view-artifacts' }, artifacts.element),
);
tabs.addEventListener('change', () => {
  const active = String((tabs as HTMLElement & { activeid?: string }).activeid ?? tabs.getAttribute('activeid') ?? 'tab-overview').replace('tab-', '');
  if (active === view.tab) return;
  view = { ...view, tab: active };
  saveView();
  onTab();
});
onThemeChange(() => renderMetrics());
channel.ready();

function onMessage(message: Exclude<RunDetailsToWebview, { type: 'response' }>): void {
  switch (message.type) {
    case 'init':
      input = message.input;
      details = message.details;
      replaceChildren(app, heading, tabs);
      app.removeAttribute('aria-busy');
      render();
      saveView();
      onTab();
      return;
    case 'details':
      details = message.details;
      render();
      if (artifactsLoaded) void artifacts.refresh();
      void loadSparklines();
      return;
    case 'failed':
      replaceChildren(app, h('div', { class: 'error-banner', role: 'alert' }, message.message));
      app.removeAttribute('aria-busy');
      return;
  }
}

function saveView(): void {
  if (input) channel.saveState({ input, view });
}

function onTab(): void {
  if (view.tab === 'metrics') void loadSparklines();
  if (view.tab === 'artifacts' && !artifactsLoaded) {
    artifactsLoaded = true;
    void artifacts.load(view.expanded, view.previewPath).finally(rendered);
  } else rendered();
}

function rendered(): void {
  if (!first) return;
  first = false;
  requestAnimationFrame(() => window.dispatchEvent(new CustomEvent('trackside:rendered', { detail: { panel: 'runDetails' } })));
}

async function loadSparklines(): Promise<void> {
  if (!details || details.summaries.length === 0) return;
  const packed = await channel.request({ type: 'sparklines', keys: details.summaries.map((s) => s.key) }).catch(() => []);
  sparklines = new Map(unpackSeries(packed).map((s) => [s.key, s]));
  renderMetrics();
}

function runLink(link: RunLink): HTMLElement {
  return h('span', { class: 'run-link' }, link.status ? h('span', { class: `status-dot status-${link.status.toLowerCase()}`, 'aria-hidden': 'true' }) : null, h('button', { class: 'link', onclick: () => channel.post({ type: 'openRun', runId: link.runId }) }, link.name));
}

function keyValueTable(caption: string, rows: [string, Node | string][]): HTMLElement {
  return h('table', { class: 'data kv' }, h('caption', null, caption), h('tbody', null, rows.map(([k, v]) => h('tr', null, h('th', { scope: 'row' }, k), h('td', null, v)))));
}

function render(): void {
  if (!details) return;
  const { run } = details;
  const info = run.info;
  const tags = Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
  replaceChildren(
    heading,
    h('h1', null, h('span', { class: `status-dot status-${info.status.toLowerCase()}`, 'aria-hidden': 'true' }), info.run_name || info.run_id),
    h('span', { class: 'muted' }, `${info.status.toLowerCase()} · ${details.experimentName}`),
    h('span', { class: 'spacer' }),
    h('vscode-button', { appearance: 'secondary', onclick: () => channel.post({ type: 'runAction', action: 'charts', runIds: [info.run_id] }) }, 'Open Charts'),
  );
  const end = info.end_time ?? (info.status === 'RUNNING' ? Date.now() : undefined);
  const infoRows: [string, Node | string][] = [
    ['Run ID', h('code', null, info.run_id)],
    ['Experiment', `${details.experimentName} (${info.experiment_id})`],
    ['Status', info.status],
    ['Started', formatDateTime(info.start_time)],
    ['Ended', formatDateTime(info.end_time)],
    ['Duration', info.start_time && end ? formatDuration(end - info.start_time) : ''],
    ['User', info.user_id ?? tags['mlflow.user'] ?? ''],
    ['Source', tags['mlflow.source.name'] ?? ''],
    ['Git commit', tags['mlflow.source.git.commit'] ?? ''],
    ['Artifact URI', h('code', null, info.artifact_uri)],
  ];
  const params = (run.data.params ?? []).slice().sort((a, b) => a.key.localeCompare(b.key));
  const userTags = (run.data.tags ?? []).filter((t) => !t.key.startsWith('mlflow.')).sort((a, b) => a.key.localeCompare(b.key));
  const systemTags = (run.data.tags ?? []).filter((t) => t.key.startsWith('mlflow.') && t.key !== 'mlflow.log-model.history').sort((a, b) => a.key.localeCompare(b.key));
  const datasets = run.inputs?.dataset_inputs ?? [];
  replaceChildren(
    overview,
    h('div', { class: 'columns' }, keyValueTable('Run', infoRows.filter(([, v]) => v !== '')), h('div', null, keyValueTable('Parameters', params.length ? params.map((p) => [p.key, p.value]) : [['', 'No parameters.']]))),
    h(
      'div',
      { class: 'columns' },
      h('section', null, h('h2', null, 'Parent and children'), details.parent ? h('p', null, 'Parent: ', runLink(details.parent)) : h('p', { class: 'muted' }, 'No parent run.'), details.children.length ? h('ul', { class: 'children' }, details.children.map((c) => h('li', null, runLink(c)))) : h('p', { class: 'muted' }, 'No child runs.')),
      keyValueTable('Tags', userTags.length ? userTags.map((t) => [t.key, t.value]) : [['', 'No tags.']]),
    ),
    h(
      'section',
      null,
      h('h2', null, 'Dataset inputs'),
      datasets.length
        ? h(
            'table',
            { class: 'data' },
            h('thead', null, h('tr', null, ['Name', 'Digest', 'Source type', 'Source', 'Context'].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', null, datasets.map((d) => h('tr', null, h('td', null, d.dataset.name), h('td', null, h('code', null, d.dataset.digest)), h('td', null, d.dataset.source_type), h('td', { class: 'wrap' }, d.dataset.source), h('td', null, (d.tags ?? []).find((t) => t.key === 'mlflow.data.context')?.value ?? '')))),
          )
        : h('p', { class: 'muted' }, 'No dataset inputs logged.'),
    ),
    systemTags.length ? h('details', null, h('summary', null, `System tags (${systemTags.length})`), keyValueTable('System tags', systemTags.map((t) => [t.key, t.value]))) : null,
  );
  renderMetrics();
}

function renderMetrics(): void {
  if (!details) return;
  const theme = readChartTheme();
  const summaries = details.summaries;
  if (summaries.length === 0) {
    replaceChildren(metrics, h('p', { class: 'placeholder' }, 'No metrics logged.'));
    return;
  }
  replaceChildren(
    metrics,
    h(
      'table',
      { class: 'data metric-table' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Metric'), h('th', { scope: 'col' }, 'History'), ['Last', 'Step', 'Min', 'Max', 'Points'].map((c) => h('th', { scope: 'col', class: 'numeric' }, c)))),
      h(
        'tbody',
        null,
        summaries.map((s) =>
          h(
            'tr',
            null,
            h('th', { scope: 'row' }, s.key),
            h('td', null, sparkline(sparklines.get(s.key), theme.palette[0], `History of ${s.key}`)),
            h('td', { class: 'numeric' }, formatNumber(s.last === 'NaN' ? NaN : s.last)),
            h('td', { class: 'numeric' }, String(s.step)),
            h('td', { class: 'numeric' }, s.min === undefined ? '—' : formatNumber(s.min)),
            h('td', { class: 'numeric' }, s.max === undefined ? '—' : formatNumber(s.max)),
            h('td', { class: 'numeric' }, details!.hasSummaries ? String(s.count) : '—'),
          ),
        ),
      ),
    ),
    details.hasSummaries ? null : h('p', { class: 'muted' }, 'This server keeps only each metric’s last value: min, max and point counts are unknown.'),
  );
}

import { applyRunEvent, isRunActive } from '../../src/shared/pipeline/pipelineRunState';
import { initialValues, runSummary, selectionLabel, statusClass } from '../../src/shared/pipeline/pipelineView';
import type { PanelState } from '../../src/shared/protocol/panelMessages';
import type {
  PipelineCellSelection,
  PipelineDocument,
  PipelineFromWebview,
  PipelineHistory,
  PipelineInput,
  PipelineResults,
  PipelineRunEvent,
  PipelineRunView,
  PipelineToWebview,
  PipelineView,
} from '../../src/shared/protocol/pipelineProtocol';
import { buttonComponent, checkboxComponent, progressRingComponent, registerComponents, textFieldComponent, type ToolkitInput } from '../common/components';
import { announce, h, perFrame, replaceChildren } from '../common/dom';
import { PanelChannel } from '../common/vscodeApi';
import { CellList } from './cellList';
import { HistoryTable } from './historyTable';
import { ParametersForm } from './parametersForm';

registerComponents(buttonComponent, checkboxComponent, progressRingComponent, textFieldComponent);

type State = PanelState<PipelineInput, PipelineView>;
const channel = new PanelChannel<PipelineToWebview, PipelineFromWebview, PipelineResults, State>(onMessage);
let input: PipelineInput | undefined = channel.state?.input;
let view: PipelineView = { values: {}, ...channel.state?.view };
let document: PipelineDocument | undefined;
let run: PipelineRunView | undefined;
let history: PipelineHistory = { runs: [] };
/** Host clock minus this page's clock (the browser may run on another machine than the extension host). */
let clockOffset = 0;
let message: string | undefined;
let first = true;

const app = window.document.getElementById('app')!;
const title = h('h1', { class: 'pipeline-title' });
const pathLabel = h('span', { class: 'muted script-path' });
const dirtyBadge = h('span', { class: 'dirty-badge', hidden: true, title: 'The editor holds changes that are not saved: they are what runs.' }, 'unsaved changes');
const runAllButton = h('vscode-button', { class: 'run-all', onclick: () => void startRun('all') }, '▶ Run All') as ToolkitInput;
const stopButton = h('vscode-button', { class: 'stop', appearance: 'secondary', disabled: true, onclick: () => channel.post({ type: 'stop' }) }, '■ Stop') as ToolkitInput;
const runBar = h('section', { class: 'run-bar', role: 'status', 'aria-live': 'polite' });
const form = new ParametersForm({
  validate: async (name, text) => (await channel.request({ type: 'validate', name, text }).catch(() => ({ error: undefined }))).error,
  changed: (values) => {
    view = { ...view, values };
    saveView();
  },
  run: () => void startRun('all'),
});
const cells = new CellList({
  run: (selection) => void startRun(selection),
  revealLine: (line) => channel.post({ type: 'revealLine', line }),
  showFullOutput: (cell) => channel.post({ type: 'showFullOutput', cell }),
});
const historyTable = new HistoryTable(
  (runId) => channel.post({ type: 'openRun', runId }),
  () => channel.post({ type: 'refreshHistory' }),
);
const dirtyCells = new Set<number>();
const redrawCells = perFrame(() => {
  for (const cell of dirtyCells) cells.updateCell(cell);
  dirtyCells.clear();
});

setInterval(() => {
  if (!isRunActive(run)) return;
  cells.tick(hostNow());
  drawRunBar();
}, 500);
channel.ready();

function hostNow(): number {
  return Date.now() + clockOffset;
}

function onMessage(incoming: Exclude<PipelineToWebview, { type: 'response' }>): void {
  switch (incoming.type) {
    case 'init':
      input = incoming.input;
      document = incoming.document;
      run = incoming.run;
      history = incoming.history;
      clockOffset = incoming.hostNow - Date.now();
      replaceChildren(
        app,
        h('header', { class: 'pipeline-head' }, title, pathLabel, dirtyBadge, h('span', { class: 'spacer' }), runAllButton, stopButton),
        runBar,
        h('div', { class: 'pipeline-body' }, form.element, cells.element, historyTable.element),
      );
      app.removeAttribute('aria-busy');
      drawDocument();
      drawHistory();
      saveView();
      if (first) {
        first = false;
        requestAnimationFrame(() => window.dispatchEvent(new CustomEvent('trackside:rendered', { detail: { panel: 'pipeline' } })));
      }
      return;
    case 'document':
      document = incoming.document;
      drawDocument();
      return;
    case 'runStarted':
      run = incoming.run;
      clockOffset = incoming.hostNow - Date.now();
      message = undefined;
      cells.setRun(run);
      drawRunState();
      return;
    case 'runEvent':
      onRunEvent(incoming.event);
      return;
    case 'history':
      history = incoming.history;
      drawHistory();
      return;
    case 'runRequested':
      void startRun(incoming.selection);
      return;
  }
}

function onRunEvent(event: PipelineRunEvent): void {
  if (!run) return;
  applyRunEvent(run, event);
  switch (event.type) {
    case 'output':
      for (const chunk of event.chunks) dirtyCells.add(chunk.cell ?? run.cells.find((cell) => cell.status === 'running')?.cell ?? -2);
      redrawCells();
      return;
    case 'cellStarted':
    case 'cellFinished':
      cells.updateCell(event.cell);
      drawRunBar();
      return;
    case 'runCreated':
    case 'runFinished':
      cells.setRun(run);
      drawRunState();
      if (event.type === 'runFinished') announce(runSummary(run, hostNow()));
      return;
    default:
      drawRunBar();
  }
}

async function startRun(selection: PipelineCellSelection): Promise<void> {
  if (!document || isRunActive(run)) return;
  const values = form.current();
  message = undefined;
  drawRunBar();
  try {
    const answer = await channel.request({ type: 'run', selection, values });
    form.showErrors(answer.errors);
    if (!answer.started) message = answer.message ?? `${selectionLabel(selection)} did not start.`;
  } catch (e) {
    message = (e as Error).message;
  }
  drawRunBar();
}

function saveView(): void {
  if (input) channel.saveState({ input, view });
}

function drawDocument(): void {
  if (!document) return;
  title.textContent = document.fileName;
  pathLabel.textContent = document.scriptPath;
  dirtyBadge.hidden = !document.dirty;
  const values = initialValues(document.parameters, view.values);
  view = { ...view, values };
  form.render(document.parameters, values, (line) => channel.post({ type: 'revealLine', line }));
  cells.render(document, run);
  drawRunState();
}

function drawHistory(): void {
  historyTable.render(history, document?.parameters ?? [], document?.fileName ?? '', hostNow());
}

/** Buttons and the run bar follow whether a run goes on. */
function drawRunState(): void {
  const active = isRunActive(run);
  runAllButton.disabled = active || !document || document.cells.length === 0;
  stopButton.disabled = !active || !!run?.stopping;
  form.setDisabled(active);
  cells.setBusy(active);
  drawRunBar();
}

const bar = {
  spinner: h('vscode-progress-ring', { class: 'spinner', 'aria-hidden': 'true' }),
  dot: h('span', { class: 'status-dot', 'aria-hidden': 'true' }),
  summary: h('span', { class: 'run-summary' }),
  name: h('span', { class: 'muted run-name' }),
  python: h('span', { class: 'muted run-python' }),
  openRun: h('vscode-button', { appearance: 'secondary', class: 'open-run', onclick: () => run?.runId && channel.post({ type: 'openRun', runId: run.runId }) }, 'Open Run'),
  openCharts: h('vscode-button', { appearance: 'secondary', class: 'open-charts', onclick: () => run?.runId && channel.post({ type: 'openCharts', runId: run.runId }) }, 'Open Charts'),
  openSettings: h('vscode-button', { class: 'open-settings', onclick: () => channel.post({ type: 'openSettings' }) }, 'Open Settings'),
  error: h('div', { class: 'run-error' }),
  warnings: h('details', { class: 'warnings' }),
  message: h('div', { class: 'error-banner run-message', role: 'alert' }),
};
replaceChildren(
  runBar,
  h('div', { class: 'run-line' }, bar.spinner, bar.dot, bar.summary, bar.name, bar.python, h('span', { class: 'spacer' }), bar.openRun, bar.openCharts, bar.openSettings),
  bar.error,
  bar.warnings,
  bar.message,
);

/** Updates the run bar in place (its buttons stay put under the pointer while the run goes on). */
function drawRunBar(): void {
  const active = isRunActive(run);
  stopButton.disabled = !active || !!run?.stopping;
  bar.spinner.hidden = !active;
  bar.dot.hidden = active || !run;
  if (run && !active) bar.dot.className = `status-dot ${statusClass(run.phase as 'FINISHED' | 'FAILED' | 'KILLED')}`;
  bar.summary.textContent = run ? runSummary(run, hostNow()) : 'Not run in this window yet: run every cell, one cell, or every cell up to one, with the values in the form.';
  bar.summary.dataset.phase = run?.phase ?? 'none';
  bar.name.textContent = run?.runName ? `${run.runName}${run.runId ? ` · ${run.runId.slice(0, 8)}` : ''}` : '';
  bar.name.title = run?.runId ?? '';
  bar.python.textContent = run?.python ? `Python ${run.python}` : '';
  bar.openRun.hidden = !run?.runId;
  bar.openCharts.hidden = !run?.runId;
  bar.openSettings.hidden = !run?.startFailed;
  bar.error.textContent = run?.error && !active && run.phase !== 'KILLED' ? run.error : '';
  bar.error.hidden = bar.error.textContent === '';
  const warnings = run?.warnings ?? [];
  bar.warnings.hidden = warnings.length === 0;
  if (bar.warnings.dataset.count !== String(warnings.length)) {
    bar.warnings.dataset.count = String(warnings.length);
    replaceChildren(bar.warnings, h('summary', null, `${warnings.length} warning${warnings.length === 1 ? '' : 's'}`), h('ul', null, warnings.map((text) => h('li', null, text))));
  }
  bar.message.textContent = message ?? '';
  bar.message.hidden = !message;
}

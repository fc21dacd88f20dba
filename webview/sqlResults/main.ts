import type { PanelState } from '../../src/shared/protocol/panelMessages';
import type {
  SqlResultTable,
  SqlResultsFromWebview,
  SqlResultsInput,
  SqlResultsResults,
  SqlResultsToWebview,
  SqlResultsView,
} from '../../src/shared/protocol/sqlResultsProtocol';
import { buttonComponent, progressRingComponent, registerComponents } from '../common/components';
import { announce, h, replaceChildren } from '../common/dom';
import { PanelChannel } from '../common/vscodeApi';
import { ResultGrid } from './resultGrid';

registerComponents(buttonComponent, progressRingComponent);

type State = PanelState<SqlResultsInput, SqlResultsView>;
const channel = new PanelChannel<SqlResultsToWebview, SqlResultsFromWebview, SqlResultsResults, State>(onMessage);

let input: SqlResultsInput | undefined = channel.state?.input;
let view: SqlResultsView = channel.state?.view ?? { scrollTop: 0 };
let table: SqlResultTable | undefined;
let restoreScroll = view.scrollTop > 0;
let firstResult = true;

const count = (n: number): string => n.toLocaleString('en-US');

const status = h('span', { class: 'status', role: 'status' });
const spinner = h('vscode-progress-ring', { class: 'spinner', hidden: true, 'aria-label': 'Running the query' });
const rerunButton = h('vscode-button', { appearance: 'secondary', title: 'Run the same query again', onclick: () => channel.post({ type: 'rerun' }) }, 'Run Again');
const exportButton = h('vscode-button', { appearance: 'secondary', disabled: true, title: 'Save the rows as a CSV file', onclick: () => void exportCsv() }, 'Export CSV');
const queryText = h('pre', { class: 'query', 'aria-label': 'Query' });
const note = h('div', { class: 'truncated-note', role: 'note', hidden: true });
const failure = h('div', { class: 'error-banner', role: 'alert', hidden: true });
const empty = h('p', { class: 'placeholder', hidden: true }, 'The query returned no rows.');
const grid = new ResultGrid(() => {
  view = { scrollTop: grid.scrollTop };
  if (input) channel.saveState({ input, view });
});

const app = document.getElementById('app')!;
replaceChildren(
  app,
  h('header', { class: 'toolbar' }, h('div', { class: 'toolbar-row' }, spinner, status, h('span', { class: 'spacer' }), rerunButton, exportButton), queryText, note),
  failure,
  empty,
  grid.element,
);
app.removeAttribute('aria-busy');
grid.element.hidden = true;
if (input) queryText.textContent = input.query;
channel.ready();

function onMessage(message: Exclude<SqlResultsToWebview, { type: 'response' }>): void {
  switch (message.type) {
    case 'init':
      input = message.input;
      queryText.textContent = input.query;
      channel.saveState({ input, view });
      return;
    case 'running':
      queryText.textContent = message.query;
      spinner.hidden = false;
      status.textContent = 'Running…';
      rerunButton.toggleAttribute('disabled', true);
      return;
    case 'result':
      showResult(message.query, message.table);
      return;
    case 'failed':
      showFailure(message.query, message.message);
      return;
  }
}

function showResult(query: string, result: SqlResultTable): void {
  table = result;
  queryText.textContent = query;
  spinner.hidden = true;
  rerunButton.toggleAttribute('disabled', false);
  exportButton.toggleAttribute('disabled', result.rows.length === 0);
  failure.hidden = true;
  const rows = `${count(result.rows.length)} row${result.rows.length === 1 ? '' : 's'}`;
  status.textContent = `${rows} · ${count(result.columns.length)} column${result.columns.length === 1 ? '' : 's'} · ${count(result.elapsedMs)} ms`;
  note.hidden = !result.truncated;
  note.textContent = result.truncated
    ? `Truncated at ${count(result.maxRows)} rows: more rows matched. Add a LIMIT, narrow the WHERE clause, or aggregate to see the rest.`
    : '';
  empty.hidden = result.rows.length > 0;
  grid.element.hidden = result.columns.length === 0;
  grid.show(result.columns, result.rows);
  if (restoreScroll) {
    restoreScroll = false;
    grid.scrollTop = view.scrollTop;
  } else grid.scrollTop = 0;
  announce(`${rows}${result.truncated ? ', truncated' : ''}`);
  if (firstResult) {
    firstResult = false;
    requestAnimationFrame(() => window.dispatchEvent(new CustomEvent('trackside:rendered', { detail: { panel: 'sqlResults', rows: result.rows.length } })));
  }
}

function showFailure(query: string, message: string): void {
  table = undefined;
  queryText.textContent = query;
  spinner.hidden = true;
  rerunButton.toggleAttribute('disabled', false);
  exportButton.toggleAttribute('disabled', true);
  status.textContent = 'The query failed';
  note.hidden = true;
  empty.hidden = true;
  grid.element.hidden = true;
  failure.hidden = false;
  replaceChildren(failure, h('strong', null, 'Query failed: '), message);
  announce(`Query failed: ${message}`);
}

async function exportCsv(): Promise<void> {
  if (!table) return;
  const answer = await channel.request({ type: 'exportCsv' }).catch((e: Error) => {
    announce(`Export failed: ${e.message}`);
    status.textContent = `Export failed: ${e.message}`;
    return { saved: undefined };
  });
  if (answer.saved) announce(`Saved ${answer.saved}`);
}

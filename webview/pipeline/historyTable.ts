import { formatDateTime } from '../../src/shared/displayFormat';
import { historyDuration, historyParameters, historyRunLabel, statusClass } from '../../src/shared/pipeline/pipelineView';
import type { ParameterField, PipelineHistory } from '../../src/shared/protocol/pipelineProtocol';
import { h, replaceChildren } from '../common/dom';

/**
 * This script's earlier runs, newest first: status, run (its start time for a default name),
 * duration, and under each its parameters and where it failed. A click opens the run.
 */
export class HistoryTable {
  readonly element = h('section', { class: 'history', 'aria-labelledby': 'history-title' });

  constructor(
    private readonly openRun: (runId: string) => void,
    private readonly refresh: () => void,
  ) {}

  render(history: PipelineHistory, fields: readonly ParameterField[], fileName: string, now: number): void {
    const title = h('div', { class: 'section-head' }, h('h2', { id: 'history-title' }, `Runs of this pipeline${history.runs.length ? ` (${history.runs.length})` : ''}`), h('span', { class: 'spacer' }), h('vscode-button', { appearance: 'secondary', onclick: () => this.refresh() }, 'Refresh'));
    const error = history.error ? h('div', { class: 'error-banner' }, history.error) : null;
    if (history.runs.length === 0) {
      replaceChildren(this.element, title, error, h('p', { class: 'muted' }, 'No runs yet: run the pipeline and its runs are listed here.'));
      return;
    }
    const runs = history.runs.map((run) => {
      const open = (): void => this.openRun(run.runId);
      const label = historyRunLabel(run, fileName, formatDateTime);
      const parameters = historyParameters(run, fields);
      const failure = run.failedCell ? `${run.status === 'KILLED' ? 'stopped in' : 'failed in'} cell ${run.failedCell}${run.error ? `: ${run.error}` : ''}` : '';
      return h(
        'tbody',
        { class: 'history-run' },
        h(
          'tr',
          { class: 'history-row', 'data-run': run.runId, onclick: open },
          h('td', { class: 'status-cell' }, h('span', { class: `status-dot ${statusClass(run.status)}`, 'aria-hidden': 'true' }), run.status.toLowerCase()),
          h('td', { class: 'run-cell' }, h('button', { class: 'link', title: `Open run ${run.runId}`, onclick: (event: MouseEvent) => (event.stopPropagation(), open()) }, label.name), label.started ? h('span', { class: 'muted' }, ` · ${label.started}`) : null),
          h('td', { class: 'nowrap numeric' }, historyDuration(run, now)),
        ),
        h(
          'tr',
          { class: 'history-detail', onclick: open },
          h('td', { colspan: 3 }, h('span', { class: 'params' }, parameters || 'no parameters'), failure ? h('span', { class: 'failure', title: failure }, failure) : null),
        ),
      );
    });
    replaceChildren(
      this.element,
      title,
      error,
      h(
        'table',
        { class: 'data history-table' },
        h('thead', null, h('tr', null, ['Status', 'Run', 'Duration'].map((name) => h('th', { scope: 'col' }, name)))),
        runs,
      ),
    );
  }
}

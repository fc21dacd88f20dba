import { diffRuns, type DiffRow, type DiffSection } from '../../src/shared/compare/runDiff';
import { formatDuration, formatNumber } from '../../src/shared/displayFormat';
import type { CompareRun } from '../../src/shared/protocol/compareProtocol';
import { seriesColor, type ChartTheme } from '../common/chartTheme';
import { h } from '../common/dom';

const SECTION_TITLES: Record<DiffSection, string> = {
  attribute: 'Run',
  param: 'Parameters',
  metric: 'Metrics (last value; min–max below)',
  tag: 'Tags',
  systemTag: 'System tags',
};

function shown(row: DiffRow, value: DiffRow['values'][number]): string {
  if (value === undefined) return '—';
  if (row.section === 'attribute' && row.key === 'duration') return formatDuration(value as number);
  return typeof value === 'number' ? formatNumber(value) : value;
}

/** The diff table: one column per run, one row per attribute/param/metric/tag; rows that differ are marked, the lowest and highest numbers too. */
export function diffTable(runs: CompareRun[], options: { onlyDifferences: boolean; theme: ChartTheme; openRun(runId: string): void }): HTMLElement {
  const rows = diffRuns(runs).filter((row) => !options.onlyDifferences || row.differs);
  const head = h(
    'tr',
    null,
    h('th', { scope: 'col' }, 'Key'),
    runs.map((run, index) =>
      h('th', { scope: 'col', class: 'run-head' }, h('span', { class: 'swatch', 'aria-hidden': 'true', style: { background: seriesColor(options.theme, index) } }), h('button', { class: 'link', onclick: () => options.openRun(run.runId), title: `Open ${run.name}` }, run.name)),
    ),
  );
  const body: HTMLElement[] = [];
  let section: DiffSection | undefined;
  for (const row of rows) {
    if (row.section !== section) {
      section = row.section;
      body.push(h('tr', { class: 'section' }, h('th', { scope: 'rowgroup', colspan: runs.length + 1 }, SECTION_TITLES[section])));
    }
    body.push(
      h(
        'tr',
        { class: row.differs ? 'differs' : 'same' },
        h('th', { scope: 'row', class: 'key' }, row.differs ? h('span', { class: 'diff-mark', title: 'Differs between runs' }, '≠ ') : null, row.key, row.differs ? h('span', { class: 'visually-hidden' }, ' (differs)') : null),
        row.values.map((value, i) => {
          const metric = row.section === 'metric' ? runs[i].metrics[row.key] : undefined;
          const low = row.lowest?.includes(i);
          const high = row.highest?.includes(i);
          const range = metric && metric.min !== undefined && metric.max !== undefined && metric.min !== metric.max ? `${formatNumber(metric.min)}–${formatNumber(metric.max)}` : '';
          return h(
            'td',
            { class: `${row.numeric ? 'numeric' : ''} ${low ? 'lowest' : ''} ${high ? 'highest' : ''} ${value === undefined ? 'missing' : ''}`, title: low ? 'lowest' : high ? 'highest' : undefined },
            shown(row, value),
            range ? h('div', { class: 'range' }, range) : null,
          );
        }),
      ),
    );
  }
  if (rows.length === 0) body.push(h('tr', null, h('td', { colspan: runs.length + 1, class: 'placeholder' }, 'No differences: these runs have the same params, metrics and tags.')));
  return h('table', { class: 'data diff' }, h('caption', { class: 'visually-hidden' }, 'Differences between the runs'), h('thead', null, head), h('tbody', null, body));
}

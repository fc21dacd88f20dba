import assert from 'node:assert/strict';
import type { TableData, TableRow } from '../../../src/shared/protocol/runsTableProtocol';
import { allColumns, cellValue, makeColumn, visibleColumns } from '../../../src/shared/table/runsTableColumns';
import { displayItems, groupRows, nextFilterState, rangeBetween, sortRows, type FilterState } from '../../../src/shared/table/runsTableModel';
import { csvField, csvText } from '../../../src/shared/csvText';

function row(id: string, options: { name?: string; params?: Record<string, string>; loss?: number | 'NaN'; start?: number; status?: TableRow['status'] } = {}): TableRow {
  return {
    run_id: id,
    run_name: options.name ?? id,
    experiment_id: '1',
    status: options.status ?? 'FINISHED',
    start_time: options.start ?? 1000,
    end_time: options.status === 'RUNNING' ? null : (options.start ?? 1000) + 60_000,
    user_id: 'ana',
    lifecycle_stage: 'active',
    parent_run_id: null,
    params: options.params ?? {},
    tags: { 'mlflow.source.name': '/work/train.py' },
    metrics: options.loss === undefined ? {} : { loss: [options.loss, options.loss === 'NaN' ? null : options.loss - 1, options.loss === 'NaN' ? null : options.loss + 1, 10, 9] },
  };
}

const ids = (rows: TableRow[]): string[] => rows.map((r) => r.run_id);
const loss = makeColumn('metric', 'loss');

describe('runs table model', () => {
  it('sorts metrics numerically with missing values last in both directions and NaN before them', () => {
    const rows = [row('a', { loss: 2 }), row('b'), row('c', { loss: 10 }), row('d', { loss: 'NaN' }), row('e', { loss: -1 })];
    assert.deepEqual(ids(sortRows(rows, loss, 'asc', 0)), ['e', 'a', 'c', 'd', 'b']);
    assert.deepEqual(ids(sortRows(rows, loss, 'desc', 0)), ['c', 'a', 'e', 'd', 'b']);
  });

  it('sorts numeric-looking params as numbers and names naturally, keeping ties in server order', () => {
    const lr = makeColumn('param', 'lr');
    const rows = [row('a', { params: { lr: '0.1' } }), row('b', { params: { lr: '0.01' } }), row('c', { params: { lr: '1e-3' } }), row('d', { params: { lr: '0.01' } })];
    assert.deepEqual(ids(sortRows(rows, lr, 'asc', 0)), ['c', 'b', 'd', 'a']);
    const names = [row('x', { name: 'run-10' }), row('y', { name: 'run-2' }), row('z', { name: 'Run-3' })];
    assert.deepEqual(sortRows(names, makeColumn('attribute', 'name'), 'asc', 0).map((r) => r.run_name), ['run-2', 'Run-3', 'run-10']);
  });

  it('derives duration (live for running runs), user and the source file name', () => {
    const running = row('r', { status: 'RUNNING', start: 1000 });
    assert.equal(cellValue(running, makeColumn('attribute', 'duration'), 61_000), 60_000);
    assert.equal(cellValue(row('f'), makeColumn('attribute', 'source'), 0), 'train.py');
    assert.equal(cellValue(row('f', { loss: 3 }), makeColumn('metricMax', 'loss'), 0), 4);
  });

  it('groups by a param with mean, min and max of each metric per group', () => {
    const rows = [row('a', { params: { model: 'cnn' }, loss: 1 }), row('b', { params: { model: 'mlp' }, loss: 4 }), row('c', { params: { model: 'cnn' }, loss: 3 }), row('d', { loss: 7 }), row('e', { params: { model: 'cnn' }, loss: 'NaN' })];
    const groups = groupRows(rows, makeColumn('param', 'model'), [loss], 0);
    assert.deepEqual(groups.map((g) => [g.label, ids(g.rows)]), [['cnn', ['a', 'c', 'e']], ['mlp', ['b']], ['(none)', ['d']]]);
    assert.deepEqual(groups[0].stats['metric:loss'], { mean: 2, min: 1, max: 3, count: 2 });
    const items = displayItems(rows, groups, new Set(['mlp']));
    assert.deepEqual(items.map((i) => (i.kind === 'group' ? `[${i.group.label}${i.collapsed ? '+' : ''}]` : i.row.run_id)), ['[cnn]', 'a', 'c', 'e', '[mlp+]', '[(none)]', 'd']);
  });

  it('offers every param, metric (with min/max/count when known) and tag, and pins columns first', () => {
    const data: TableData = { columns: { params: ['lr'], metrics: ['loss'], tags: ['stage'] }, runs: [] };
    const all = allColumns(data, { multipleExperiments: false, summaries: true });
    assert.deepEqual(all.filter((c) => c.kind !== 'attribute').map((c) => c.id), ['param:lr', 'metric:loss', 'metricMin:loss', 'metricMax:loss', 'metricCount:loss', 'tag:stage']);
    assert.ok(!allColumns(data, { multipleExperiments: false, summaries: false }).some((c) => c.kind === 'metricMin'), 'plain MLflow: last value only');
    const shown = visibleColumns(all, { pinned: ['metric:loss', 'attribute:name'], visible: ['attribute:status', 'param:lr', 'gone:column'] });
    assert.deepEqual(shown.map((c) => c.id), ['metric:loss', 'attribute:name', 'attribute:status', 'param:lr']);
  });

  it('selects the range between the anchor and a shift-clicked run, in display order', () => {
    const order = ['a', 'b', 'c', 'd', 'e'];
    assert.deepEqual(rangeBetween(order, 'd', 'b'), ['b', 'c', 'd']);
    assert.deepEqual(rangeBetween(order, undefined, 'c'), ['c']);
    assert.deepEqual(rangeBetween(order, 'a', 'zz'), []);
  });
});

describe('filter box state', () => {
  const start: FilterState = { draft: '', applied: '' };

  it('shows the host’s error for the text typed, and drops answers about older text', () => {
    let state = nextFilterState(start, { kind: 'edited', text: 'metrics.loss <' });
    state = nextFilterState(state, { kind: 'checking', text: 'metrics.loss <' });
    state = nextFilterState(state, { kind: 'edited', text: 'metrics.loss < 1' });
    state = nextFilterState(state, { kind: 'checked', text: 'metrics.loss <', error: "Invalid clause(s) in filter string: 'metrics.loss <'" });
    assert.equal(state.error, undefined, 'a stale verdict is ignored');
    state = nextFilterState(state, { kind: 'checked', text: 'metrics.loss < 1' });
    assert.deepEqual(state, { draft: 'metrics.loss < 1', applied: '' });
    state = nextFilterState(state, { kind: 'applied', text: 'metrics.loss < 1' });
    assert.equal(state.applied, 'metrics.loss < 1');
  });

  it('keeps an error while the text is unchanged and clears it on the next edit', () => {
    let state = nextFilterState({ draft: 'x =', applied: '' }, { kind: 'checked', text: 'x =', error: 'bad' });
    assert.equal(state.error, 'bad');
    state = nextFilterState(state, { kind: 'edited', text: 'x = 1' });
    assert.equal(state.error, undefined);
  });
});

describe('CSV export', () => {
  it('quotes what needs quoting and writes NaN and empty cells', () => {
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField(' padded'), '" padded"');
    assert.equal(csvText(['run', 'loss', 'note'], [['r1', 0.5, null], ['r2', NaN, 'two\nlines']]), 'run,loss,note\r\nr1,0.5,\r\nr2,NaN,"two\nlines"\r\n');
  });
});

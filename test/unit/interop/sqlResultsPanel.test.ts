import assert from 'node:assert/strict';
import { SqlResultsPanel, sqlResultsPanelKind } from '../../../src/extension/interop/sqlResultsPanel';
import type { SqlResultsInput, SqlResultsToWebview } from '../../../src/shared/protocol/sqlResultsProtocol';
import { ServerFixture } from '../client/clientFixture';
import { RecordingConnection, RecordingServices } from '../webview/panelFixture';

const INPUT: SqlResultsInput = { documentUri: 'untitled:Untitled-1', documentName: 'Untitled-1', query: 'SELECT name FROM system.ml.experiments ORDER BY name' };

describe('SQL results panel (host side)', function () {
  this.timeout(30_000);
  let server: ServerFixture;
  let services: RecordingServices;

  before(async () => {
    server = await ServerFixture.start();
    for (const name of ['alpha', 'beta']) await server.client.experiments.create(name);
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(() => {
    services = new RecordingServices(server.client);
  });

  it('answers ready with its input, then runs the query and posts the rows', async () => {
    const view = new RecordingConnection<SqlResultsToWebview>();
    const panel = new SqlResultsPanel(INPUT, services, view);
    await panel.handle({ type: 'ready' });
    assert.deepEqual(view.ofType('init')[0], { type: 'init', input: INPUT });
    const result = await view.next('result', 0);
    assert.deepEqual(result.table.columns, ['name']);
    assert.deepEqual(result.table.rows, [['Default'], ['alpha'], ['beta']]);
    assert.equal(result.table.truncated, false);
    assert.equal(result.table.maxRows, 10_000);
    assert.equal(view.ofType('running').length, 1);
  });

  it('shows a refused write inline with the server’s message, and nothing changes', async () => {
    const view = new RecordingConnection<SqlResultsToWebview>();
    const panel = new SqlResultsPanel(INPUT, services, view);
    const outcome = await panel.run("DELETE FROM system.ml.experiments WHERE name = 'alpha'");
    assert.equal(outcome.ok, false);
    const failed = view.ofType('failed')[0];
    assert.equal(failed.errorCode, 'INVALID_PARAMETER_VALUE');
    assert.match(failed.message, /read-only/);
    assert.ok((await server.client.experiments.getByName('alpha')), 'alpha is still there');
  });

  it('notes the row cap when more rows matched', async () => {
    const view = new RecordingConnection<SqlResultsToWebview>();
    const panel = new SqlResultsPanel(INPUT, services, view, 2);
    const outcome = await panel.run('SELECT name FROM system.ml.experiments ORDER BY name');
    assert.deepEqual(outcome.ok && { rows: outcome.rowCount, truncated: outcome.truncated }, { rows: 2, truncated: true });
    assert.equal(view.ofType('result')[0].table.maxRows, 2);
  });

  it('draws the last answer at once when shown again, without running the query again', async () => {
    const view = new RecordingConnection<SqlResultsToWebview>();
    const panel = new SqlResultsPanel(INPUT, services, view);
    await panel.run('SELECT 41 + 1 AS answer');
    const before = view.ofType('running').length;
    await panel.handle({ type: 'ready' });
    assert.equal(view.ofType('running').length, before, 'not run again');
    const last = view.posted[view.posted.length - 1];
    assert.equal(last.type, 'result');
    assert.deepEqual(last.type === 'result' && last.table.rows, [[42]]);
    assert.equal(view.ofType('init').at(-1)?.input.query, 'SELECT 41 + 1 AS answer', 'the saved input follows the last query');
  });

  it('runs again on request and exports the rows as CSV', async () => {
    const view = new RecordingConnection<SqlResultsToWebview>();
    const panel = new SqlResultsPanel({ ...INPUT, documentName: 'runs.sql' }, services, view);
    await panel.run(`SELECT 'a,b' AS text, NULL AS missing, 1.5 AS number`);
    await panel.handle({ type: 'rerun' });
    await view.next('result', 1).catch((e) => assert.fail(`${e.message}: ${JSON.stringify(view.posted)}`));
    await panel.handle({ type: 'exportCsv', requestId: 7 });
    assert.deepEqual(view.response(7), { type: 'response', requestId: 7, result: { saved: '/saved/runs-results.csv' } });
    assert.deepEqual(services.exports, [{ fileName: 'runs-results.csv', encoding: 'text', content: 'text,missing,number\r\n"a,b",,1.5\r\n' }]);
  });

  it('refuses to export before a result, and tells the registry when panels open and close', async () => {
    const view = new RecordingConnection<SqlResultsToWebview>();
    const events: string[] = [];
    const kind = sqlResultsPanelKind({ opened: (_, input) => events.push(`opened ${input.documentUri}`), closed: (_, input) => events.push(`closed ${input.documentUri}`) });
    assert.equal(kind.viewType, 'trackside.sqlResults');
    assert.equal(kind.title(INPUT), 'SQL: Untitled-1');
    assert.deepEqual(kind.parseInput({ documentUri: 'file:///q.sql', query: 'SELECT 1' }), { documentUri: 'file:///q.sql', documentName: 'query', query: 'SELECT 1' });
    assert.equal(kind.parseInput({ query: 'SELECT 1' }), undefined);
    const logic = kind.create(INPUT, services, view);
    await logic.handle({ type: 'exportCsv', requestId: 1 });
    assert.match(view.response(1).error ?? '', /no rows to export/);
    logic.dispose();
    assert.deepEqual(events, ['opened untitled:Untitled-1', 'closed untitled:Untitled-1']);
  });
});

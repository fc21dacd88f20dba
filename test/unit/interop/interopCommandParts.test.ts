import assert from 'node:assert/strict';
import { emptySummary } from '../../../src/core/interop/importSummary';
import { emptyPushSummary } from '../../../src/core/interop/pushSummary';
import { SYSTEM_VIEWS } from '../../../src/core/store/sqlViews';
import { importArgumentsOf, pushArgumentsOf, pushTargetProblem, sameServer, serverUri } from '../../../src/extension/interop/interopArguments';
import { escapeMarkdown, importSummaryMarkdown, importSummaryMessage, pushSummaryMarkdown, pushSummaryMessage } from '../../../src/extension/interop/interopSummaries';
import { IMPORT_PHASES, PhaseProgress, overallFraction } from '../../../src/extension/interop/phaseProgress';
import { EXAMPLE_QUERY, SQL_EDITOR_MARKER, isSqlEditorText, queryStartLine, sqlEditorTemplate, withoutLeadingComments } from '../../../src/extension/interop/sqlEditorText';
import { MAX_COLUMN_PX, MIN_COLUMN_PX, sqlCellText, sqlResultColumns } from '../../../src/shared/table/sqlResultColumns';

function importSummary(): ReturnType<typeof emptySummary> {
  return emptySummary({ kind: 'sqlite', location: '/home/ana/project/mlflow.db', description: 'MLflow SQLite database, alembic revision abc' });
}

describe('interop summaries for people', () => {
  it('tells in one line what an import brought in and how much it skipped', () => {
    const summary = importSummary();
    summary.experiments.imported = 2;
    summary.runs.imported = 7;
    summary.models.imported = 1;
    summary.versions.imported = 3;
    summary.skipped.push({ what: 'version 3 of registered model \'churn\'', why: 'it was deleted in MLflow' });
    assert.equal(importSummaryMessage(summary), 'Imported 7 runs in 2 new experiments and 1 registered model (3 versions) from mlflow.db; 1 item skipped.');
    assert.match(importSummaryMessage(summary, true), /^Import stopped: Imported 7 runs/);
  });

  it('says when a second import found nothing new', () => {
    const summary = importSummary();
    summary.runs.skipped = 8;
    summary.skipped.push({ what: '8 run(s)', why: 'already imported from this source' });
    assert.equal(importSummaryMessage(summary), 'Nothing new to import from mlflow.db (8 runs skipped: see the details).');
  });

  it('lists every skipped item with its reason, and the notes, in the Markdown report', () => {
    const summary = importSummary();
    summary.runs.imported = 1;
    summary.metrics = 12_345;
    summary.artifacts = { copied: 1, referenced: 0, missing: 2 };
    summary.skipped.push({ what: 'run abc (my_run*1)', why: 'a run with this id already exists in experiment 4' }, { what: 'alias |x|', why: 'its version 9 was not imported' });
    summary.notes.push('3 trace(s) were not imported: Trackside does not store traces.');
    const markdown = importSummaryMarkdown(summary);
    assert.match(markdown, /^# Import from MLflow\n/);
    assert.match(markdown, /\| Metric points \| 12,345 \| {2}\|/);
    assert.match(markdown, /Artifacts: 1 run folder copied, 0 referenced where they are, 2 without a folder\./);
    assert.match(markdown, /- \*\*run abc \(my\\_run\\\*1\)\*\*: a run with this id already exists in experiment 4/);
    assert.match(markdown, /- \*\*alias \\\|x\\\|\*\*: its version 9 was not imported/);
    assert.match(markdown, /## Notes\n\n- 3 trace\(s\) were not imported/);
    assert.match(importSummaryMarkdown(importSummary()), /## Skipped\n\nNothing was skipped\./);
    assert.match(importSummaryMarkdown(summary, true), /# Import from MLflow \(stopped\)[\s\S]*continues where it stopped/);
  });

  it('reports a push in one line and in full', () => {
    const summary = emptyPushSummary('https://mlflow.example.com:8443/team', 'mlflow.example.com_8443_team');
    summary.runs = { created: 3, updated: 1, unchanged: 5, failed: 1 };
    summary.versions.created = 2;
    summary.metrics = 1500;
    summary.skipped.push({ what: 'run r1 (x)', why: 'the target refused part of it: bad tag' });
    assert.equal(pushSummaryMessage(summary), 'Pushed to mlflow.example.com:8443/team: 3 runs created, 1 updated, 5 unchanged, 2 model versions created; 1 item skipped.');
    const markdown = pushSummaryMarkdown(summary);
    assert.match(markdown, /\| Runs \| 3 \| 1 \| 5 \|/);
    assert.match(markdown, /Sent 1,500 metric points, 0 params/);
    assert.match(markdown, /1 run was refused in part by the target/);
    assert.match(markdown, /- \*\*run r1 \(x\)\*\*: the target refused part of it: bad tag/);
  });

  it('escapes what Markdown would read as formatting', () => {
    assert.equal(escapeMarkdown('a_b*c|d<e>`f`\nnext'), 'a\\_b\\*c\\|d\\<e\\>\\`f\\` next');
  });
});

describe('interop progress in a notification', () => {
  it('places each phase on one bar that only moves forward', () => {
    assert.equal(overallFraction(IMPORT_PHASES, { phase: 'reading', done: 0, total: 1, message: '' }), 0);
    assert.ok(Math.abs(overallFraction(IMPORT_PHASES, { phase: 'runs', done: 5, total: 10, message: '' })! - 0.49) < 1e-12, 'half the runs: half way through their span');
    assert.equal(overallFraction(IMPORT_PHASES, { phase: 'done', done: 1, total: 1, message: '' }), 1);
    assert.equal(overallFraction(IMPORT_PHASES, { phase: 'mystery', done: 1, total: 1, message: '' }), undefined);

    let clock = 0;
    const reports: { message?: string; increment?: number }[] = [];
    const progress = new PhaseProgress({ report: (r) => reports.push(r) }, IMPORT_PHASES, 100, () => clock);
    progress.report({ phase: 'runs', done: 0, total: 10, message: 'Run 1 of 10' });
    clock += 10;
    progress.report({ phase: 'runs', done: 1, total: 10, message: 'Run 2 of 10' });
    assert.equal(reports.length, 1, 'a second step within 100 ms of the first is not shown');
    clock += 200;
    progress.report({ phase: 'runs', done: 5, total: 10, message: 'Run 6 of 10' });
    progress.report({ phase: 'experiments', done: 0, total: 1, message: 'back' });
    progress.report({ phase: 'done', done: 1, total: 1, message: 'Imported' });
    assert.deepEqual(reports.map((r) => r.message), ['Run 1 of 10', 'Run 6 of 10', 'back', 'Imported']);
    assert.ok(reports.every((r) => r.increment === undefined || r.increment > 0), 'never backwards');
    assert.ok(Math.abs(progress.percent - 100) < 1e-9, `ends full: ${progress.percent}`);
  });
});

describe('interop command arguments', () => {
  const experiment = (name: string) => ({ kind: 'experiment', experiment: { name, experiment_id: name } });
  const run = (id: string) => ({ kind: 'run', experimentId: '1', row: { run_id: id } });

  it('takes an import source from an object, a path or an Explorer file', () => {
    assert.deepEqual(importArgumentsOf({ source: ' /data/mlflow.db ', artifacts: 'reference' }), { source: '/data/mlflow.db', artifacts: 'reference' });
    assert.deepEqual(importArgumentsOf({ source: '/data/mlruns', artifacts: 'move' }), { source: '/data/mlruns' });
    assert.deepEqual(importArgumentsOf('/data/mlflow.db'), { source: '/data/mlflow.db' });
    assert.deepEqual(importArgumentsOf({ scheme: 'file', fsPath: '/data/mlflow.db' }), { source: '/data/mlflow.db' });
    assert.deepEqual(importArgumentsOf(undefined), {});
  });

  it('pushes the tree’s selection (experiments and runs) or the node clicked outside it', () => {
    const a = experiment('a');
    const r1 = run('r1');
    const r2 = run('r2');
    assert.deepEqual(pushArgumentsOf(r1, [a, r1, r2]), { experimentNames: ['a'], runIds: ['r1', 'r2'] });
    assert.deepEqual(pushArgumentsOf(r1, [r2]), { runIds: ['r1'] }, 'clicked outside the selection: that run only');
    assert.deepEqual(pushArgumentsOf(a, undefined), { experimentNames: ['a'] });
    assert.deepEqual(pushArgumentsOf({ target: ' http://h:5000 ', token: 't', runIds: ['x', 'x', 3], includeDeleted: true }), { target: 'http://h:5000', token: 't', runIds: ['x'], includeDeleted: true });
    assert.deepEqual(pushArgumentsOf(undefined), {});
  });

  it('accepts only an http(s) server other than the store’s own as the target', () => {
    assert.equal(pushTargetProblem('https://mlflow.example.com'), undefined);
    assert.equal(pushTargetProblem('http://user:secret@10.0.0.5:5000/mlflow', 'http://127.0.0.1:4100'), undefined);
    assert.match(pushTargetProblem('') ?? '', /Enter the tracking URI/);
    assert.match(pushTargetProblem('mlflow.example.com') ?? '', /http:\/\/ or https:\/\//);
    assert.match(pushTargetProblem('ftp://files.example.com') ?? '', /ftp: is not a tracking server/);
    assert.match(pushTargetProblem('http://localhost:4100/', 'http://127.0.0.1:4100') ?? '', /server of the store being pushed/);
    assert.ok(sameServer('https://m.example.com', 'https://m.example.com:443/'));
    assert.ok(!sameServer('https://m.example.com/a', 'https://m.example.com/b'));
    assert.equal(serverUri('https://ana:pw@m.example.com/team/'), 'https://m.example.com/team');
  });
});

describe('the SQL editor and its results', () => {
  it('opens with every view and column commented, then a query that runs as it is', () => {
    const text = sqlEditorTemplate(SYSTEM_VIEWS, { maxRows: 10_000, timeoutSeconds: 10 });
    assert.ok(isSqlEditorText(text));
    assert.ok(text.startsWith(SQL_EDITOR_MARKER));
    assert.ok(!isSqlEditorText('SELECT 1'));
    for (const view of SYSTEM_VIEWS) {
      assert.ok(text.includes(`-- ${view.name} — ${view.description}`), view.name);
      for (const column of view.columns) assert.match(text, new RegExp(`^--   ${column.name} +${column.description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    }
    assert.match(text, /at most 10,000 rows/);
    const uncommented = text.split('\n').filter((line) => line.trim() && !line.startsWith('--'));
    assert.equal(uncommented.join('\n'), EXAMPLE_QUERY, 'only the example query is not a comment');
    assert.equal(text.split('\n')[queryStartLine(text)], EXAMPLE_QUERY.split('\n')[0], '"Run Query" sits above the query');
    assert.equal(queryStartLine('-- only\n\n  -- comments'), 0);
    assert.equal(queryStartLine('\r\n-- a\r\n  SELECT 1'), 2);
    assert.equal(withoutLeadingComments(text), `${EXAMPLE_QUERY}\n`, 'the list of views is not sent with the query');
    assert.equal(withoutLeadingComments('-- a\nSELECT 1 -- one\n-- end'), 'SELECT 1 -- one\n-- end');
    assert.equal(withoutLeadingComments('-- only comments\n'), '');
  });

  it('sizes columns from their content and right-aligns numeric ones', () => {
    const rows = [
      [1, 'short', null],
      [22.5, 'x'.repeat(500), null],
      [null, 'mid', 3],
    ];
    const [number, text, mostlyNull] = sqlResultColumns(['n', 'text', 'count'], rows);
    assert.deepEqual({ numeric: number.numeric, min: number.width >= MIN_COLUMN_PX }, { numeric: true, min: true });
    assert.equal(text.width, MAX_COLUMN_PX, 'long text is capped');
    assert.equal(text.numeric, false);
    assert.equal(mostlyNull.numeric, true);
    assert.equal(sqlResultColumns(['all_null'], [[null]])[0].numeric, false);
    const mixed = Array.from({ length: 1000 }, (_, i) => [i === 999 ? 'n/a' : i]);
    assert.equal(sqlResultColumns(['mixed'], mixed)[0].numeric, false, 'text anywhere in the result, not only in the first rows');
    const late = Array.from({ length: 5000 }, (_, i) => [i < 4000 ? 'loss' : 'validation/loss']);
    assert.ok(sqlResultColumns(['key'], late)[0].width >= 'validation/loss'.length * 7, 'wide values further down widen the column');
    assert.deepEqual([sqlCellText(null), sqlCellText(3), sqlCellText(0.1), sqlCellText('a')], ['NULL', '3', '0.1', 'a']);
  });
});

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { TrackingClient } from '../../src/core/client/trackingClient';
import type { ImportSummary } from '../../src/core/interop/importSummary';
import type { PushSummary } from '../../src/core/interop/pushSummary';
import type { SqlRunOutcome } from '../../src/extension/interop/sqlResultsPanel';
import type { ExperimentNode, ExperimentsNode, RunNode } from '../../src/extension/trees/runTreeItems';
import { buildSqliteFixture, type BuiltFixture } from '../unit/interop/fixtures/mlflowFixtures';
import { SCHEMA_2_4 } from '../unit/interop/fixtures/mlflowSchemas';
import { startStandaloneServer, tracksideApi, waitFor } from './helpers';

async function experimentNode(name: string): Promise<ExperimentNode> {
  const api = await tracksideApi();
  return waitFor(`experiment ${name} in the tree`, async () =>
    (await api.experiments.getChildren()).find((n): n is ExperimentNode => n.kind === 'experiment' && n.experiment.name === name),
  );
}

async function runNodes(parent: ExperimentsNode): Promise<RunNode[]> {
  const api = await tracksideApi();
  return (await api.experiments.getChildren(parent)).filter((n): n is RunNode => n.kind === 'run');
}

/** Replaces the whole text of an open editor. */
async function setText(uri: vscode.Uri, text: string): Promise<void> {
  const document = await vscode.workspace.openTextDocument(uri);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, new vscode.Range(0, 0, document.lineCount, 0), text);
  assert.ok(await vscode.workspace.applyEdit(edit));
}

function sqlResultTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs).filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.label.startsWith('SQL: '));
}

describe('Interop: import from MLflow, push to a server, SQL', function () {
  this.timeout(120_000);
  let folder: string;
  let fixture: BuiltFixture;
  /** The runs of the fixture's churn-model experiment that are active (the tree and a push show those). */
  let churnRuns: string[];

  before(async () => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'trackside-it-mlflow-'));
    fixture = await buildSqliteFixture(SCHEMA_2_4, folder);
    churnRuns = fixture.data.runs.filter((r) => r.experimentId === '1' && r.lifecycle === 'active').map((r) => r.name).sort();
    const api = await tracksideApi();
    await api.connection.client();
    assert.equal(api.connection.currentState.kind, 'local');
  });
  after(() => {
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('imports an MLflow SQLite database through the command; its experiments, runs and models appear in the trees', async () => {
    const summary = await vscode.commands.executeCommand<ImportSummary>('trackside.importFromMlflow', { source: fixture.source, artifacts: 'copy' });
    assert.ok(summary, 'the command answers the summary');
    assert.equal(summary.runs.imported, fixture.data.runs.length);
    assert.equal(summary.runs.skipped, 0);
    assert.equal(summary.models.imported, 2);
    const experiment = await experimentNode('churn-model');
    const sweep = await waitFor('the imported sweep run', async () => (await runNodes(experiment)).find((n) => n.row.run_name === 'sweep'));
    const trials = (await runNodes(sweep)).map((n) => n.row.run_name).sort();
    assert.deepEqual(trials, ['trial-1', 'trial-2', 'trial-3'], 'nested runs keep their parent');
    const api = await tracksideApi();
    const models = await waitFor('the imported models', async () => {
      const names = (await api.models.getChildren()).map((n) => (n as { model?: { name: string } }).model?.name);
      return names.includes('churn-classifier') && names.includes('fraud-detector') && names;
    });
    assert.ok(models);
    const client = await api.connection.client();
    const trial = await client.runs.get(fixture.data.runs[2].runId);
    assert.equal(trial.info.run_name, 'trial-1', 'MLflow’s run id is kept');
    assert.equal((await client.metrics.getHistory(trial.info.run_id, 'loss')).length, 120);
  });

  it('adds nothing when the same database is imported again, and says what it skipped', async () => {
    const summary = await vscode.commands.executeCommand<ImportSummary>('trackside.importFromMlflow', { source: fixture.source, artifacts: 'reference' });
    assert.equal(summary.runs.imported, 0);
    assert.equal(summary.experiments.imported, 0);
    assert.equal(summary.runs.skipped, fixture.data.runs.length);
    assert.ok(summary.skipped.some((s) => s.what === `${fixture.data.runs.length} run(s)` && s.why === 'already imported from this source'), JSON.stringify(summary.skipped));
    const { importSummaryMessage } = await import('../../src/extension/interop/interopSummaries');
    assert.match(importSummaryMessage(summary), /^Nothing new to import from mlflow\.db/);
  });

  it('refuses a folder that holds no MLflow data, with the reason', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'trackside-it-empty-'));
    const window = vscode.window as { showErrorMessage: (...args: unknown[]) => Thenable<unknown> };
    const original = window.showErrorMessage;
    const shown: string[] = [];
    let observing = false;
    try {
      window.showErrorMessage = (...args: unknown[]) => {
        shown.push(String(args[0]));
        return Promise.resolve(undefined);
      };
      observing = vscode.window.showErrorMessage === window.showErrorMessage;
    } catch {
      observing = false;
    }
    try {
      const answer = await vscode.commands.executeCommand('trackside.importFromMlflow', { source: empty, artifacts: 'copy' });
      assert.equal(answer, undefined, 'no summary');
      if (observing) {
        assert.equal(shown.length, 1);
        assert.match(shown[0], /^Import from MLflow failed: No MLflow data in /);
      }
    } finally {
      if (observing) window.showErrorMessage = original;
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('pushes an experiment and a model to another MLflow server; pushing again changes nothing', async () => {
    const remote = await startStandaloneServer();
    const target = new TrackingClient({ trackingUri: remote.url, token: remote.token });
    try {
      const request = { target: remote.url, token: remote.token, experimentNames: ['churn-model'], models: ['churn-classifier'] };
      const summary = await vscode.commands.executeCommand<PushSummary>('trackside.pushToServer', request);
      assert.ok(summary, 'the command answers the summary');
      assert.equal(summary.runs.created, churnRuns.length);
      assert.equal(summary.runs.failed, 0);
      const experiment = await target.experiments.getByName('churn-model');
      assert.ok(experiment, 'the experiment is on the target');
      const pushed = await target.runs.searchAll({ experimentIds: [experiment.experiment_id] });
      assert.deepEqual(pushed.map((r) => r.info.run_name).sort(), churnRuns);
      const trial = pushed.find((r) => r.info.run_name === 'trial-1')!;
      assert.equal((await target.metrics.getHistory(trial.info.run_id, 'loss')).length, 120, 'with its whole history');
      assert.ok((await target.registeredModels.get('churn-classifier')).name);

      const again = await vscode.commands.executeCommand<PushSummary>('trackside.pushToServer', request);
      assert.equal(again.runs.created, 0);
      assert.equal(again.runs.unchanged, churnRuns.length);
      assert.equal(again.metrics, 0, 'nothing sent twice');
    } finally {
      target.close();
      await remote.stop();
    }
  });

  it('opens a SQL editor listing the views, with a Run Query lens, and shows the rows of its query in a results panel', async () => {
    const opened = await vscode.commands.executeCommand<{ uri: string }>('trackside.querySql');
    const uri = vscode.Uri.parse(opened.uri);
    const editor = vscode.window.activeTextEditor!;
    assert.equal(editor.document.uri.toString(), opened.uri);
    assert.equal(editor.document.languageId, 'sql');
    assert.match(editor.document.getText(), /^-- Trackside SQL[\s\S]*-- system\.ml\.metric_summaries — /);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    assert.ok(lenses.some((lens) => lens.command?.command === 'trackside.runSqlQuery' && /Run Query/.test(lens.command.title)));

    const example = await vscode.commands.executeCommand<SqlRunOutcome>('trackside.runSqlQuery', uri);
    assert.ok(example?.ok, JSON.stringify(example));
    assert.deepEqual(example.columns, ['run_name', 'status', 'experiment', 'loss', 'loss_points'], 'the example query runs as it is');

    await setText(uri, "SELECT run_name FROM system.ml.runs WHERE experiment_id = (SELECT experiment_id FROM system.ml.experiments WHERE name = 'churn-model') AND lifecycle_stage = 'active' ORDER BY run_name");
    const outcome = await vscode.commands.executeCommand<SqlRunOutcome>('trackside.runSqlQuery', uri);
    assert.ok(outcome?.ok, JSON.stringify(outcome));
    assert.equal(outcome.rowCount, churnRuns.length);
    assert.equal(outcome.truncated, false);
    await waitFor('the results panel', () => sqlResultTabs().length === 1);
    assert.match(sqlResultTabs()[0].label, /^SQL: Untitled-\d+$/);
  });

  it('refuses a write in the SQL editor and shows why; the store is unchanged', async () => {
    const api = await tracksideApi();
    const client = await api.connection.client();
    const before = (await client.experiments.searchAll()).length;
    const editor = vscode.window.visibleTextEditors.find((e) => e.document.getText().includes('system.ml.runs'))!;
    await setText(editor.document.uri, "DELETE FROM system.ml.experiments WHERE name = 'churn-model'");
    const outcome = await vscode.commands.executeCommand<SqlRunOutcome>('trackside.runSqlQuery', editor.document.uri);
    assert.ok(outcome && !outcome.ok);
    assert.equal(outcome.errorCode, 'INVALID_PARAMETER_VALUE');
    assert.match(outcome.message, /read-only/);
    assert.equal(sqlResultTabs().length, 1, 'the same panel shows the error');
    assert.equal((await client.experiments.searchAll()).length, before);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TrackingClient } from '../../src/core/client/trackingClient';
import type { OpenedPipeline } from '../../src/extension/pipelines/pipelineCommands';
import type { Run } from '../../src/shared/entities';
import { extensionRoot, tracksideApi, waitFor } from './helpers';

function workspaceFolder(): string {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder) throw new Error('The integration tests need a workspace folder');
  return folder;
}

const tagsOf = (run: Run): Record<string, string> => Object.fromEntries((run.data.tags ?? []).map((tag) => [tag.key, tag.value]));
const paramsOf = (run: Run): Record<string, string> => Object.fromEntries((run.data.params ?? []).map((param) => [param.key, param.value]));
const metricsOf = (run: Run): Record<string, number> => Object.fromEntries((run.data.metrics ?? []).map((metric) => [metric.key, Number(metric.value)]));

async function artifactText(client: TrackingClient, runId: string, artifactPath: string): Promise<string> {
  return Buffer.from(await client.artifacts.read(runId, artifactPath)).toString('utf8');
}

function tabLabels(): string[] {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs.map((tab) => tab.label));
}

describe('Pipelines in VS Code', function () {
  this.timeout(180_000);
  let root: string;
  let etl: string;
  let opened: OpenedPipeline;

  before(async () => {
    // The demo workspace's pipelines and data, as `npm start` lays them out.
    root = path.join(workspaceFolder(), 'pipelines-it');
    const demo = path.join(extensionRoot(), 'test', 'fixtures', 'demo-workspace');
    fs.cpSync(path.join(demo, 'pipelines'), path.join(root, 'pipelines'), { recursive: true });
    fs.cpSync(path.join(demo, 'data'), path.join(root, 'data'), { recursive: true });
    etl = path.join(root, 'pipelines', 'etl_quality.py');
    await (await tracksideApi()).connection.client();
  });

  after(async () => {
    await vscode.workspace.getConfiguration('trackside').update('python.path', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('puts "Run Pipeline with Trackside", "Run to Here" and "Run Cell" on the markers of a percent-format script', async () => {
    const document = await vscode.workspace.openTextDocument(etl);
    await vscode.window.showTextDocument(document);
    const lenses = await waitFor('the CodeLenses', async () => {
      const found = (await vscode.commands.executeCommand('vscode.executeCodeLensProvider', document.uri)) as vscode.CodeLens[];
      return found.some((lens) => lens.command?.command === 'trackside.runPipeline') ? found : undefined;
    });
    const ours = lenses.filter((lens) => lens.command?.command === 'trackside.runPipeline').map((lens) => [lens.range.start.line, lens.command!.title, lens.command!.arguments?.[1]]);
    assert.deepEqual(ours.slice(0, 3), [
      [0, '▶ Run Pipeline with Trackside', 'all'],
      [6, '▶ Run to Here', { upTo: 1 }],
      [6, '▶ Run Cell', { only: 1 }],
    ]);
    assert.equal(ours.length, 13, 'the pipeline, and two per code cell (six code cells)');
  });

  it('opens the ETL pipeline, runs every cell with a changed parameter, and the run holds the value, the cell metrics and the artifacts', async () => {
    const api = await tracksideApi();
    const client = await api.connection.client();
    opened = (await vscode.commands.executeCommand('trackside.openPipeline', vscode.Uri.file(etl))) as OpenedPipeline;
    assert.ok(opened?.panel, 'the command answered with the panel (see the log if it failed)');
    await waitFor('the pipeline tab', () => tabLabels().includes('Pipeline: etl_quality.py'));
    // The form's text, as the webview sends it with "Run with These Values": min_amount changed to 5.
    const answer = await opened.panel.start('all', { input_path: '../data/raw_orders.csv', min_amount: '5', dedupe_on: 'order_id' });
    assert.deepEqual(answer, { started: true, errors: {} });
    await opened.panel.whenIdle();
    const view = opened.panel.currentRun!;
    assert.equal(view.phase, 'FINISHED', view.error);
    assert.deepEqual(view.cells.map((cell) => [cell.cell, cell.status]), [[1, 'ok'], [-1, 'ok'], [2, 'ok'], [3, 'ok'], [4, 'ok'], [5, 'ok'], [6, 'ok']]);

    const run = await client.runs.get(view.runId!);
    assert.equal(run.info.status, 'FINISHED');
    assert.deepEqual(paramsOf(run), { input_path: '../data/raw_orders.csv', min_amount: '5.0', dedupe_on: 'order_id' });
    const metrics = metricsOf(run);
    assert.equal(metrics.input_records, 3000);
    assert.equal(metrics.duplicate_records, 240);
    assert.equal(metrics.duplicate_ratio, 0.08);
    assert.equal(metrics.output_records, 2626, '3,000 − 240 duplicates − 27 without an amount − 107 below 5.0');
    for (const cell of [1, 2, 3, 4, 5, 6]) {
      assert.equal(metrics[`cell.${cell}.status`], 1, `cell ${cell} ok`);
      assert.ok(metrics[`cell.${cell}.duration_s`] >= 0);
    }
    const tags = tagsOf(run);
    assert.equal(tags['trackside.pipeline'], 'etl_quality.py');
    assert.equal(tags['mlflow.source.name'], etl);
    assert.match(await artifactText(client, run.info.run_id, 'pipeline/stdout.txt'), /read 3,000 orders[\s\S]*input 3,000 → output 2,626 records; duplicate ratio 8\.00%/);
    assert.equal(await artifactText(client, run.info.run_id, 'pipeline/etl_quality.py'), fs.readFileSync(etl, 'utf8'));
    assert.equal((await artifactText(client, run.info.run_id, 'data/clean_orders.csv')).trim().split('\n').length, 2627, 'header and 2,626 orders');

    await waitFor('the run in the history', () => opened.panel.history.runs.some((row) => row.runId === run.info.run_id && row.status === 'FINISHED'));
    // "Open Run" in the panel runs the same command as the tree.
    await opened.panel.handle({ type: 'openRun', runId: run.info.run_id });
    await waitFor('the run details tab', () => tabLabels().some((label) => label === `Run: ${run.info.run_name}`));
  });

  it('runs from the CodeLens through the webview’s form (the real page answers runRequested)', async () => {
    const before = opened.panel.history.runs.length;
    await vscode.commands.executeCommand('trackside.runPipeline', vscode.Uri.file(etl), 'all');
    const view = await waitFor('a second run to finish', () => {
      const run = opened.panel.currentRun;
      return run && run.phase === 'FINISHED' && opened.panel.history.runs.length > before ? run : undefined;
    }, 60_000);
    const client = await (await tracksideApi()).connection.client();
    const run = await client.runs.get(view.runId!);
    assert.equal(paramsOf(run).min_amount, '1.0', 'the form held the defaults: nothing injected');
    assert.equal(view.cells.some((cell) => cell.injected), false);
  });

  it('marks a failing pipeline FAILED, names the failed cell and reports the error at the script’s line', async () => {
    const client = await (await tracksideApi()).connection.client();
    const answer = await opened.panel.start('all', { dedupe_on: 'order_key' });
    assert.equal(answer.started, true);
    await opened.panel.whenIdle();
    const view = opened.panel.currentRun!;
    assert.equal(view.phase, 'FAILED');
    assert.equal(view.failedCell, 3);
    const failing = view.cells.find((cell) => cell.cell === 3)!;
    assert.equal(failing.status, 'error');
    const line = failing.error!.line!;
    assert.match(fs.readFileSync(etl, 'utf8').split('\n')[line - 1], /^\s+raise KeyError\(/);
    assert.ok(failing.error!.traceback.some((text) => text.includes(`${etl}", line ${line}`)), failing.error!.traceback.join('\n'));
    assert.deepEqual(view.cells.filter((cell) => cell.cell > 3).map((cell) => cell.status), ['skipped', 'skipped', 'skipped']);
    const run = await client.runs.get(view.runId!);
    assert.equal(run.info.status, 'FAILED');
    assert.equal(tagsOf(run)['trackside.failed_cell'], '3: Deduplicate');
    assert.match(tagsOf(run)['trackside.error'], new RegExp(`^KeyError: "column 'order_key' is not in raw_orders\\.csv; .*\\(line ${line}\\)$`));
  });

  it('says the kernel did not start when trackside.python.path names no interpreter', async () => {
    await vscode.workspace.getConfiguration('trackside').update('python.path', path.join(root, 'no-such-python'), vscode.ConfigurationTarget.Workspace);
    try {
      assert.equal((await opened.panel.start('all', {})).started, true);
      await opened.panel.whenIdle();
      const view = opened.panel.currentRun!;
      assert.equal(view.phase, 'FAILED');
      assert.equal(view.startFailed, true);
      assert.match(view.error ?? '', /Could not start the Python kernel with '.*no-such-python': no such file or command\. Change the trackside\.python\.path setting/);
    } finally {
      await vscode.workspace.getConfiguration('trackside').update('python.path', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExperimentNode, ExperimentsNode, RunNode } from '../../src/extension/trees/runTreeItems';
import { extensionRoot, pythonRestLogger, runPython, startStandaloneServer, tracksideApi, waitFor } from './helpers';

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

describe('Trackside extension', function () {
  this.timeout(120_000);

  it('contributes every command it declares, each registered', async () => {
    await tracksideApi();
    const declared = (vscode.extensions.getExtension('trackside.trackside')!.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `declared but not registered: ${missing.join(', ')}`);
    assert.ok(declared.length >= 35);
  });

  it('starts the engine on first use and serves the workspace store on 127.0.0.1', async () => {
    const api = await tracksideApi();
    const client = await api.connection.client();
    const state = api.connection.currentState;
    assert.equal(state.kind, 'local');
    assert.match(client.trackingUri, /^http:\/\/127\.0\.0\.1:\d+$/);
    await client.health();
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    assert.equal(state.kind === 'local' && state.folder, path.join(folder, '.trackside'));
    assert.ok(fs.existsSync(path.join(folder, '.trackside', 'store.sqlite')), 'store.sqlite written');
    const experiments = await client.experiments.searchAll();
    assert.ok(experiments.some((e) => e.name === 'Default'));
  });

  it('shows a run logged over REST by a python3 process, through the change stream', async () => {
    const api = await tracksideApi();
    const env = await api.connection.trackingEnvironment();
    assert.ok(env.MLFLOW_TRACKING_TOKEN, 'the local engine requires a token');
    // A fresh store shows the welcome view (its only experiment, Default, is empty): the tree is empty.
    assert.deepEqual(await api.experiments.getChildren(), []);
    let changes = 0;
    const listening = api.experiments.onDidChangeTreeData(() => changes++);
    try {
      const runId = (await runPython(pythonRestLogger('from-python', 'py-run', 50), env)).trim();
      // The tree is told to refresh by the change stream (SSE from the engine), not by polling.
      await waitFor('a change event to refresh the tree', () => changes > 0, 10_000);
      const experiment = await experimentNode('from-python');
      const run = await waitFor('the python run in the tree', async () => (await runNodes(experiment)).find((n) => n.row.run_id === runId));
      assert.equal(run.row.run_name, 'py-run');
      assert.equal(run.row.status, 'FINISHED');
    } finally {
      listening.dispose();
    }
  });

  it('deletes and restores a run through the commands, with the tree following', async () => {
    const api = await tracksideApi();
    const client = await api.connection.client();
    const experiment = await experimentNode('from-python');
    const [run] = await runNodes(experiment);
    await vscode.commands.executeCommand('trackside.deleteRun', run, [run]);
    assert.equal((await client.runs.get(run.row.run_id)).info.lifecycle_stage, 'deleted');
    await waitFor('the deleted run gone from the tree', async () => !(await runNodes(experiment)).some((n) => n.row.run_id === run.row.run_id));
    await vscode.commands.executeCommand('trackside.showDeleted');
    const deleted = await waitFor('the deleted run shown', async () => (await runNodes(experiment)).find((n) => n.row.run_id === run.row.run_id));
    assert.equal(deleted.row.lifecycle_stage, 'deleted');
    await vscode.commands.executeCommand('trackside.restoreRun', deleted, [deleted]);
    await vscode.commands.executeCommand('trackside.hideDeleted');
    assert.equal((await client.runs.get(run.row.run_id)).info.lifecycle_stage, 'active');
    assert.ok((await runNodes(experiment)).some((n) => n.row.run_id === run.row.run_id));
  });

  it('filters runs with MLflow syntax and refuses an invalid filter', async () => {
    const api = await tracksideApi();
    const env = await api.connection.trackingEnvironment();
    await runPython(pythonRestLogger('from-python', 'second-run', 5), env);
    const experiment = await experimentNode('from-python');
    await waitFor('two runs', async () => (await runNodes(experiment)).length >= 2);
    await vscode.commands.executeCommand('trackside.filterRuns', "attributes.run_name = 'second-run'");
    const filtered = await runNodes(experiment);
    assert.deepEqual(filtered.map((n) => n.row.run_name), ['second-run']);
    await vscode.commands.executeCommand('trackside.clearRunFilter');
    assert.ok((await runNodes(experiment)).length >= 2);
    const { validateRunFilter } = await import('../../src/core/search/runFilter');
    assert.match(validateRunFilter('metrics.loss > ') ?? '', /./);
  });

  it('creates, renames and tags models; versions show alias badges', async () => {
    const api = await tracksideApi();
    const client = await api.connection.client();
    const runId = (await runPython(pythonRestLogger('registry', 'trainer', 3), await api.connection.trackingEnvironment())).trim();
    await vscode.commands.executeCommand('trackside.createRegisteredModel', 'churn');
    const version = await vscode.commands.executeCommand<{ version: string }>('trackside.registerModelFromRun', { kind: 'run', experimentId: '0', row: { run_id: runId, run_name: 'trainer' } }, undefined, { path: 'model', name: 'churn' });
    assert.equal(version?.version, '1');
    const models = await api.models.getChildren();
    const churn = models.find((n) => n.kind === 'model' && n.model.name === 'churn')!;
    const [v1] = await api.models.getChildren(churn);
    await vscode.commands.executeCommand('trackside.setModelAlias', v1, 'champion');
    const refreshed = (await api.models.getChildren(churn))[0];
    const item = api.models.getTreeItem(refreshed);
    assert.match(String(item.description), /@champion/);
    assert.equal((await client.registeredModels.getVersionByAlias('churn', 'champion')).version, '1');
    const uri = await vscode.commands.executeCommand<string>('trackside.copyModelUri', refreshed);
    assert.equal(uri, 'models:/churn@champion');
  });

  it('browses a remote MLflow server and comes back to the local store', async () => {
    const api = await tracksideApi();
    const remote = await startStandaloneServer();
    try {
      await runPython(pythonRestLogger('remote-only', 'remote-run', 3), { MLFLOW_TRACKING_URI: remote.url, MLFLOW_TRACKING_TOKEN: remote.token });
      await vscode.commands.executeCommand('trackside.connectToServer', remote.url, remote.token);
      assert.equal(api.connection.currentState.kind, 'remote');
      const experiment = await experimentNode('remote-only');
      assert.equal((await runNodes(experiment))[0].row.run_name, 'remote-run');
      await vscode.commands.executeCommand('trackside.useLocalStore');
      assert.equal(api.connection.currentState.kind, 'local');
      const names = (await api.experiments.getChildren()).map((n) => (n as ExperimentNode).experiment?.name);
      assert.ok(!names.includes('remote-only') && names.includes('from-python'));
    } finally {
      await remote.stop();
    }
  });

  it('lets a second engine on the same store become a client of this window, with no lost writes', async () => {
    const api = await tracksideApi();
    const client = await api.connection.client();
    const { EngineHost } = await import('../../src/core/engine/engineHost');
    const folder = api.connection.localFolder;
    const second = await EngineHost.start({ folder, owner: 'second window', server: { port: 0 } }, { script: path.join(extensionRoot(), 'dist', 'engine.js') });
    assert.ok('locked' in second, 'the second engine finds the live lock');
    if (!('locked' in second)) return;
    assert.equal(second.locked.port, Number(new URL(client.trackingUri).port), 'and is told the port of this window\'s server');
    const { TrackingClient } = await import('../../src/core/client/trackingClient');
    const token = fs.readFileSync(second.locked.tokenFile!, 'utf8').trim();
    const other = new TrackingClient({ trackingUri: `http://127.0.0.1:${second.locked.port}`, token });
    const run = await client.runs.create({ experimentId: '0', runName: 'two-writers' });
    const id = run.info.run_id;
    await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => client.runs.logMetric(id, 'a', i, { step: i, timestamp: 1000 + i })),
      ...Array.from({ length: 20 }, (_, i) => other.runs.logMetric(id, 'b', i, { step: i, timestamp: 2000 + i })),
    ]);
    other.dispose();
    assert.equal((await client.metrics.getHistory(id, 'a')).length, 20);
    assert.equal((await client.metrics.getHistory(id, 'b')).length, 20);
  });

  it('puts MLFLOW_TRACKING_URI, the token and the Python module in new terminals', async () => {
    const api = await tracksideApi();
    const client = await api.connection.client();
    const out = path.join(fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'trackside-term-')), 'env.txt');
    const terminal = vscode.window.createTerminal({ name: 'trackside-env-check' });
    try {
      terminal.sendText(`printf '%s\\n%s\\n%s\\n' "$MLFLOW_TRACKING_URI" "$MLFLOW_TRACKING_TOKEN" "$PYTHONPATH" > ${out}.tmp && mv ${out}.tmp ${out}`);
      const lines = await waitFor('the terminal to write its environment', () => fs.existsSync(out) && fs.readFileSync(out, 'utf8').split('\n'), 30_000);
      assert.equal(lines[0], client.trackingUri);
      assert.equal(lines[1], client.token);
      assert.ok(lines[2].split(path.delimiter).includes(path.join(extensionRoot(), 'dist', 'python')), `PYTHONPATH: ${lines[2]}`);
    } finally {
      terminal.dispose();
    }
  });
});

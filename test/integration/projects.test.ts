import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProjectRunResult } from '../../src/core/projects/projectRunner';
import type { Run } from '../../src/shared/entities';
import type { ExperimentNode, RunNode } from '../../src/extension/trees/runTreeItems';
import { extensionRoot, tracksideApi, waitFor } from './helpers';

function copyDemoProject(into: string): string {
  const folder = path.join(into, 'churn-project');
  fs.cpSync(path.join(extensionRoot(), 'test', 'fixtures', 'demo-workspace', 'project'), folder, {
    recursive: true,
    filter: (source) => !source.includes('__pycache__'),
  });
  return folder;
}

function params(run: Run): Record<string, string> {
  return Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value]));
}

function tag(run: Run, key: string): string | undefined {
  return run.data.tags?.find((t) => t.key === key)?.value;
}

async function runNode(experimentName: string, runId: string): Promise<RunNode> {
  const api = await tracksideApi();
  const experiment = await waitFor(`experiment ${experimentName} in the tree`, async () =>
    (await api.experiments.getChildren()).find((n): n is ExperimentNode => n.kind === 'experiment' && n.experiment.name === experimentName),
  );
  return waitFor(`run ${runId} in the tree`, async () =>
    (await api.experiments.getChildren(experiment)).find((n): n is RunNode => n.kind === 'run' && n.row.run_id === runId),
  );
}

/** Accepts what the quick pick or input box shows once it is there (VS Code gives no event for it). */
async function accept(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
}

/** The command's result, or a failure (with any prompt left open closed) when it does not come in time. */
async function within<T>(promise: Thenable<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      reject(new Error(`${what} did not finish within ${ms} ms (a prompt may not have been answered)`));
    }, ms);
  });
  try {
    return await Promise.race([Promise.resolve(promise), late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('MLflow projects in VS Code', function () {
  this.timeout(120_000);
  let scratch: string;
  let project: string;

  before(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'trackside-it-project-'));
    project = copyDemoProject(scratch);
  });
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('runs an entry point in a terminal named after it; the run is tracked and shown with its entry point', async () => {
    const api = await tracksideApi();
    const client = await api.connection.client();
    const result = (await vscode.commands.executeCommand('trackside.runProjectEntryPoint', {
      projectDir: project,
      entryPoint: 'main',
      parameters: { alpha: '0.5', epochs: '6' },
      experimentName: 'projects-it',
    })) as ProjectRunResult;
    assert.equal(result.status, 'FINISHED');
    assert.equal(result.exitCode, 0);
    assert.ok(vscode.window.terminals.some((t) => t.name === 'MLproject: main'), `terminals: ${vscode.window.terminals.map((t) => t.name).join(', ')}`);

    const run = await client.runs.get(result.runId);
    assert.equal(run.info.status, 'FINISHED');
    assert.deepEqual(params(run), { alpha: '0.5', epochs: '6', data: path.join(project, 'data', 'churn.csv') });
    assert.equal(tag(run, 'mlflow.project.entryPoint'), 'main');
    assert.equal(tag(run, 'mlflow.source.type'), 'PROJECT');
    assert.equal(run.data.metrics?.find((m) => m.key === 'val_auc')?.step, 5, 'the script logged into the run through MLFLOW_RUN_ID');
    const output = (await client.artifacts.read(result.runId, 'project/output.txt')).toString('utf8');
    assert.match(output, /^Training on 120 rows/m);

    const node = await runNode('projects-it', result.runId);
    const item = await api.experiments.getTreeItem(node);
    assert.equal(item.contextValue, 'run.project');
    assert.match(String(item.description), /▶ main/);
  });

  it('re-runs a project run with the same parameters from its tree item', async () => {
    const api = await tracksideApi();
    const client = await api.connection.client();
    const [original] = (await client.runs.search({ experimentIds: [(await client.experiments.getByName('projects-it'))!.experiment_id], maxResults: 1 })).runs;
    const node = await runNode('projects-it', original.info.run_id);
    const result = (await vscode.commands.executeCommand('trackside.rerunProject', node)) as ProjectRunResult;
    assert.equal(result.status, 'FINISHED');
    assert.notEqual(result.runId, original.info.run_id);
    const rerun = await client.runs.get(result.runId);
    assert.deepEqual(params(rerun), params(original));
    assert.equal(rerun.info.experiment_id, original.info.experiment_id);
    assert.equal(tag(rerun, 'trackside.project.rerun_of'), original.info.run_id);
  });

  it('stops the run with Ctrl-C in its terminal, and when the terminal is closed', async () => {
    const api = await tracksideApi();
    const client = await api.connection.client();
    const waiting = path.join(scratch, 'waiting');
    fs.mkdirSync(waiting);
    fs.writeFileSync(path.join(waiting, 'MLproject'), 'entry_points:\n  wait:\n    command: "python wait.py"\n  sleep:\n    command: "python wait.py"\n');
    fs.writeFileSync(path.join(waiting, 'wait.py'), "import time\nprint('ready', flush=True)\ntime.sleep(60)\n");
    for (const [entryPoint, stop] of [
      ['wait', (terminal: vscode.Terminal) => terminal.sendText('\x03', false)],
      ['sleep', (terminal: vscode.Terminal) => terminal.dispose()],
    ] as const) {
      const started = Date.now();
      const running = vscode.commands.executeCommand('trackside.runProjectEntryPoint', { projectDir: waiting, entryPoint, parameters: {}, experimentName: 'projects-it-stop' });
      const terminal = await waitFor(`the terminal of ${entryPoint}`, () => vscode.window.terminals.find((t) => t.name === `MLproject: ${entryPoint}` && t.exitStatus === undefined));
      await waitFor(`run of ${entryPoint} running`, async () => {
        const experiment = await client.experiments.getByName('projects-it-stop');
        if (!experiment) return false;
        const runs = await client.runs.search({ experimentIds: [experiment.experiment_id], filter: `tags.\`mlflow.project.entryPoint\` = '${entryPoint}'` });
        return runs.runs.some((r) => r.info.status === 'RUNNING');
      });
      await new Promise((resolve) => setTimeout(resolve, 500)); // let python reach its sleep
      stop(terminal);
      const result = (await running) as ProjectRunResult;
      assert.equal(result.status, 'KILLED', entryPoint);
      assert.ok(Date.now() - started < 30_000, `${entryPoint} stopped well before its 60 s sleep`);
      assert.equal((await client.runs.get(result.runId)).info.status, 'KILLED');
    }
  });

  it('runs an entry point from the palette: project found in the workspace, entry point picked, defaults accepted', async () => {
    const api = await tracksideApi();
    const client = await api.connection.client();
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const inWorkspace = copyDemoProject(workspace);
    try {
      const running = vscode.commands.executeCommand('trackside.runProjectEntryPoint');
      await accept(); // the entry point quick pick: main comes first
      await accept(); // alpha, prefilled with 0.1
      await accept(); // epochs, prefilled with 30
      await accept(); // data, prefilled with data/churn.csv
      const result = (await within(running, 30_000, 'Run MLproject Entry Point from the palette')) as ProjectRunResult;
      assert.equal(result.status, 'FINISHED');
      const run = await client.runs.get(result.runId);
      assert.deepEqual(params(run), { alpha: '0.1', epochs: '30', data: path.join(inWorkspace, 'data', 'churn.csv') });
      assert.equal(tag(run, 'mlflow.source.name'), inWorkspace);
      assert.equal(run.info.experiment_id, '0', 'the Default experiment, as mlflow run does');
    } finally {
      fs.rmSync(inWorkspace, { recursive: true, force: true });
    }
  });
});

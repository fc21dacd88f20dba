import * as vscode from 'vscode';
import type { TrackingClient } from '../../core/client/trackingClient';
import { TrackingClientError } from '../../core/client/trackingClientError';
import type { ConnectionManager } from '../connection/connectionManager';
import type { ExperimentsTreeProvider } from '../trees/experimentsTreeProvider';
import type { ModelsTreeProvider } from '../trees/modelsTreeProvider';
import type { RunNode } from '../trees/runTreeItems';
import { ask, pickRun } from './pickers';
import { registerCommand } from './registerCommand';

/** The runs a tree command applies to: the multi-selection when the clicked run is part of it. */
export function selectedRuns(node: RunNode | undefined, selection: RunNode[] | undefined): RunNode[] {
  if (!node) return [];
  const runs = selection?.filter((n) => n.kind === 'run') ?? [];
  return runs.some((n) => n.row.run_id === node.row.run_id) ? runs : [node];
}

async function runIds(
  connection: ConnectionManager,
  node: RunNode | undefined,
  selection: RunNode[] | undefined,
  title: string,
  viewType: 'ACTIVE_ONLY' | 'DELETED_ONLY' = 'ACTIVE_ONLY',
): Promise<{ id: string; name: string }[]> {
  const chosen = selectedRuns(node, selection);
  if (chosen.length > 0) return chosen.map((n) => ({ id: n.row.run_id, name: n.row.run_name }));
  const run = await pickRun(await connection.client(), { title, viewType });
  return run ? [{ id: run.info.run_id, name: run.info.run_name }] : [];
}

/** Run commands of the Experiments view and the palette. */
export function registerRunCommands(connection: ConnectionManager, tree: ExperimentsTreeProvider, models: ModelsTreeProvider): vscode.Disposable[] {
  return [
    registerCommand('trackside.renameRun', 'Rename Run', async (node?: RunNode, _selection?: RunNode[], nameArg?: string) => {
      const [run] = await runIds(connection, node, undefined, 'Rename Run');
      if (!run) return;
      const name = nameArg ?? (await ask({ title: `Rename '${run.name}'`, prompt: 'New run name', value: run.name, validate: (v) => (v.trim() ? undefined : 'Enter a name') }));
      if (!name || name === run.name) return;
      await (await connection.client()).runs.update(run.id, { runName: name.trim() });
      tree.refresh();
    }),
    registerCommand('trackside.deleteRun', 'Delete Run', async (node?: RunNode, selection?: RunNode[]) => {
      const runs = await runIds(connection, node, selection, 'Delete Run');
      if (runs.length === 0) return;
      const client = await connection.client();
      for (const run of runs) await client.runs.delete(run.id);
      tree.refresh();
      const what = runs.length === 1 ? `run '${runs[0].name}'` : `${runs.length} runs`;
      void vscode.window.showInformationMessage(`Deleted ${what}. Restorable until garbage collection.`, 'Undo').then(async (choice) => {
        if (choice !== 'Undo') return;
        for (const run of runs) await client.runs.restore(run.id);
        tree.refresh();
      });
      return runs.map((r) => r.id);
    }),
    registerCommand('trackside.restoreRun', 'Restore Run', async (node?: RunNode, selection?: RunNode[]) => {
      const runs = await runIds(connection, node, selection, 'Restore Run', 'DELETED_ONLY');
      const client = await connection.client();
      for (const run of runs) await client.runs.restore(run.id);
      if (runs.length) tree.refresh();
      return runs.map((r) => r.id);
    }),
    registerCommand('trackside.copyRunId', 'Copy Run ID', async (node?: RunNode, selection?: RunNode[]) => {
      const runs = await runIds(connection, node, selection, 'Copy Run ID');
      if (runs.length) await vscode.env.clipboard.writeText(runs.map((r) => r.id).join('\n'));
    }),
    registerCommand('trackside.copyRunUri', 'Copy runs:/ URI', async (node?: RunNode, selection?: RunNode[]) => {
      const runs = await runIds(connection, node, selection, 'Copy runs:/ URI');
      if (runs.length) await vscode.env.clipboard.writeText(runs.map((r) => `runs:/${r.id}`).join('\n'));
    }),
    registerCommand('trackside.registerModelFromRun', 'Register Model', async (node?: RunNode, _selection?: RunNode[], args?: { path?: string; name?: string }) => {
      const [run] = await runIds(connection, node, undefined, 'Register Model from Run');
      if (!run) return;
      const client = await connection.client();
      const artifactPath = args?.path ?? (await pickModelFolder(client, run.id));
      if (artifactPath === undefined) return;
      const name = args?.name ?? (await pickModelName(client));
      if (!name) return;
      try {
        await client.registeredModels.get(name);
      } catch (e) {
        if (!(e instanceof TrackingClientError) || e.status !== 404) throw e;
        await client.registeredModels.create(name);
      }
      const source = `runs:/${run.id}${artifactPath ? `/${artifactPath}` : ''}`;
      const version = await client.modelVersions.create(name, source, { runId: run.id });
      models.refresh();
      void vscode.window.showInformationMessage(`Registered ${source} as ${name} version ${version.version}.`);
      return version;
    }),
  ];
}

/** An artifact folder of the run, folders holding an MLmodel file first. */
async function pickModelFolder(client: TrackingClient, runId: string): Promise<string | undefined> {
  const top = await client.artifacts.list(runId);
  const folders = (top.files ?? []).filter((f) => f.is_dir);
  const items: (vscode.QuickPickItem & { path: string })[] = [];
  for (const folder of folders) {
    const inside = await client.artifacts.list(runId, folder.path);
    const hasMlmodel = (inside.files ?? []).some((f) => f.path.endsWith('MLmodel'));
    items.push({ label: `$(${hasMlmodel ? 'package' : 'folder'}) ${folder.path}`, description: hasMlmodel ? 'MLflow model' : undefined, path: folder.path });
  }
  items.sort((a, b) => Number(!!b.description) - Number(!!a.description));
  items.push({ label: '$(root-folder) (the whole artifact root)', path: '' });
  const pick = await vscode.window.showQuickPick(items, { title: 'Register Model: artifact folder', placeHolder: 'Folder with the model' });
  return pick?.path;
}

async function pickModelName(client: TrackingClient): Promise<string | undefined> {
  const existing = await client.registeredModels.searchAll({ orderBy: ['name ASC'] });
  const quick = vscode.window.createQuickPick<vscode.QuickPickItem>();
  quick.title = 'Register Model: name';
  quick.placeholder = 'Pick a registered model or type a new name (catalog.schema.model works too)';
  quick.items = existing.map((m) => ({ label: m.name, description: 'existing' }));
  return new Promise((resolve) => {
    quick.onDidChangeValue((value) => {
      const typed = value.trim();
      quick.items = [
        ...(typed && !existing.some((m) => m.name === typed) ? [{ label: typed, description: 'new registered model' }] : []),
        ...existing.map((m) => ({ label: m.name, description: 'existing' })),
      ];
    });
    quick.onDidAccept(() => {
      resolve(quick.selectedItems[0]?.label ?? (quick.value.trim() || undefined));
      quick.hide();
    });
    quick.onDidHide(() => {
      resolve(undefined);
      quick.dispose();
    });
    quick.show();
  });
}

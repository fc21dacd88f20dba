import * as vscode from 'vscode';
import { validateRunFilter } from '../../core/search/runFilter';
import type { Experiment } from '../../shared/entities';
import type { ConnectionManager } from '../connection/connectionManager';
import type { ExperimentsTreeProvider } from '../trees/experimentsTreeProvider';
import type { ExperimentNode, LoadMoreNode } from '../trees/runTreeItems';
import { ask, pickExperiment } from './pickers';
import { registerCommand } from './registerCommand';

/** Experiment commands and the Experiments view's title actions. */
export function registerExperimentCommands(connection: ConnectionManager, tree: ExperimentsTreeProvider): vscode.Disposable[] {
  const experimentOf = async (node: ExperimentNode | undefined, title: string, viewType?: 'ACTIVE_ONLY' | 'DELETED_ONLY'): Promise<Experiment | undefined> =>
    node?.experiment ?? pickExperiment(await connection.client(), { title, viewType });

  return [
    registerCommand('trackside.createExperiment', 'Create Experiment', async (nameArg?: string) => {
      const client = await connection.client();
      const name =
        nameArg ??
        (await ask({
          title: 'Create Experiment',
          prompt: 'Name of the new experiment',
          placeHolder: 'e.g. churn-model',
          validate: (v) => (v.trim() === '' ? 'Enter a name' : v.length > 500 ? 'At most 500 characters' : undefined),
        }));
      if (!name) return;
      const id = await client.experiments.create(name.trim());
      tree.refresh();
      void vscode.window.showInformationMessage(`Created experiment '${name.trim()}' (id ${id}).`);
      return id;
    }),
    registerCommand('trackside.renameExperiment', 'Rename Experiment', async (node?: ExperimentNode, newNameArg?: string) => {
      const client = await connection.client();
      const experiment = await experimentOf(node, 'Rename Experiment');
      if (!experiment) return;
      const name =
        newNameArg ??
        (await ask({ title: `Rename '${experiment.name}'`, prompt: 'New name', value: experiment.name, validate: (v) => (v.trim() ? undefined : 'Enter a name') }));
      if (!name || name === experiment.name) return;
      await client.experiments.update(experiment.experiment_id, { newName: name.trim() });
      tree.refresh();
    }),
    registerCommand('trackside.deleteExperiment', 'Delete Experiment', async (node?: ExperimentNode) => {
      const client = await connection.client();
      const experiment = await experimentOf(node, 'Delete Experiment');
      if (!experiment) return;
      await client.experiments.delete(experiment.experiment_id);
      tree.refresh();
      // Deleting is a soft delete: offer the undo right away rather than asking first.
      void vscode.window
        .showInformationMessage(`Deleted experiment '${experiment.name}' and its runs. They stay restorable until garbage collection.`, 'Undo')
        .then(async (choice) => {
          if (choice === 'Undo') {
            await client.experiments.restore(experiment.experiment_id);
            tree.refresh();
          }
        });
    }),
    registerCommand('trackside.restoreExperiment', 'Restore Experiment', async (node?: ExperimentNode) => {
      const client = await connection.client();
      const experiment = await experimentOf(node, 'Restore Experiment', 'DELETED_ONLY');
      if (!experiment) return;
      await client.experiments.restore(experiment.experiment_id);
      tree.refresh();
      void vscode.window.showInformationMessage(`Restored experiment '${experiment.name}'.`);
    }),
    registerCommand('trackside.filterRuns', 'Filter Runs', async (filterArg?: string) => {
      const filter =
        filterArg ??
        (await ask({
          title: 'Filter Runs',
          prompt: "MLflow filter syntax, plus OR and parentheses: e.g. metrics.rmse < 0.8 and params.model = 'rf'",
          value: tree.filter,
          placeHolder: "metrics.accuracy > 0.9 and tags.team = 'nlp'",
          validate: (v) => (v.trim() ? validateRunFilter(v) : undefined),
        }));
      if (filter === undefined) return;
      tree.setFilter(filter);
    }),
    registerCommand('trackside.clearRunFilter', 'Clear Run Filter', () => tree.setFilter(undefined)),
    registerCommand('trackside.showDeleted', 'Show Deleted', () => tree.setShowDeleted(true)),
    registerCommand('trackside.hideDeleted', 'Hide Deleted', () => tree.setShowDeleted(false)),
    registerCommand('trackside.loadMoreRuns', 'Load More Runs', (node: LoadMoreNode) => tree.loadMore(node)),
  ];
}

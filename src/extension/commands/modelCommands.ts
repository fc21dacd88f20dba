import * as vscode from 'vscode';
import type { ModelVersion } from '../../shared/entities';
import { describeRegistryEvent } from '../../shared/registryEvents';
import type { ConnectionManager } from '../connection/connectionManager';
import { log } from '../log';
import { modelUri, type ModelNode, type ModelsTreeProvider, type VersionNode } from '../trees/modelsTreeProvider';
import { ask, pickModel, pickModelVersion } from './pickers';
import { registerCommand } from './registerCommand';

const ALIAS = /^[\w-]+$/;

/** MLflow's alias rules, checked while typing. */
export function validateAlias(alias: string): string | undefined {
  if (!alias) return 'Enter an alias';
  if (!ALIAS.test(alias)) return 'Letters, digits, _ and - only';
  if (alias.toLowerCase() === 'latest') return "'latest' is reserved";
  if (/^[vV]\d+$/.test(alias)) return 'v<number> is reserved for versions';
  if (alias.length > 255) return 'At most 255 characters';
  return undefined;
}

/** Registered model and model version commands. */
export function registerModelCommands(connection: ConnectionManager, tree: ModelsTreeProvider): vscode.Disposable[] {
  const versionOf = async (node: VersionNode | undefined, title: string): Promise<{ model: string; version: ModelVersion } | undefined> =>
    node ? { model: node.model, version: node.version } : pickModelVersion(await connection.client(), title);
  const modelName = async (node: ModelNode | VersionNode | undefined, title: string): Promise<string | undefined> =>
    node?.kind === 'model' ? node.model.name : node?.kind === 'modelVersion' ? node.model : (await pickModel(await connection.client(), title))?.name;

  return [
    registerCommand('trackside.createRegisteredModel', 'Create Registered Model', async (nameArg?: string) => {
      const name = nameArg ?? (await ask({ title: 'Create Registered Model', prompt: 'Name (plain, or catalog.schema.model)', validate: (v) => (v.trim() ? undefined : 'Enter a name') }));
      if (!name) return;
      const model = await (await connection.client()).registeredModels.create(name.trim());
      tree.refresh();
      return model;
    }),
    registerCommand('trackside.setModelAlias', 'Set Alias', async (node?: VersionNode, aliasArg?: string) => {
      const target = await versionOf(node, 'Set Alias');
      if (!target) return;
      const alias = aliasArg ?? (await ask({ title: `Alias for ${target.model} version ${target.version.version}`, prompt: 'e.g. champion, challenger', validate: validateAlias }));
      if (!alias) return;
      await (await connection.client()).registeredModels.setAlias(target.model, alias, target.version.version);
      tree.refresh();
      void vscode.window.showInformationMessage(`models:/${target.model}@${alias} now points to version ${target.version.version}.`);
    }),
    registerCommand('trackside.removeModelAlias', 'Remove Alias', async (node?: VersionNode, aliasArg?: string) => {
      const target = await versionOf(node, 'Remove Alias');
      if (!target) return;
      const aliases = target.version.aliases ?? [];
      if (!aliasArg && aliases.length === 0) {
        void vscode.window.showInformationMessage(`Version ${target.version.version} of ${target.model} has no alias.`);
        return;
      }
      const alias = aliasArg ?? (aliases.length === 1 ? aliases[0] : await vscode.window.showQuickPick(aliases, { title: 'Remove Alias' }));
      if (!alias) return;
      await (await connection.client()).registeredModels.deleteAlias(target.model, alias);
      tree.refresh();
    }),
    registerCommand('trackside.transitionModelStage', 'Transition Stage', async (node?: VersionNode, stageArg?: string, archiveArg?: boolean) => {
      const target = await versionOf(node, 'Transition Stage');
      if (!target) return;
      const current = target.version.current_stage ?? 'None';
      const stage =
        stageArg ??
        (await vscode.window.showQuickPick(
          ['Staging', 'Production', 'Archived', 'None'].filter((s) => s !== current).map((s) => ({ label: s })),
          { title: `Transition ${target.model} version ${target.version.version} (now ${current})` },
        ))?.label;
      if (!stage) return;
      let archive = archiveArg ?? false;
      if (archiveArg === undefined && (stage === 'Staging' || stage === 'Production')) {
        const choice = await vscode.window.showQuickPick(
          [{ label: `Archive other ${stage} versions`, archive: true }, { label: `Keep other ${stage} versions`, archive: false }],
          { title: 'Other versions in that stage' },
        );
        if (!choice) return;
        archive = choice.archive;
      }
      await (await connection.client()).modelVersions.transitionStage(target.model, target.version.version, stage, archive);
      tree.refresh();
    }),
    registerCommand('trackside.openModelSourceRun', 'Open Source Run', async (node?: VersionNode) => {
      const target = await versionOf(node, 'Open Source Run');
      if (!target) return;
      if (!target.version.run_id) {
        void vscode.window.showInformationMessage(`Version ${target.version.version} of ${target.model} was not registered from a run (source ${target.version.source}).`);
        return;
      }
      await vscode.commands.executeCommand('trackside.openRunDetails', target.version.run_id);
    }),
    registerCommand('trackside.copyModelUri', 'Copy models:/ URI', async (node?: ModelNode | VersionNode) => {
      let uri: string | undefined;
      if (node) uri = modelUri(node);
      else {
        const target = await pickModelVersion(await connection.client(), 'Copy models:/ URI');
        if (target) uri = modelUri({ kind: 'modelVersion', model: target.model, version: target.version });
      }
      if (!uri) return;
      await vscode.env.clipboard.writeText(uri);
      void vscode.window.setStatusBarMessage(`Copied ${uri}`, 3000);
      return uri;
    }),
    registerCommand('trackside.editModelDescription', 'Edit Description', async (node?: ModelNode | VersionNode, textArg?: string) => {
      const client = await connection.client();
      if (node?.kind === 'modelVersion' || !node) {
        const target = node ? { model: node.model, version: node.version } : await pickModelVersion(client, 'Edit Description');
        if (!target) return;
        const text = textArg ?? (await ask({ title: `Description of ${target.model} version ${target.version.version}`, prompt: 'Description', value: target.version.description ?? '' }));
        if (text === undefined) return;
        await client.modelVersions.update(target.model, target.version.version, { description: text });
      } else {
        const text = textArg ?? (await ask({ title: `Description of ${node.model.name}`, prompt: 'Description', value: node.model.description ?? '' }));
        if (text === undefined) return;
        await client.registeredModels.update(node.model.name, { description: text });
      }
      tree.refresh();
    }),
    registerCommand('trackside.deleteModelVersion', 'Delete Model Version', async (node?: VersionNode, confirmed?: boolean) => {
      const target = await versionOf(node, 'Delete Model Version');
      if (!target) return;
      if (!confirmed) {
        const answer = await vscode.window.showWarningMessage(
          `Delete version ${target.version.version} of ${target.model}? Its aliases go with it; this cannot be undone.`,
          { modal: true },
          'Delete',
        );
        if (answer !== 'Delete') return;
      }
      await (await connection.client()).modelVersions.delete(target.model, target.version.version);
      tree.refresh();
    }),
    registerCommand('trackside.deleteRegisteredModel', 'Delete Registered Model', async (node?: ModelNode, confirmed?: boolean) => {
      const name = await modelName(node, 'Delete Registered Model');
      if (!name) return;
      if (!confirmed) {
        const answer = await vscode.window.showWarningMessage(
          `Delete the registered model '${name}' with all its versions and aliases? This cannot be undone (runs and artifacts stay).`,
          { modal: true },
          'Delete',
        );
        if (answer !== 'Delete') return;
      }
      await (await connection.client()).registeredModels.delete(name);
      tree.refresh();
    }),
    registerCommand('trackside.showModelHistory', 'Show Alias and Stage History', async (node?: ModelNode | VersionNode) => {
      const name = await modelName(node, 'Show Alias and Stage History');
      if (!name) return;
      const events = await (await connection.client()).registryHistory(name);
      const lines = events.map((e) => {
        const when = new Date(e.timestamp).toLocaleString();
        return `${when}  ${describeRegistryEvent(e)}${e.user_id ? `  (${e.user_id})` : ''}`;
      });
      log().info(`History of ${name}:\n${lines.join('\n') || '(no alias or stage changes yet)'}`);
      await vscode.window.showQuickPick(lines.length ? lines.reverse() : ['No alias or stage changes yet'], { title: `History of ${name} (newest first)` });
      return events;
    }),
  ];
}

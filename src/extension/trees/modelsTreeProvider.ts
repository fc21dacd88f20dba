import * as vscode from 'vscode';
import type { ServingEndpoints } from '../../core/models/servingEndpoints';
import type { ModelVersion, RegisteredModel } from '../../shared/entities';
import type { ConnectionManager } from '../connection/connectionManager';
import { log } from '../log';
import { Disposable } from '../util/disposable';
import { SERVING_ROOT, endpointNodes, isServingNode, servingTreeItem, type ServingNode } from './servingSection';

export type ModelsNode = ModelNode | VersionNode | ModelMessageNode | ServingNode;

export interface ModelNode {
  kind: 'model';
  model: RegisteredModel;
}

export interface VersionNode {
  kind: 'modelVersion';
  model: string;
  version: ModelVersion;
}

export interface ModelMessageNode {
  kind: 'message';
  id: string;
  label: string;
}

const STAGE_ICONS: Record<string, [string, string | undefined]> = {
  Production: ['rocket', 'charts.green'],
  Staging: ['beaker', 'charts.yellow'],
  Archived: ['archive', 'disabledForeground'],
  None: ['versions', undefined],
};

/** `models:/name@alias` when the version has an alias, else `models:/name/version`. */
export function modelUri(node: ModelNode | VersionNode, alias?: string): string {
  const name = node.kind === 'model' ? node.model.name : node.model;
  if (node.kind === 'model') return alias ? `models:/${name}@${alias}` : `models:/${name}/latest`;
  const chosen = alias ?? node.version.aliases?.[0];
  return chosen ? `models:/${name}@${chosen}` : `models:/${name}/${node.version.version}`;
}

/** Registered models → versions, with alias and stage badges; refreshed from the change stream. */
export class ModelsTreeProvider extends Disposable implements vscode.TreeDataProvider<ModelsNode> {
  private readonly changed = this._register(new vscode.EventEmitter<ModelsNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly models = new Map<string, ModelNode>();
  private readonly versions = new Map<string, VersionNode>();

  constructor(private readonly connection: ConnectionManager) {
    super();
    this._register(connection.onDidChangeState(() => this.refresh()));
  }

  // ---- the "Serving" section (servingSection.ts): shown on top while endpoints run ----
  private serving: ServingEndpoints | undefined;

  attachServing(endpoints: ServingEndpoints): vscode.Disposable {
    this.serving = endpoints;
    return endpoints.onDidChange(() => this.refresh());
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** A change-stream event named these models: redraw them (or everything for new ones). */
  applyChange(names: string[]): void {
    const known = names.map((n) => this.models.get(n));
    if (known.some((n) => !n)) this.changed.fire(undefined);
    else for (const node of known) this.changed.fire(node);
  }

  getTreeItem(node: ModelsNode): vscode.TreeItem {
    if (isServingNode(node)) return servingTreeItem(node, this.serving);
    if (node.kind === 'message') {
      const item = new vscode.TreeItem(node.label);
      item.id = node.id;
      item.iconPath = new vscode.ThemeIcon('warning');
      return item;
    }
    if (node.kind === 'model') {
      const { model } = node;
      const item = new vscode.TreeItem(model.name, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `model:${model.name}`;
      item.contextValue = 'model';
      item.iconPath = new vscode.ThemeIcon('package');
      const aliases = (model.aliases ?? []).map((a) => `@${a.alias}→v${a.version}`);
      item.description = aliases.join(' ');
      const md = new vscode.MarkdownString(`**${model.name}**\n\n`);
      if (model.description) md.appendText(`${model.description}\n\n`);
      if (model.last_updated_timestamp) md.appendText(`Updated ${new Date(model.last_updated_timestamp).toLocaleString()}`);
      item.tooltip = md;
      item.accessibilityInformation = { label: `Registered model ${model.name}${aliases.length ? `, aliases ${aliases.join(', ')}` : ''}` };
      return item;
    }
    const { version } = node;
    const item = new vscode.TreeItem(`Version ${version.version}`, vscode.TreeItemCollapsibleState.None);
    item.id = `modelVersion:${node.model}/${version.version}`;
    item.contextValue = 'modelVersion';
    const stage = version.current_stage ?? 'None';
    const [icon, color] = STAGE_ICONS[stage] ?? STAGE_ICONS.None;
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    const badges = (version.aliases ?? []).map((a) => `@${a}`);
    if (stage !== 'None') badges.push(stage);
    if (this.serving?.forModel({ name: node.model, version: version.version, uri: '' })) badges.push('serving');
    item.description = badges.join(' · ');
    const md = new vscode.MarkdownString(`**${node.model}** version ${version.version}\n\n`);
    md.appendMarkdown(`Stage: ${stage}${badges.length ? ` · aliases: ${(version.aliases ?? []).join(', ') || 'none'}` : ''}\n\n`);
    if (version.description) md.appendText(`${version.description}\n\n`);
    md.appendMarkdown(`Source: \`${version.source}\`\n\n`);
    if (version.run_id) md.appendMarkdown(`Run: \`${version.run_id}\``);
    item.tooltip = md;
    item.command = { command: 'trackside.openModelVersion', title: 'Open Model Version Details', arguments: [node] };
    item.accessibilityInformation = { label: `${node.model} version ${version.version}, ${item.description || 'no alias or stage'}` };
    return item;
  }

  getParent(node: ModelsNode): ModelsNode | undefined {
    if (node.kind === 'servingEndpoint') return SERVING_ROOT;
    return node.kind === 'modelVersion' ? this.models.get(node.model) : undefined;
  }

  async getChildren(node?: ModelsNode): Promise<ModelsNode[]> {
    if (node?.kind === 'servingRoot') return this.serving ? endpointNodes(this.serving) : [];
    const serving: ModelsNode[] = !node && this.serving?.list().length ? [SERVING_ROOT] : [];
    try {
      const client = await this.connection.client();
      if (!node) {
        const models = await client.registeredModels.searchAll({ orderBy: ['name ASC'] });
        await vscode.commands.executeCommand('setContext', 'trackside.modelsEmpty', models.length === 0);
        return serving.concat(models.map((model) => {
          let existing = this.models.get(model.name);
          if (existing) existing.model = model;
          else this.models.set(model.name, (existing = { kind: 'model', model }));
          return existing;
        }));
      }
      if (node.kind !== 'model') return [];
      const name = node.model.name;
      const versions = await client.modelVersions.listForModel(name);
      return versions.map((version) => {
        const key = `${name}/${version.version}`;
        let existing = this.versions.get(key);
        if (existing) existing.version = version;
        else this.versions.set(key, (existing = { kind: 'modelVersion', model: name, version }));
        return existing;
      });
    } catch (e) {
      log().warn(`Models view: ${(e as Error).message}`);
      return node ? [{ kind: 'message', id: `error:${Date.now()}`, label: `Could not load: ${(e as Error).message}` }] : serving;
    }
  }
}

import * as vscode from 'vscode';
import type { ServingEndpoint, ServingEndpoints } from '../../core/models/servingEndpoints';

/** The "Serving" section at the top of the Models view: the local scoring servers this window runs. */
export interface ServingRootNode {
  kind: 'servingRoot';
}

export interface EndpointNode {
  kind: 'servingEndpoint';
  endpoint: ServingEndpoint;
}

export type ServingNode = ServingRootNode | EndpointNode;

export const SERVING_ROOT: ServingRootNode = { kind: 'servingRoot' };

export function isServingNode(node: { kind: string }): node is ServingNode {
  return node.kind === 'servingRoot' || node.kind === 'servingEndpoint';
}

const nodes = new WeakMap<ServingEndpoint, EndpointNode>();

/** One node object per endpoint (stable, so the tree can reveal and refresh it). */
export function endpointNodes(endpoints: ServingEndpoints): EndpointNode[] {
  return endpoints.list().map((endpoint) => {
    let node = nodes.get(endpoint);
    if (!node) nodes.set(endpoint, (node = { kind: 'servingEndpoint', endpoint }));
    return node;
  });
}

export function servingTreeItem(node: ServingNode, endpoints: ServingEndpoints | undefined): vscode.TreeItem {
  if (node.kind === 'servingRoot') {
    const count = endpoints?.list().length ?? 0;
    const item = new vscode.TreeItem('Serving', vscode.TreeItemCollapsibleState.Expanded);
    item.id = 'serving';
    item.contextValue = 'servingRoot';
    item.iconPath = new vscode.ThemeIcon('broadcast');
    item.description = `${count} endpoint${count === 1 ? '' : 's'}`;
    item.tooltip = 'Models served on 127.0.0.1 by this window, with MLflow\u2019s scoring protocol (POST /invocations).';
    return item;
  }
  const { endpoint } = node;
  const item = new vscode.TreeItem(endpoint.label, vscode.TreeItemCollapsibleState.None);
  item.id = `servingEndpoint:${endpoint.id}`;
  item.contextValue = 'servingEndpoint';
  item.iconPath = new vscode.ThemeIcon('radio-tower', new vscode.ThemeColor('charts.green'));
  item.description = endpoint.url.replace(/^http:\/\//, '');
  const md = new vscode.MarkdownString(`**${endpoint.label}** — serving\n\n`);
  md.appendMarkdown(`\`POST ${endpoint.url}/invocations\`\n\n`);
  md.appendText(`Flavor: ${endpoint.model.mlModel.primaryFlavor} · since ${new Date(endpoint.startedAt).toLocaleTimeString()}\n\n`);
  md.appendText(`Model files: ${endpoint.model.folder}`);
  item.tooltip = md;
  item.command = { command: 'trackside.showServingLogs', title: 'Show Serving Logs', arguments: [node] };
  item.accessibilityInformation = { label: `${endpoint.label} served at ${endpoint.url}` };
  return item;
}

import * as vscode from 'vscode';
import type { ChangeEvent } from '../../shared/changeEvents';
import type { ConnectionManager } from '../connection/connectionManager';
import { log } from '../log';
import { settings } from '../settings';
import { Disposable } from '../util/disposable';
import { fetchExperiments, fetchRunCounts, fetchRunPage } from './runTreeSource';
import {
  experimentItem,
  loadMoreItem,
  messageItem,
  runItem,
  runTooltip,
  type ExperimentNode,
  type ExperimentsNode,
  type LoadMoreNode,
  type RunNode,
} from './runTreeItems';

interface LoadedPage {
  runs: RunNode[];
  next?: string;
}

/**
 * Experiments → runs (newest first, paged, nested at any depth). Nodes are kept by id and updated
 * in place, so a refresh keeps selection and expansion; live changes arrive from the server's
 * change stream and refresh only what they touch.
 */
export class ExperimentsTreeProvider extends Disposable implements vscode.TreeDataProvider<ExperimentsNode> {
  private readonly changed = this._register(new vscode.EventEmitter<ExperimentsNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly experiments = new Map<string, ExperimentNode>();
  private readonly runs = new Map<string, RunNode>();
  private readonly pages = new Map<string, LoadedPage>();
  private filterText: string | undefined;
  private deletedShown = false;

  constructor(private readonly connection: ConnectionManager) {
    super();
    this._register(connection.onDidChangeState(() => this.refresh()));
    void this.setContext();
  }

  get filter(): string | undefined {
    return this.filterText;
  }

  get showDeleted(): boolean {
    return this.deletedShown;
  }

  setFilter(filter: string | undefined): void {
    this.filterText = filter?.trim() || undefined;
    void this.setContext();
    this.refresh();
  }

  setShowDeleted(show: boolean): void {
    this.deletedShown = show;
    void this.setContext();
    this.refresh();
  }

  /** Forgets loaded pages and redraws everything (keeping nodes, so VS Code keeps its state). */
  refresh(): void {
    this.pages.clear();
    this.changed.fire(undefined);
  }

  /** Applies a change-stream event: redraw the experiments or runs it names. */
  applyChange(event: ChangeEvent): void {
    if (event.type === 'experiments') {
      this.changed.fire(undefined);
      return;
    }
    if (event.type === 'runs') {
      for (const id of event.experimentIds) this.reloadExperiment(id);
      return;
    }
    if (event.type === 'metrics' && settings.keyMetric()) {
      const experiments = new Set<string>();
      for (const runId of Object.keys(event.runs)) {
        const node = this.runs.get(runId);
        if (node && event.runs[runId].includes(settings.keyMetric())) experiments.add(node.experimentId);
      }
      for (const id of experiments) this.reloadExperiment(id);
    }
  }

  private reloadExperiment(experimentId: string): void {
    for (const key of [...this.pages.keys()]) if (key.startsWith(`${experimentId}/`)) this.pages.delete(key);
    const node = this.experiments.get(experimentId);
    this.changed.fire(node);
    if (!node) this.changed.fire(undefined);
  }

  /** Appends the next page below a "Load more…" row. */
  async loadMore(node: LoadMoreNode): Promise<void> {
    const key = pageKey(node.experimentId, node.parentRunId);
    const page = this.pages.get(key);
    if (!page || page.next !== node.pageToken) return;
    const client = await this.connection.client();
    const more = await fetchRunPage(client, {
      experimentId: node.experimentId, parentRunId: node.parentRunId, pageToken: node.pageToken, filter: this.filterText,
      keyMetric: settings.keyMetric(), showDeleted: this.deletedShown, pageSize: settings.pageSize(),
    });
    page.runs.push(...more.runs.map((row) => this.runNode(node.experimentId, row)));
    page.next = more.next_page_token;
    this.changed.fire(node.parentRunId ? this.runs.get(node.parentRunId) : this.experiments.get(node.experimentId));
  }

  getTreeItem(node: ExperimentsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'experiment':
        return experimentItem(node);
      case 'run':
        return runItem(node, settings.keyMetric());
      case 'loadMore':
        return loadMoreItem(node);
      case 'message':
        return messageItem(node);
    }
  }

  async resolveTreeItem(item: vscode.TreeItem, node: ExperimentsNode): Promise<vscode.TreeItem> {
    if (node.kind !== 'run' || item.tooltip) return item;
    try {
      const client = await this.connection.client();
      item.tooltip = runTooltip(await client.runs.get(node.row.run_id));
    } catch {
      /* a tooltip is optional */
    }
    return item;
  }

  getParent(node: ExperimentsNode): ExperimentsNode | undefined {
    if (node.kind !== 'run') return undefined;
    const parent = node.row.parent_run_id ? this.runs.get(node.row.parent_run_id) : undefined;
    return parent && !this.filterText ? parent : this.experiments.get(node.experimentId);
  }

  async getChildren(node?: ExperimentsNode): Promise<ExperimentsNode[]> {
    try {
      const client = await this.connection.client();
      if (!node) return await this.rootChildren(client);
      if (node.kind === 'experiment') return await this.runChildren(client, node.experiment.experiment_id, undefined);
      if (node.kind === 'run') return await this.runChildren(client, node.experimentId, node.row.run_id);
      return [];
    } catch (e) {
      // Never a notification from getChildren: the view shows what went wrong (and the log the details).
      log().warn(`Experiments view: ${(e as Error).message}`);
      if (!node) return []; // the welcome view explains the engine state
      return [{ kind: 'message', id: `error:${Date.now()}`, label: `Could not load: ${(e as Error).message}`, icon: 'warning' }];
    }
  }

  private async rootChildren(client: Awaited<ReturnType<ConnectionManager['client']>>): Promise<ExperimentsNode[]> {
    const [experiments, counts] = await Promise.all([fetchExperiments(client, this.deletedShown), fetchRunCounts(client, this.deletedShown)]);
    const nodes = experiments.map((experiment) => {
      let node = this.experiments.get(experiment.experiment_id);
      if (node) node.experiment = experiment;
      else this.experiments.set(experiment.experiment_id, (node = { kind: 'experiment', experiment }));
      node.runCount = counts?.[experiment.experiment_id] ?? (counts ? 0 : undefined);
      return node;
    });
    // A fresh store holds only the empty Default experiment: show the welcome (next steps) instead.
    const fresh = nodes.length === 0 || (nodes.length === 1 && nodes[0].experiment.experiment_id === '0' && nodes[0].runCount === 0 && !this.filterText);
    await vscode.commands.executeCommand('setContext', 'trackside.experimentsEmpty', fresh);
    return fresh ? [] : nodes;
  }

  private async runChildren(
    client: Awaited<ReturnType<ConnectionManager['client']>>,
    experimentId: string,
    parentRunId: string | undefined,
  ): Promise<ExperimentsNode[]> {
    if (this.filterText && parentRunId) return [];
    const key = pageKey(experimentId, parentRunId);
    let page = this.pages.get(key);
    if (!page) {
      const first = await fetchRunPage(client, {
        experimentId, parentRunId, filter: this.filterText, keyMetric: settings.keyMetric(), showDeleted: this.deletedShown,
        pageSize: settings.pageSize(),
      });
      page = { runs: first.runs.map((row) => this.runNode(experimentId, row)), next: first.next_page_token };
      this.pages.set(key, page);
    }
    const children: ExperimentsNode[] = [...page.runs];
    if (page.next) children.push({ kind: 'loadMore', experimentId, parentRunId, pageToken: page.next, shown: page.runs.length });
    if (children.length === 0 && !parentRunId) {
      children.push({
        kind: 'message', id: `empty:${experimentId}`, icon: 'info',
        label: this.filterText ? 'No runs match the filter' : 'No runs yet',
        tooltip: this.filterText ? `Filter: ${this.filterText}` : 'Log runs with mlflow or the trackside Python module.',
      });
    }
    return children;
  }

  private runNode(experimentId: string, row: RunNode['row']): RunNode {
    let node = this.runs.get(row.run_id);
    if (node) node.row = row;
    else this.runs.set(row.run_id, (node = { kind: 'run', experimentId, row }));
    return node;
  }

  private async setContext(): Promise<void> {
    await vscode.commands.executeCommand('setContext', 'trackside.runFilterActive', !!this.filterText);
    await vscode.commands.executeCommand('setContext', 'trackside.showingDeleted', this.deletedShown);
  }
}

function pageKey(experimentId: string, parentRunId: string | undefined): string {
  return `${experimentId}/${parentRunId ?? ''}`;
}

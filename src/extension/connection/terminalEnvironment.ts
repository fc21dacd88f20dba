import path from 'node:path';
import * as vscode from 'vscode';
import { affectsTrackside, settings } from '../settings';
import { Disposable } from '../util/disposable';
import type { ConnectionManager } from './connectionManager';

/**
 * New terminals log into Trackside: MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN point at the
 * current store, and PYTHONPATH gains the bundled `trackside` module. Kept current when the port or
 * the server changes; removed when the setting is off.
 */
export class TerminalEnvironment extends Disposable {
  constructor(private readonly context: vscode.ExtensionContext, private readonly connection: ConnectionManager) {
    super();
    context.environmentVariableCollection.description = new vscode.MarkdownString(
      'Trackside: `MLFLOW_TRACKING_URI` and `MLFLOW_TRACKING_TOKEN` for this workspace\'s store, and the bundled `trackside` Python module on `PYTHONPATH`.',
    );
    this._register(connection.onDidChangeState(() => this.update()));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affectsTrackside(e, 'terminal.setTrackingEnvironment')) this.update();
      }),
    );
    // A terminal opened before anything else used Trackside: start it so later terminals log in.
    this._register(
      vscode.window.onDidOpenTerminal(() => {
        if (settings.setTerminalEnvironment() && connection.currentState.kind === 'idle') void connection.client().catch(() => undefined);
      }),
    );
    this.update();
  }

  get pythonPath(): string {
    return path.join(this.context.extensionPath, 'dist', 'python');
  }

  private update(): void {
    const collection = this.context.environmentVariableCollection;
    const client = this.connection.connectedClient;
    if (!settings.setTerminalEnvironment()) {
      collection.clear();
      return;
    }
    if (!client) return; // keep the last known values until a new connection replaces them
    collection.replace('MLFLOW_TRACKING_URI', client.trackingUri);
    if (client.token) collection.replace('MLFLOW_TRACKING_TOKEN', client.token);
    else collection.delete('MLFLOW_TRACKING_TOKEN');
    collection.prepend('PYTHONPATH', this.pythonPath + path.delimiter);
  }
}

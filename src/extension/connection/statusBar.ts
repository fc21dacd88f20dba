import * as vscode from 'vscode';
import { Disposable } from '../util/disposable';
import type { ConnectionManager, ConnectionState } from './connectionManager';

/** The status-bar item: where Trackside's data comes from, and a menu of what to do about it. */
export class StatusBar extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('trackside.status', vscode.StatusBarAlignment.Left, 50));

  constructor(connection: ConnectionManager) {
    super();
    this.item.name = 'Trackside';
    this.item.command = 'trackside.showStatusMenu';
    this._register(connection.onDidChangeState((state) => this.render(state)));
    this.render(connection.currentState);
    this.item.show();
  }

  private render(state: ConnectionState): void {
    const item = this.item;
    item.backgroundColor = undefined;
    switch (state.kind) {
      case 'idle':
        item.text = '$(pulse) Trackside';
        item.tooltip = 'Trackside: the local store starts when you open a Trackside view or run a command.';
        break;
      case 'starting':
        item.text = '$(sync~spin) Trackside';
        item.tooltip = `Trackside: opening ${state.folder}…`;
        break;
      case 'local':
        item.text = `$(database) Trackside :${new URL(state.url).port}`;
        item.tooltip = new vscode.MarkdownString(`**Trackside** serving \`${state.folder}\`\n\nat ${state.url} — click for actions`);
        break;
      case 'attached':
        item.text = `$(plug) Trackside :${new URL(state.url).port}`;
        item.tooltip = new vscode.MarkdownString(
          `**Trackside** connected to ${state.owner} (pid ${state.pid}), which serves \`${state.folder}\` at ${state.url}`,
        );
        break;
      case 'remote':
        item.text = `$(cloud) Trackside: ${new URL(state.url).host}`;
        item.tooltip = `Trackside: browsing the MLflow server at ${state.url}`;
        break;
      case 'error':
        item.text = '$(error) Trackside';
        item.tooltip = `Trackside could not start: ${state.message} — click for actions`;
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
    }
    item.accessibilityInformation = { label: typeof item.tooltip === 'string' ? item.tooltip : item.text.replace(/\$\([^)]*\)\s*/g, '') };
  }
}

/** What the status-bar item offers when clicked. */
export async function showStatusMenu(connection: ConnectionManager): Promise<void> {
  const state = connection.currentState;
  const items: (vscode.QuickPickItem & { command: string })[] = [
    { label: '$(copy) Copy Tracking Environment', description: 'MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN', command: 'trackside.copyTrackingEnvironment' },
    { label: '$(folder-opened) Open Store Folder', description: connection.localFolder, command: 'trackside.openStoreFolder' },
    { label: '$(debug-restart) Restart Engine', command: 'trackside.restartEngine' },
    { label: '$(output) Show Log', command: 'trackside.showLog' },
    state.kind === 'remote'
      ? { label: '$(database) Use Local Store', command: 'trackside.useLocalStore' }
      : { label: '$(plug) Connect to MLflow Server…', command: 'trackside.connectToServer' },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: 'Trackside', placeHolder: statusLine(state) });
  if (pick) await vscode.commands.executeCommand(pick.command);
}

function statusLine(state: ConnectionState): string {
  switch (state.kind) {
    case 'idle':
      return 'Not started yet';
    case 'starting':
      return `Starting on ${state.folder}`;
    case 'local':
      return `Serving ${state.folder} at ${state.url}`;
    case 'attached':
      return `Connected to ${state.owner} at ${state.url}`;
    case 'remote':
      return `Remote server ${state.url}`;
    case 'error':
      return `Error: ${state.message}`;
  }
}

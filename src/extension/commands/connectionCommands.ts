import * as vscode from 'vscode';
import { TrackingClient } from '../../core/client/trackingClient';
import type { ConnectionManager } from '../connection/connectionManager';
import { showStatusMenu } from '../connection/statusBar';
import { log } from '../log';
import type { ExperimentsTreeProvider } from '../trees/experimentsTreeProvider';
import type { ModelsTreeProvider } from '../trees/modelsTreeProvider';
import { registerCommand } from './registerCommand';

/** Engine, connection and log commands. */
export function registerConnectionCommands(
  connection: ConnectionManager,
  experiments: ExperimentsTreeProvider,
  models: ModelsTreeProvider,
): vscode.Disposable[] {
  return [
    registerCommand('trackside.showLog', 'Show Log', () => log().show(true)),
    registerCommand('trackside.showStatusMenu', 'Trackside', () => showStatusMenu(connection)),
    registerCommand('trackside.refresh', 'Refresh', () => {
      experiments.refresh();
      models.refresh();
    }),
    registerCommand('trackside.restartEngine', 'Restart Engine', () =>
      vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Trackside: restarting' }, () => connection.restart()),
    ),
    registerCommand('trackside.copyTrackingEnvironment', 'Copy Tracking Environment', async () => {
      const env = await connection.trackingEnvironment();
      const text = Object.entries(env).map(([k, v]) => `export ${k}=${quote(v)}`).join('\n');
      await vscode.env.clipboard.writeText(text);
      void vscode.window.showInformationMessage(`Copied MLFLOW_TRACKING_URI=${env.MLFLOW_TRACKING_URI}${env.MLFLOW_TRACKING_TOKEN ? ' and the token' : ''}.`);
      return text;
    }),
    registerCommand('trackside.openStoreFolder', 'Open Store Folder', async () => {
      const folder = vscode.Uri.file(connection.localFolder);
      if (vscode.env.remoteName || vscode.env.uiKind === vscode.UIKind.Web) {
        await vscode.commands.executeCommand('revealInExplorer', folder);
      } else {
        await vscode.env.openExternal(folder);
      }
      return folder.fsPath;
    }),
    registerCommand('trackside.connectToServer', 'Connect to MLflow Server', async (uriArg?: string, tokenArg?: string) => {
      const uri =
        uriArg ??
        (await vscode.window.showInputBox({
          title: 'Connect to MLflow Server (1/2)',
          prompt: 'Tracking URI of an MLflow server',
          placeHolder: 'https://mlflow.example.com or http://127.0.0.1:5000',
          validateInput: (v) => (/^https?:\/\/[^\s/]+/.test(v.trim()) ? undefined : 'Enter an http:// or https:// URL'),
        }));
      if (!uri) return;
      const token =
        tokenArg ??
        (await vscode.window.showInputBox({
          title: 'Connect to MLflow Server (2/2)',
          prompt: 'Access token (sent as a Bearer token; kept in VS Code secret storage). Leave empty for none.',
          password: true,
        }));
      if (token === undefined) return;
      const probe = new TrackingClient({ trackingUri: uri.trim(), token: token || undefined });
      try {
        const caps = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Connecting to ${uri}…` },
          () => probe.capabilities(true),
        );
        log().info(`Server ${uri}: MLflow ${caps.mlflowVersion}${caps.tracksideVersion ? `, Trackside ${caps.tracksideVersion}` : ''}`);
      } finally {
        probe.dispose();
      }
      await connection.useRemote(uri.trim(), token || undefined);
      void vscode.window.showInformationMessage(`Trackside is now browsing ${uri}.`);
    }),
    registerCommand('trackside.useLocalStore', 'Use Local Store', async () => {
      await connection.useLocal();
      void vscode.window.showInformationMessage(`Trackside is using the local store ${connection.localFolder}.`);
    }),
  ];
}

function quote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'"'"'`)}'`;
}

import os from 'node:os';
import * as vscode from 'vscode';
import type { ExportFile } from '../../shared/protocol/panelMessages';
import type { ConnectionManager } from '../connection/connectionManager';
import { log } from '../log';
import type { PanelServices } from './panelTypes';

const FILTERS: Record<string, Record<string, string[]>> = {
  csv: { 'CSV files': ['csv'] },
  png: { 'PNG images': ['png'] },
};

/** The VS Code side of `PanelServices`. */
export function createPanelServices(context: vscode.ExtensionContext, connection: ConnectionManager): PanelServices {
  return {
    client: () => connection.client(),
    executeCommand: (id, ...args) => Promise.resolve(vscode.commands.executeCommand(id, ...args)),
    saveExport: (file) => saveExport(file),
    openFile: async (localPath) => {
      await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(localPath), { preview: true });
    },
    pickFolder: async (title) => {
      const picked = await vscode.window.showOpenDialog({ title, canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: 'Download Here' });
      return picked?.[0]?.fsPath;
    },
    showInformation: (message) => void vscode.window.showInformationMessage(message),
    memory: {
      get: <T>(key: string) => context.workspaceState.get<T>(key),
      update: (key, value) => Promise.resolve(context.workspaceState.update(key, value)),
    },
    log: {
      info: (message) => log().info(message),
      warn: (message) => log().warn(message),
      error: (message) => log().error(message),
    },
  };
}

async function saveExport(file: ExportFile): Promise<string | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
  const extension = file.fileName.split('.').pop()?.toLowerCase() ?? '';
  const target = await vscode.window.showSaveDialog({
    title: `Save ${file.fileName}`,
    defaultUri: vscode.Uri.joinPath(folder, file.fileName),
    filters: FILTERS[extension],
  });
  if (!target) return undefined;
  const bytes = file.encoding === 'base64' ? Buffer.from(file.content, 'base64') : Buffer.from(file.content, 'utf8');
  await vscode.workspace.fs.writeFile(target, bytes);
  void vscode.window.setStatusBarMessage(`Saved ${target.fsPath}`, 4000);
  return target.fsPath;
}

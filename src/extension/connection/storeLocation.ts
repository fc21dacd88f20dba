import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { settings } from '../settings';

/**
 * The local store folder: `trackside.store.path` when set (relative paths against the first
 * workspace folder, `~` expanded), else `<first workspace folder>/.trackside`, else the extension's
 * global storage when no folder is open.
 */
export function storeFolder(context: vscode.ExtensionContext): string {
  const configured = settings.storePath();
  const workspace = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
  if (configured) {
    const expanded = configured.startsWith('~') ? path.join(os.homedir(), configured.slice(1)) : configured;
    return path.resolve(workspace ?? os.homedir(), expanded);
  }
  if (workspace) return path.join(workspace, '.trackside');
  return path.join(context.globalStorageUri.fsPath, 'store');
}

import type * as vscode from 'vscode';
import type { ConnectionManager } from '../connection/connectionManager';
import type { ChangeSource } from '../panels/panelHost';
import { registerImportCommand } from './importCommand';
import { registerPushCommand } from './pushCommand';
import { SqlEditors } from './sqlEditor';

/**
 * Interop with MLflow: "Import from MLflow…" (into the local store, inside its engine), "Push
 * Runs to MLflow Server…" (to any tracking server), and "Query Store with SQL…" with its results
 * panel. The trees are refreshed after an import (the change stream also tells them).
 */
export function registerInteropCommands(
  context: vscode.ExtensionContext,
  connection: ConnectionManager,
  trees: readonly { refresh(): void }[],
  live: ChangeSource,
): vscode.Disposable[] {
  return [
    registerImportCommand(connection, () => trees.forEach((tree) => tree.refresh())),
    registerPushCommand(context, connection),
    new SqlEditors(context, connection, live),
  ];
}

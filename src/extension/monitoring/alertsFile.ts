import * as vscode from 'vscode';
import { emptyAlertsJson, exampleAlertsJson } from '../../core/monitoring/alertsExample';
import { registerCommand } from '../commands/registerCommand';

/** Where a workspace keeps its alert rules: `<first folder>/.trackside/alerts.json`; undefined with no folder open. */
export function alertsFileUri(): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder ? vscode.Uri.joinPath(folder, '.trackside', 'alerts.json') : undefined;
}

/**
 * "Edit Alert Rules": opens `.trackside/alerts.json`. A missing file is created with no rules and
 * the example is put into the editor unsaved, so nothing fires or runs until the person saves it.
 */
export function registerEditAlerts(): vscode.Disposable {
  return registerCommand('trackside.editAlerts', 'Edit Alert Rules', async () => {
    const file = alertsFileUri();
    if (!file) {
      void vscode.window.showInformationMessage('Open a folder first: alert rules live in .trackside/alerts.json inside the workspace.');
      return undefined;
    }
    let created = false;
    try {
      await vscode.workspace.fs.stat(file);
    } catch {
      await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(file, '..'));
      await vscode.workspace.fs.writeFile(file, Buffer.from(emptyAlertsJson, 'utf8'));
      created = true;
    }
    const document = await vscode.workspace.openTextDocument(file);
    const editor = await vscode.window.showTextDocument(document);
    if (created) {
      const whole = new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length));
      await editor.edit((builder) => builder.replace(whole, exampleAlertsJson));
      void vscode.window.showInformationMessage('An example with three rules (an alert, a retraining trigger, a nightly run) is in the editor: adapt it and save to turn the rules on. "Add Alert Rule…" adds one without writing JSON.');
    }
    return { file: file.fsPath, created };
  });
}
